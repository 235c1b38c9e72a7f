from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'MENU.BAT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_flasher_dir_a = resolve('flasher_dir_a')
    l_0_flasher = resolve('flasher')
    l_0_firmware = resolve('firmware')
    l_0_expect_model = resolve('expect_model')
    l_0_identify = resolve('identify')
    l_0_backup = resolve('backup')
    l_0_flash = resolve('flash')
    l_0_backup_required = resolve('backup_required')
    pass
    yield '@ECHO OFF\nREM \\FREEDOS\\MENU.BAT written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ': the flash menu. AUTOEXEC.BAT\nREM starts it from the RAM disk when there is one, so the boot disk can be taken out.\nREM It learns the drives from AUTOEXEC.BAT: MKHOME (where the tools are), MKWDRV and\nREM MKWORK (where the flasher runs), MKRAM (the RAM disk, if any), MKBAK (the backup\nREM made in this boot, if any).\n'
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
    yield '\nIF "%MKBAK%"=="" ECHO  Backup:   none yet in this boot\nIF NOT "%MKBAK%"=="" ECHO  Backup:   %MKBAK%\nECHO.\nECHO    1  Identify the drives (changes nothing)\nECHO    2  Back up the current firmware (do this first)\nECHO    3  Flash the new firmware\nECHO    4  DOS prompt (type EXIT to come back here)\nECHO    5  Reboot\nECHO.\nCHOICE /C:12345 /N  Choose 1 to 5:\nREM Highest first, as IF ERRORLEVEL n means n or more; CHOICE failing (255) or\nREM interrupted (0) just redraws the menu.\nIF ERRORLEVEL 6 GOTO MENU\nIF ERRORLEVEL 5 GOTO REBOOT\nIF ERRORLEVEL 4 GOTO PROMPT\nIF ERRORLEVEL 3 GOTO FLASH\nIF ERRORLEVEL 2 GOTO BACKUP\nIF ERRORLEVEL 1 GOTO IDENTIFY\nGOTO MENU\n\n:IDENTIFY\nCLS\n'
    if (undefined(name='identify') if l_0_identify is missing else l_0_identify):
        pass
        yield 'ECHO  Identify: '
        yield str((undefined(name='identify') if l_0_identify is missing else l_0_identify))
        yield '\nECHO.\n'
        yield str((undefined(name='identify') if l_0_identify is missing else l_0_identify))
        yield '\nECHO.\nECHO  The command ended with errorlevel %ERRORLEVEL%.\n'
    else:
        pass
        yield "ECHO  No identify command was set when this disk was built (--identify-cmd).\nECHO  The DOS prompt (4) can run the flasher's own scan or identify command.\n"
    yield 'PAUSE\nGOTO MENU\n\n:BACKUP\nCLS\n'
    if (undefined(name='backup') if l_0_backup is missing else l_0_backup):
        pass
        yield 'ECHO  Looking for a drive to save the backup to ...\nCALL %MKHOME%\\FREEDOS\\WRITABLE.BAT\nIF NOT "%MKDST%"=="" GOTO BAKNAME\nIF "%MKRAM%"=="" GOTO BAKNONE\nSET MKDST=%MKRAM%\n:BAKNAME\nREM A backup already on the drive may be the only good copy: never overwrite one.\nSET MKNEW=\nFOR %%N IN (9 8 7 6 5 4 3 2 1) DO IF NOT EXIST %MKDST%\\FWBACK%%N.BIN SET MKNEW=%MKDST%\\FWBACK%%N.BIN\nIF "%MKNEW%"=="" GOTO BAKFULL\nECHO  Backup file: %MKNEW%\nECHO  Command:     '
        yield str((undefined(name='backup') if l_0_backup is missing else l_0_backup))
        yield '\nECHO.\n'
        yield str((undefined(name='backup') if l_0_backup is missing else l_0_backup))
        yield '\nSET MKRC=%ERRORLEVEL%\n%MKWDRV%\nCD %MKWORK%\nIF NOT EXIST %MKNEW% GOTO BAKFAIL\nDIR %MKNEW%\nIF "%MKRC%"=="0" GOTO BAKDONE\nECHO  The flasher ended with errorlevel %MKRC% but left %MKNEW%.\nCHOICE /C:NY /T:N,60 Do its messages above say the backup worked\nIF ERRORLEVEL 3 GOTO BAKKEPT\nIF NOT ERRORLEVEL 2 GOTO BAKKEPT\n:BAKDONE\nSET MKBAK=%MKNEW%\nSET MKBAKRAM=\nECHO  The current firmware is saved as %MKBAK%.\nECHO  Check the size above: about '
        yield str(environment.getattr((undefined(name='firmware') if l_0_firmware is missing else l_0_firmware), 'size'))
        yield ' bytes, like the new firmware.\nIF NOT "%MKDST%"=="%MKRAM%" GOTO BAKEND\nSET MKBAKRAM=yes\nECHO.\nECHO  WARNING: %MKBAK% is on the RAM disk: it is LOST at power-off or reboot.\nECHO  Copy it to a floppy or USB stick at the DOS prompt (4) first.\nGOTO BAKEND\n:BAKKEPT\nECHO  %MKNEW% is kept, but it does not count as a backup.\nGOTO BAKEND\n:BAKFAIL\nECHO.\nECHO  The backup command did not create %MKNEW% (errorlevel %MKRC%): no backup.\nGOTO BAKEND\n:BAKFULL\nECHO  %MKDST% already holds FWBACK1.BIN to FWBACK9.BIN: copy them elsewhere first.\nGOTO BAKEND\n:BAKNONE\nECHO  No drive can take the backup: insert a writable floppy or USB stick (USB\nECHO  sticks must be in before the PC starts) and choose 2 again.\n:BAKEND\n'
    else:
        pass
        yield "ECHO  No backup command was set when this disk was built (--backup-cmd).\nECHO  The DOS prompt (4) can run the flasher's own backup command.\n"
    yield 'PAUSE\nGOTO MENU\n\n:FLASH\nCLS\n'
    if (undefined(name='flash') if l_0_flash is missing else l_0_flash):
        pass
        if (undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required):
            pass
            yield 'IF "%MKBAK%"=="" GOTO NOBAK\n'
        yield 'ECHO  FLASH THE NEW FIRMWARE\nECHO.\nECHO  Command:  '
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
        yield 'IF "%MKBAK%"=="" ECHO  Backup:   NONE - the current firmware cannot be restored\nIF NOT "%MKBAK%"=="" ECHO  Backup:   %MKBAK%\nECHO.\nECHO  Leave every CD/DVD drive empty. Do not switch off or reset the PC until\nECHO  the flasher says it has finished, even if it seems to hang for minutes.\nECHO.\nCHOICE /C:NY /T:N,60 Flash this firmware now\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\nECHO.\nECHO  Second and last question: press F to start flashing, N to go back.\nCHOICE /C:NF /T:N,60 Start flashing\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\nECHO.\n'
        yield str((undefined(name='flash') if l_0_flash is missing else l_0_flash))
        yield '\nSET MKRC=%ERRORLEVEL%\nECHO.\nECHO  The flasher ended with errorlevel %MKRC%. Read its messages above: only\nECHO  when it reports success, remove any disc and reboot (5).\nGOTO FLASHEND\n'
        if (undefined(name='backup_required') if l_0_backup_required is missing else l_0_backup_required):
            pass
            yield ':NOBAK\nECHO  Flashing is locked until a backup of the current firmware is made in this\nECHO  boot: choose 2 first. Without a backup a wrong firmware cannot be undone.\n'
        yield ':FLASHEND\n'
    else:
        pass
        yield 'ECHO  No flash command was set when this disk was built (--flash-cmd, --profile).\nECHO  Run the flasher at the DOS prompt (4); it is in %MKWORK%.\n'
    yield 'PAUSE\nGOTO MENU\n\n:PROMPT\nCLS\nECHO  DOS prompt: the flasher and the firmware are in %MKWORK%.\nECHO  Type EXIT to come back to the menu.\n%COMSPEC%\nGOTO MENU\n\n:REBOOT\nCLS\nIF "%MKBAKRAM%"=="" GOTO REBOOTQ\nECHO  WARNING: your backup %MKBAK% is on the RAM disk and is lost at reboot.\nECHO  Copy it to a floppy or USB stick at the DOS prompt (4) first.\nECHO.\n:REBOOTQ\nECHO  Take every disc out of the drives, unless you want to boot from it again.\nCHOICE /C:NY /T:N,60 Reboot now\nIF ERRORLEVEL 3 GOTO MENU\nIF NOT ERRORLEVEL 2 GOTO MENU\nREBOOT\nECHO  The PC did not restart: press Ctrl+Alt+Del.\nPAUSE\nGOTO MENU\n'

blocks = {}
debug_info = '2=21&7=23&13=26&26=29&29=31&30=33&32=42&55=44&56=47&58=49&70=55&82=58&84=60&99=62&129=68&130=70&135=74&136=76&137=80&138=82&139=85&156=88&162=90'