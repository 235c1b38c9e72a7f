from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'README.TXT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_build_date = resolve('build_date')
    l_0_flasher = resolve('flasher')
    l_0_firmware = resolve('firmware')
    l_0_expect_model = resolve('expect_model')
    l_0_extras = resolve('extras')
    l_0_drivers = resolve('drivers')
    l_0_uefi_app = resolve('uefi_app')
    l_0_boot_timeout = resolve('boot_timeout')
    l_0_boot_default = resolve('boot_default')
    l_0_keyboard = resolve('keyboard')
    l_0_backup_model = resolve('backup_model')
    l_0_backup_required = resolve('backup_required')
    l_0_device_hint = resolve('device_hint')
    l_0_profile = resolve('profile')
    l_0_identify = resolve('identify')
    l_0_backup = resolve('backup')
    l_0_flash = resolve('flash')
    l_0_licenses = resolve('licenses')
    l_0_sources_listed = resolve('sources_listed')
    pass
    yield 'mkrescue firmware rescue disk\n=============================\n\nMade by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ' on '
    yield str((undefined(name='build_date') if l_0_build_date is missing else l_0_build_date))
    yield '.\n\nThis disk boots FreeDOS and offers a menu to flash firmware with a DOS\nflasher. Firmware flashing can make a device unusable when it goes wrong:\nback up the current firmware first and never switch off during a flash.\n\nFlasher:  \\FLASH\\'
    yield str(environment.getattr((undefined(name='flasher') if l_0_flasher is missing else l_0_flasher), 'dos_name'))
    yield '  ('
    yield str(environment.getattr((undefined(name='flasher') if l_0_flasher is missing else l_0_flasher), 'size'))
    yield ' bytes)\nFirmware: \\FLASH\\'
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'dos_name'))
    yield '  ('
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
    yield ' bytes)\n  SHA-256 '
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'sha256'))
    yield '\n'
    if (undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model):
        pass
        yield '  checked at build time to name the model '
        yield str((undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model))
        yield '\n'
    for l_1_extra in (undefined(name='extras') if l_0_extras is missing else l_0_extras):
        _loop_vars = {}
        pass
        yield 'Extra:    \\FLASH\\'
        yield str(environment.getattr(l_1_extra, 'dos_name'))
        yield '  ('
        yield str(environment.getattr(l_1_extra, 'size'))
        yield ' bytes)\n'
    l_1_extra = missing
    for l_1_driver in (undefined(name='drivers') if l_0_drivers is missing else l_0_drivers):
        _loop_vars = {}
        pass
        yield 'Driver:   \\FLASH\\'
        yield str(l_1_driver)
        yield '\n'
    l_1_driver = missing
    yield '\nMANIFEST.TXT lists the SHA-256 of every file on this disk.\n\nStarting\n--------\nThe PC must boot in legacy (BIOS, CSM) mode: DOS cannot start under UEFI.\n'
    if (undefined(name='uefi_app') if l_0_uefi_app is missing else l_0_uefi_app):
        pass
        yield "A PC without CSM can start it through the CSM wrapper on the disk's EFI\nSystem Partition (experimental; see README.TXT there).\n"
    yield 'FreeDOS first asks how to start ('
    yield str((undefined(name='boot_timeout') if l_0_boot_timeout is missing else l_0_boot_timeout))
    yield ' seconds, then choice '
    yield str((undefined(name='boot_default') if l_0_boot_default is missing else l_0_boot_default))
    yield '):\n\n  1  Normal: XMS memory (HIMEMX), a RAM disk, then the flash menu. The\n     tools are copied to the RAM disk and checked against checksums made\n     with this disk, so the boot disk can be taken out (needed when the\n     drive to flash holds the boot CD).\n  2  Clean: no memory manager and no RAM disk, for flashers that refuse\n     to run with HIMEM or EMM386 loaded. The flash menu runs from the boot\n     disk, or from a copy in \\MKRESCUE on a writable drive.\n  3  DOS prompt only; type MENU for the flash menu.\n\nKeyboard: '
    yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'label'))
    if (not environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'loads_nothing')):
        pass
        yield ', loaded by AUTOEXEC.BAT with KEYB before any\nof these (the US layout stays when it cannot be loaded)'
    yield ".\n\nThe flash menu\n--------------\n  1  Identify the drives (changes nothing)\n  2  Back up the current firmware: saved as FWBACKn.BIN on the first\n     writable drive (the boot USB stick or floppy, another floppy or\n     disk), never over an older backup; on the RAM disk only when there\n     is no other place, and then lost at power-off: copy it away.\n     The backup is checked: empty or all 00/FF bytes does not count; a\n     size other than the new firmware's"
    if (undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model):
        pass
        yield ', or no "'
        yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
        yield '" in it,'
    yield ' warns.\n  3  Flash the new firmware: '
    if (undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required):
        pass
        yield 'only after a backup in the same boot; '
    yield "shows\n     the command, the firmware's name, size and SHA-256, and asks twice\n     (three times when the backup check warned).\n  4  DOS prompt (EXIT returns to the menu)\n  5  Reboot\n"
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield '  6  Choose the device the commands act on: '
        yield str((undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint))
        yield '.\n     The menu asks for it when a command first needs it (right after\n     Identify); letters, digits and . : - only, 16 at most.\n'
    yield '\nCommands ('
    yield str((undefined(name='profile') if l_0_profile is missing else l_0_profile))
    yield " profile; the menu runs them in the flasher's folder):\n  identify: "
    yield str(((undefined(name='identify') if l_0_identify is missing else l_0_identify) or '(none: use the DOS prompt)'))
    yield '\n  backup:   '
    yield str(((undefined(name='backup') if l_0_backup is missing else l_0_backup) or '(none: use the DOS prompt)'))
    yield '\n  flash:    '
    yield str(((undefined(name='flash') if l_0_flash is missing else l_0_flash) or '(none: use the DOS prompt)'))
    yield '\n%MKNEW% is the backup file the menu chose, e.g. A:\\FWBACK1.BIN.\n'
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield '%MKDEV% is the device you typed, e.g. 1.0.0.\n'
    yield '\nFreeDOS\n-------\nKERNEL.SYS, COMMAND.COM and the programs in \\FREEDOS are parts of FreeDOS\n(https://www.freedos.org), distributed under their own licences, mostly\nthe GNU General Public License version 2. The licence texts are in\n\\FREEDOS\\LICENSES'
    if (undefined(name='licenses') if l_0_licenses is missing else l_0_licenses):
        pass
        yield ':\n'
        for l_1_name in (undefined(name='licenses') if l_0_licenses is missing else l_0_licenses):
            _loop_vars = {}
            pass
            yield '  '
            yield str(l_1_name)
            yield '\n'
        l_1_name = missing
    else:
        pass
        yield ' when the FreeDOS copy used to build this disk had them.\n'
    yield 'The source code of every FreeDOS package is available from the FreeDOS\npackage repository, in the same package (SOURCE folder) or next to it:\n  https://www.ibiblio.org/pub/micro/pc-stuff/freedos/files/repositories/\n'
    if (undefined(name='sources_listed') if l_0_sources_listed is missing else l_0_sources_listed):
        pass
        yield '\\FREEDOS\\LICENSES\\SOURCES.TXT names the exact packages used.\n'
    yield 'The boot sector, the menu (AUTOEXEC.BAT, \\FREEDOS\\MENU.BAT, WRITABLE.BAT)\nand \\FREEDOS\\REBOOT.COM, CRCCHECK.COM, WRTEST.COM, MKSUBST.COM and MENUKEY.COM\nwere written by mkrescue; they are not part of FreeDOS.\n'

blocks = {}
debug_info = '4=32&10=36&11=40&12=44&13=46&14=49&16=51&17=55&19=60&20=64&28=68&32=72&43=76&54=81&55=87&60=91&61=94&66=97&67=99&68=101&69=103&71=105&80=109&81=112&82=116&90=123'