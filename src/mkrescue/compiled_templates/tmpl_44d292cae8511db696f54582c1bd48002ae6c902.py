from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'MENU.BAT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_device_hint = resolve('device_hint')
    l_0_flasher_dir_a = resolve('flasher_dir_a')
    l_0_flasher = resolve('flasher')
    l_0_firmware = resolve('firmware')
    l_0_expect_model = resolve('expect_model')
    l_0_identify = resolve('identify')
    l_0_asks_device = resolve('asks_device')
    l_0_backup = resolve('backup')
    l_0_backup_model = resolve('backup_model')
    l_0_no_backup_reason = resolve('no_backup_reason')
    l_0_flash = resolve('flash')
    l_0_backup_required = resolve('backup_required')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '@ECHO OFF\nREM \\FREEDOS\\MENU.BAT written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ': the flash menu. AUTOEXEC.BAT\nREM starts it from the RAM disk when there is one, so the boot disk can be taken out.\nREM It learns the drives from AUTOEXEC.BAT: MKHOME (where the tools are), MKWDRV and\nREM MKWORK (where the flasher runs), MKRAM (the RAM disk, if any), MKBAK (the backup\nREM made in this boot, if any)'
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield ', MKDEV (the device the commands act on,\nREM asked once by DEVICE.BAT) and MKBAKDEV (the device MKBAK was read from)'
    yield '.\n'
    if (undefined(name='flasher_dir_a') if l_0_flasher_dir_a is missing else l_0_flasher_dir_a):
        pass
        yield 'REM The flasher expects to run from A:\\ - map its folder there, once. Not while this\nREM file is read from A: itself: DOS reads a batch file line by line.\nIF NOT "%MKSUBST%"=="" GOTO MENU\nIF "%MKWDRV%"=="A:" GOTO NOSUBST\nMKSUBST A: %MKHOME%\\FLASH\nIF NOT EXIST A:\\'
        yield str(environment.getattr((undefined(name='flasher') if l_0_flasher is missing else l_0_flasher), 'dos_name'))
        yield " GOTO NOSUBST\nSET MKSUBST=A:\nSET MKWDRV=A:\nSET MKWORK=A:\\\nGOTO MENU\n:NOSUBST\nECHO The flasher's folder could not be mapped to A:. It runs from %MKWORK%.\nPAUSE\n"
    yield ':MENU\n%MKWDRV%\nCD %MKWORK%\nCLS\nECHO  mkrescue firmware rescue ('
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ', %MKMODE% start)\nECHO  %MKWHY%\nECHO.\nECHO  Flasher:  '
    yield str(environment.getattr((undefined(name='flasher') if l_0_flasher is missing else l_0_flasher), 'dos_name'))
    yield ' in %MKWORK%\nECHO  Firmware: '
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'dos_name'))
    yield ', '
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
    yield ' bytes'
    if (undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model):
        pass
        yield ', for '
        yield str((undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model))
    yield '\nECHO  SHA-256:  '
    yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'sha256'))
    yield '\nIF "%MKBAK%"=="" ECHO  Backup:   none yet in this boot\nIF NOT "%MKBAK%"=="" ECHO  Backup:   %MKBAK%\n'
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield 'IF "%MKDEV%"=="" ECHO  Device:   not chosen yet: the menu asks when a command needs it (or 6)\nIF NOT "%MKDEV%"=="" ECHO  Device:   %MKDEV%\n'
    yield 'ECHO.\nECHO    1  Identify the drives (changes nothing)\nECHO    2  Back up the current firmware (do this first)\nECHO    3  Flash the new firmware\nECHO    4  DOS prompt (type EXIT to come back here)\nECHO    5  Reboot\n'
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield 'ECHO    6  Choose the device the commands act on\nECHO.\nCHOICE /C:123456 /N  Choose 1 to 6:\nREM Highest first, as IF ERRORLEVEL n means n or more; CHOICE failing (255) or\nREM interrupted (0) just redraws the menu.\nIF ERRORLEVEL 7 GOTO MENU\nIF ERRORLEVEL 6 GOTO DEVICE\n'
    else:
        pass
        yield 'ECHO.\nCHOICE /C:12345 /N  Choose 1 to 5:\nREM Highest first, as IF ERRORLEVEL n means n or more; CHOICE failing (255) or\nREM interrupted (0) just redraws the menu.\nIF ERRORLEVEL 6 GOTO MENU\n'
    yield 'IF ERRORLEVEL 5 GOTO REBOOT\nIF ERRORLEVEL 4 GOTO PROMPT\nIF ERRORLEVEL 3 GOTO FLASH\nIF ERRORLEVEL 2 GOTO BACKUP\nIF ERRORLEVEL 1 GOTO IDENTIFY\nGOTO MENU\n\n:IDENTIFY\nCLS\n'
    if (undefined(name='identify') if l_0_identify is missing else l_0_identify):
        pass
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'identify'):
            pass
            yield 'IF "%MKDEV%"=="" CALL %MKHOME%\\FREEDOS\\DEVICE.BAT\nIF "%MKDEV%"=="" GOTO NODEV\n'
        yield 'ECHO  Identify: '
        yield str((undefined(name='identify') if l_0_identify is missing else l_0_identify))
        yield '\nECHO.\n'
        yield str((undefined(name='identify') if l_0_identify is missing else l_0_identify))
        yield '\nECHO.\nECHO  The command ended with errorlevel %ERRORLEVEL%.\n'
        if ((undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint) and (not environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'identify'))):
            pass
            yield 'REM Asked now, while what the scan printed is still on the screen.\nIF "%MKDEV%"=="" CALL %MKHOME%\\FREEDOS\\DEVICE.BAT\n'
    else:
        pass
        yield "ECHO  No identify command was set when this disk was built (--identify-cmd).\nECHO  The DOS prompt (4) can run the flasher's own scan or identify command.\n"
    yield 'PAUSE\nGOTO MENU\n\n:BACKUP\nCLS\n'
    if (undefined(name='backup') if l_0_backup is missing else l_0_backup):
        pass
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup'):
            pass
            yield 'IF "%MKDEV%"=="" CALL %MKHOME%\\FREEDOS\\DEVICE.BAT\nIF "%MKDEV%"=="" GOTO NODEV\n'
        yield 'ECHO  Looking for a drive to save the backup to ...\nCALL %MKHOME%\\FREEDOS\\WRITABLE.BAT\nIF NOT "%MKDST%"=="" GOTO BAKNAME\nIF "%MKRAM%"=="" GOTO BAKNONE\nSET MKDST=%MKRAM%\n:BAKNAME\nREM A backup already on the drive may be the only good copy: never overwrite one.\nSET MKNEW=\nFOR %%N IN (9 8 7 6 5 4 3 2 1) DO IF NOT EXIST %MKDST%\\FWBACK%%N.BIN SET MKNEW=%MKDST%\\FWBACK%%N.BIN\nIF "%MKNEW%"=="" GOTO BAKFULL\nECHO  Backup file: %MKNEW%\n'
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup'):
            pass
            yield 'ECHO  Device:      %MKDEV%\n'
        yield 'ECHO  Command:     '
        yield str((undefined(name='backup') if l_0_backup is missing else l_0_backup))
        yield '\nECHO.\n'
        yield str((undefined(name='backup') if l_0_backup is missing else l_0_backup))
        yield '\nSET MKRC=%ERRORLEVEL%\n%MKWDRV%\nCD %MKWORK%\nIF NOT EXIST %MKNEW% GOTO BAKFAIL\nDIR %MKNEW%\nIF "%MKRC%"=="0" GOTO BAKDONE\nECHO  The flasher ended with errorlevel %MKRC% but left %MKNEW%.\nCHOICE /C:NY /T:N,60 Do its messages above say the backup worked\nIF ERRORLEVEL 3 GOTO BAKKEPT\nIF NOT ERRORLEVEL 2 GOTO BAKKEPT\n:BAKDONE\nREM Before it counts: CHKBAK compares the size with the new firmware\'s, refuses all 00h\nREM or all FFh (an erased chip, a failed read) and looks for the model\'s name.\nCHKBAK %MKNEW% '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'dos_name'))
        if (undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model):
            pass
            yield ' '
            yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
        yield '\nIF ERRORLEVEL 8 GOTO BAKUNRD\nIF ERRORLEVEL 4 GOTO BAKBLANK\nSET MKWSIZE=\nSET MKWMODEL=\nIF ERRORLEVEL 2 SET MKWSIZE=differs\nIF ERRORLEVEL 3 SET MKWMODEL=missing\nIF ERRORLEVEL 1 IF NOT ERRORLEVEL 2 SET MKWMODEL=missing\nSET MKBAK=%MKNEW%\n'
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup'):
            pass
            yield 'SET MKBAKDEV=%MKDEV%\n'
        yield 'SET MKBAKRAM=\nECHO  The current firmware is saved as %MKBAK%.\nIF "%MKWSIZE%"=="" ECHO  It has the new firmware\'s size, '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
        yield ' bytes, and is not blank.\n'
        if (undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model):
            pass
            if (t_1((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model)) <= 21):
                pass
                yield 'IF "%MKWMODEL%"=="" ECHO  The drive\'s current firmware names '
                yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
                yield ', like the new file.\n'
            else:
                pass
                yield 'IF "%MKWMODEL%"=="" ECHO  The drive\'s current firmware names '
                yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
                yield ',\nIF "%MKWMODEL%"=="" ECHO  like the new file.\n'
        yield 'IF "%MKWSIZE%%MKWMODEL%"=="" GOTO BAKRAM\nECHO.\nECHO  ********************************* WARNING *********************************\nIF NOT "%MKWSIZE%"=="" ECHO  Its size differs from the new firmware\'s '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
        yield ' bytes (see DIR above).\n'
        if (undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model):
            pass
            yield 'IF NOT "%MKWMODEL%"=="" ECHO  It does not name '
            yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
            yield ', as the new file does:\nIF NOT "%MKWMODEL%"=="" ECHO  is it another drive, or one crossflashed before?\n'
        yield 'ECHO  Check that this is the device you mean. Flashing will ask a third time.\nECHO  ***************************************************************************\n:BAKRAM\nIF NOT "%MKDST%"=="%MKRAM%" GOTO BAKEND\nSET MKBAKRAM=yes\nECHO.\nECHO  WARNING: %MKBAK% is on the RAM disk: it is LOST at power-off or reboot.\nECHO  Copy it to a floppy or USB stick at the DOS prompt (4) first.\nGOTO BAKEND\n:BAKUNRD\nECHO  %MKNEW% cannot be read back.\nGOTO BAKKEPT\n:BAKBLANK\nECHO  %MKNEW% is empty or all 00 or all FF bytes: the flasher read nothing.\n'
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup'):
            pass
            yield 'ECHO  Was the device right? It was %MKDEV% (6 changes it).\n'
        yield ':BAKKEPT\nECHO  %MKNEW% is kept, but it does not count as a backup.\nGOTO BAKEND\n:BAKFAIL\nECHO.\nECHO  The backup command did not create %MKNEW% (errorlevel %MKRC%): no backup.\nGOTO BAKEND\n:BAKFULL\nECHO  %MKDST% already holds FWBACK1.BIN to FWBACK9.BIN: copy them elsewhere first.\nGOTO BAKEND\n:BAKNONE\nECHO  No drive can take the backup: insert a writable floppy or USB stick (USB\nECHO  sticks must be in before the PC starts) and choose 2 again.\n:BAKEND\n'
    elif (undefined(name='no_backup_reason') if l_0_no_backup_reason is missing else l_0_no_backup_reason):
        pass
        yield 'ECHO  This flasher cannot make a backup:\n'
        for l_1_line in (undefined(name='no_backup_reason') if l_0_no_backup_reason is missing else l_0_no_backup_reason):
            _loop_vars = {}
            pass
            yield 'ECHO  '
            yield str(l_1_line)
            yield '\n'
        l_1_line = missing
    else:
        pass
        yield "ECHO  No backup command was set when this disk was built (--backup-cmd).\nECHO  The DOS prompt (4) can run the flasher's own backup command.\n"
    yield 'PAUSE\nGOTO MENU\n\n:FLASH\nCLS\n'
    if (undefined(name='flash') if l_0_flash is missing else l_0_flash):
        pass
        if (undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required):
            pass
            yield 'IF "%MKBAK%"=="" GOTO NOBAK\n'
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'flash'):
            pass
            yield 'IF "%MKDEV%"=="" CALL %MKHOME%\\FREEDOS\\DEVICE.BAT\nIF "%MKDEV%"=="" GOTO NODEV\n'
            if ((undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required) and environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup')):
                pass
                yield 'IF NOT "%MKBAKDEV%"=="%MKDEV%" GOTO NOBAKDEV\n'
        yield 'ECHO  FLASH THE NEW FIRMWARE\nECHO.\n'
        if environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'flash'):
            pass
            yield 'ECHO  Device:   %MKDEV%\n'
        yield 'ECHO  Command:  '
        yield str((undefined(name='flash') if l_0_flash is missing else l_0_flash))
        yield '\nECHO  Firmware: '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'dos_name'))
        yield ', '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
        yield ' bytes\nECHO  SHA-256:  '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'sha256'))
        yield '\n'
        if (undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model):
            pass
            yield 'ECHO  Model:    '
            yield str((undefined(name='expect_model') if l_0_expect_model is missing else l_0_expect_model))
            yield ' (the file names it)\n'
        yield 'IF "%MKBAK%"=="" ECHO  Backup:   NONE - the current firmware cannot be restored\nIF NOT "%MKBAK%"=="" ECHO  Backup:   %MKBAK%\nECHO.\nECHO  Leave every CD/DVD drive empty. Do not switch off or reset the PC until\nECHO  the flasher says it has finished, even if it seems to hang for minutes.\nECHO.\nCHOICE /C:NY /T:N,60 Flash this firmware now\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\nECHO.\nECHO  Second and last question: press F to start flashing, N to go back.\nCHOICE /C:NF /T:N,60 Start flashing\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\n'
        if (undefined(name='backup') if l_0_backup is missing else l_0_backup):
            pass
            yield 'IF "%MKWSIZE%%MKWMODEL%"=="" GOTO FLASHGO\nCLS\nECHO  ********************************* WARNING *********************************\nECHO.\nECHO  The backup %MKBAK% does not look like the new firmware\'s device:\nIF NOT "%MKWSIZE%"=="" ECHO  its size differs from '
            yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
            yield ' bytes.\n'
            if (undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model):
                pass
                yield 'IF NOT "%MKWMODEL%"=="" ECHO  it does not name '
                yield str((undefined(name='backup_model') if l_0_backup_model is missing else l_0_backup_model))
                yield ', as the new file does:\nIF NOT "%MKWMODEL%"=="" ECHO  is it another drive, or one crossflashed before?\n'
            yield 'ECHO  Flash only if you are sure this is the right device and the right file.\nECHO.\nECHO  ***************************************************************************\nECHO.\nECHO  Command:  '
            yield str((undefined(name='flash') if l_0_flash is missing else l_0_flash))
            yield '\nECHO.\nCHOICE /C:NC /T:N,60 Third question: press C to flash anyway, N to go back\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\n:FLASHGO\n'
        yield 'ECHO.\n'
        yield str((undefined(name='flash') if l_0_flash is missing else l_0_flash))
        yield '\nSET MKRC=%ERRORLEVEL%\nECHO.\nECHO  The flasher ended with errorlevel %MKRC%. Read its messages above: only\nECHO  when it reports success, remove any disc and reboot (5).\nGOTO FLASHEND\n'
        if (undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required):
            pass
            yield ':NOBAK\nECHO  Flashing is locked until a backup of the current firmware is made in this\nECHO  boot: choose 2 first. Without a backup a wrong firmware cannot be undone.\n'
            if (environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'flash') and environment.getattr((undefined(name='asks_device') if l_0_asks_device is missing else l_0_asks_device), 'backup')):
                pass
                yield 'GOTO FLASHEND\n:NOBAKDEV\nECHO  Flashing is locked: %MKBAK% is a backup of device %MKBAKDEV%,\nECHO  not of %MKDEV%. Back up device %MKDEV% first (2).\n'
        yield ':FLASHEND\n'
    else:
        pass
        yield 'ECHO  No flash command was set when this disk was built (--flash-cmd, --profile).\nECHO  Run the flasher at the DOS prompt (4); it is in %MKWORK%.\n'
    yield 'PAUSE\nGOTO MENU\n\n'
    if (undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint):
        pass
        yield ':DEVICE\nCLS\nCALL %MKHOME%\\FREEDOS\\DEVICE.BAT\nGOTO MENU\n\n:NODEV\nECHO  No device was chosen, so nothing was run. Identify (1) lists the devices.\nPAUSE\nGOTO MENU\n\n'
    yield ':PROMPT\nCLS\nECHO  DOS prompt: the flasher and the firmware are in %MKWORK%.\nECHO  Type EXIT to come back to the menu.\n%COMSPEC%\nGOTO MENU\n\n:REBOOT\nCLS\nIF "%MKBAKRAM%"=="" GOTO REBOOTQ\nECHO  WARNING: your backup %MKBAK% is on the RAM disk and is lost at reboot.\nECHO  Copy it to a floppy or USB stick at the DOS prompt (4) first.\nECHO.\n:REBOOTQ\nECHO  Take every disc out of the drives, unless you want to boot from it again.\nCHOICE /C:NY /T:N,60 Reboot now\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\nREBOOT\nECHO  The PC did not restart: press Ctrl+Alt+Del.\nPAUSE\nGOTO MENU\n'

blocks = {}
debug_info = '2=31&6=33&8=37&14=40&27=43&30=45&31=47&33=56&36=58&46=62&70=69&71=71&75=75&77=77&80=79&93=86&94=88&109=92&112=96&114=98&128=100&138=106&143=110&144=112&145=114&146=117&148=122&155=125&156=127&157=130&174=133&191=137&193=140&194=144&205=151&206=153&209=156&212=159&218=163&221=167&222=169&223=173&224=175&225=178&241=181&247=184&248=186&249=189&256=192&264=195&270=197&274=200&289=208'