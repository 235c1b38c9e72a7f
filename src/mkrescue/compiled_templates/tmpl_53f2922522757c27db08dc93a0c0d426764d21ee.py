from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'FDCONFIG.SYS.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_boot_default = resolve('boot_default')
    l_0_boot_timeout = resolve('boot_timeout')
    l_0_xms = resolve('xms')
    l_0_ramdisk_kind = resolve('ramdisk_kind')
    l_0_drivers = resolve('drivers')
    pass
    yield '; FDCONFIG.SYS written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ': the FreeDOS kernel reads it at boot.\n; Paths start with \\ and no drive letter: the kernel reads them from the boot drive,\n; whether it became A: (floppy, CD) or C: (USB stick, hard-disk emulation).\n; The menu offers the ways to start that flashers need; AUTOEXEC.BAT reads the\n; choice from %CONFIG%.\nMENUDEFAULT='
    yield str((undefined(name='boot_default') if l_0_boot_default is missing else l_0_boot_default))
    yield ','
    yield str((undefined(name='boot_timeout') if l_0_boot_timeout is missing else l_0_boot_timeout))
    yield '\nMENU\nMENU  mkrescue firmware rescue disk - how should DOS start?\nMENU\nMENU  1  Normal: XMS memory, RAM disk, flash menu (recommended)\nMENU  2  Clean: no memory manager, no RAM disk, flash menu\nMENU     (for flashers that refuse HIMEM or EMM386, e.g. Phoenix Phlash16)\nMENU  3  DOS prompt only (type MENU for the flash menu)\nMENU\n!FILES=30\n!BUFFERS=20\n!LASTDRIVE=Z\n1?ECHO Normal start: XMS memory and a RAM disk\n2?ECHO Clean start: no memory manager, no RAM disk\n3?ECHO DOS prompt only\n'
    if (undefined(name='xms') if l_0_xms is missing else l_0_xms):
        pass
        yield '13?DEVICE=\\FREEDOS\\'
        yield str((undefined(name='xms') if l_0_xms is missing else l_0_xms))
        yield '\n13?DOS=HIGH\n'
    if ((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind) == 'SRDISK'):
        pass
        yield '1?DEVICE=\\FREEDOS\\SRDXMS.SYS\n'
    for l_1_driver in (undefined(name='drivers') if l_0_drivers is missing else l_0_drivers):
        _loop_vars = {}
        pass
        yield 'DEVICE=\\FLASH\\'
        yield str(l_1_driver)
        yield '\n'
    l_1_driver = missing
    yield 'SHELL=\\COMMAND.COM \\ /E:2048 /P=\\AUTOEXEC.BAT\n'

blocks = {}
debug_info = '1=18&6=20&21=24&22=27&25=29&28=32&29=36'