from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'AUTOEXEC.BAT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_letters = resolve('letters')
    l_0_keyboard = resolve('keyboard')
    l_0_builtin_codepage = resolve('builtin_codepage')
    l_0_ramdisk_kind = resolve('ramdisk_kind')
    l_0_ramdisk_kib = resolve('ramdisk_kib')
    l_0_ramdisk_mib = resolve('ramdisk_mib')
    l_0_ramdisk_least_kib = resolve('ramdisk_least_kib')
    l_0_ramdisk_least_mib = resolve('ramdisk_least_mib')
    l_0_ladder = resolve('ladder')
    l_0_copy_and_check = missing
    pass
    def macro(l_1_home, l_1_shell_to, l_1_bad):
        t_1 = []
        if l_1_home is missing:
            l_1_home = undefined("parameter 'home' was not provided", name='home')
        if l_1_shell_to is missing:
            l_1_shell_to = undefined("parameter 'shell_to' was not provided", name='shell_to')
        if l_1_bad is missing:
            l_1_bad = undefined("parameter 'bad' was not provided", name='bad')
        pass
        t_1.extend((
            'MD ',
            str(l_1_home),
            '\\FREEDOS\nMD ',
            str(l_1_home),
            '\\FLASH\nCOPY %MKBOOT%\\COMMAND.COM ',
            str(l_1_shell_to),
            ' > NUL\nCOPY %MKBOOT%\\FREEDOS\\*.* ',
            str(l_1_home),
            '\\FREEDOS > NUL\nCOPY %MKBOOT%\\FLASH\\*.* ',
            str(l_1_home),
            '\\FLASH > NUL\nCRCCHECK ',
            str(l_1_home),
            ' ',
            str(l_1_home),
            '\\FREEDOS\\FILES.CRC\nIF ERRORLEVEL 1 GOTO ',
            str(l_1_bad),
            '\n',
        ))
        return concat(t_1)
    context.exported_vars.add('copy_and_check')
    context.vars['copy_and_check'] = l_0_copy_and_check = Macro(environment, macro, 'copy_and_check', ('home', 'shell_to', 'bad'), False, False, False, context.eval_ctx.autoescape)
    yield '@ECHO OFF\nREM AUTOEXEC.BAT written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ". It finds the drives, makes the\nREM RAM disk, copies the tools there and starts the flash menu (\\FREEDOS\\MENU.BAT).\nREM No drive letter is written into these files: the boot drive differs between a\nREM floppy, a CD and a USB stick, the RAM disk's letter between PCs.\nREM The kernel starts us on the boot drive, so the current directory names it.\nSET MKBOOT=\nFOR %%D IN ("
    yield str((undefined(name='letters') if l_0_letters is missing else l_0_letters))
    yield ') DO IF "%CD%"=="%%D:\\" SET MKBOOT=%%D:\nIF "%MKBOOT%"=="" GOTO NOBOOT\nSET MKRAM=\nSET MKDST=\nSET MKBAK=\nSET MKSUBST=\nSET MKHOME=%MKBOOT%\nSET MKWDRV=%MKBOOT%\nSET PATH=%MKBOOT%\\FREEDOS;%MKBOOT%\\FLASH\nREM A read-only boot disk (a CD) is no place for a backup; never touching it again also\nREM spares its drive once the CD is out.\nSET MKRO=\nWRTEST %MKBOOT%\nIF ERRORLEVEL 1 SET MKRO=%MKBOOT%\n'
    if environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'loads_nothing'):
        pass
        yield 'SET MKKEYB='
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'label'))
        yield '\n'
    else:
        pass
        yield 'REM The keyboard layout comes before any choice, so every start types what the keys say.\nREM KEYB and MODE read their files once: the boot disk may go after this.\nSET MKKEYB=US - the '
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'id'))
        yield ' layout did not load\n'
        if environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'cpx'):
            pass
            yield 'DISPLAY CON=(EGA,'
            yield str((undefined(name='builtin_codepage') if l_0_builtin_codepage is missing else l_0_builtin_codepage))
            yield ',1) > NUL\nIF ERRORLEVEL 1 GOTO NOKEYB\nMODE CON CODEPAGE PREPARE=(('
            yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'codepage'))
            yield ') %MKBOOT%\\FREEDOS\\'
            yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'cpx'))
            yield ') > NUL\nIF ERRORLEVEL 1 GOTO NOKEYB\nMODE CON CODEPAGE SELECT='
            yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'codepage'))
            yield " > NUL\nREM FreeDOS 1.4's MODE ends a select that worked with errorlevel 1 (seen in QEMU), a failed one higher.\nIF ERRORLEVEL 2 GOTO NOKEYB\n"
        yield 'KEYB '
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'id'))
        yield ','
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'codepage'))
        yield ',%MKBOOT%\\FREEDOS\\'
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'library'))
        yield ' > NUL\nIF ERRORLEVEL 1 GOTO NOKEYB\nSET MKKEYB='
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'label'))
        yield '\nGOTO KEYBDONE\n:NOKEYB\nECHO The '
        yield str(environment.getattr((undefined(name='keyboard') if l_0_keyboard is missing else l_0_keyboard), 'label'))
        yield ' keyboard layout could not be loaded: the keyboard is US.\nPAUSE\n:KEYBDONE\n'
    yield 'IF "%CONFIG%"=="3" GOTO PROMPT\nIF "%CONFIG%"=="2" GOTO CLEAN\nREM The kernel also offers choice 0, which loads no driver: a clean start too.\nIF "%CONFIG%"=="0" GOTO CLEAN\nREM Choice 1, and any start without the boot menu (no %CONFIG%), is the normal one.\nSET MKMODE=normal\n'
    if (undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind):
        pass
        yield "REM The RAM disk must fit the XMS memory that is really free (a UEFI PC's CSM wrapper\nREM may leave DOS a few MB): the size asked for, else what the files need, else none.\nREM XMSFREE says which, and why when it is not the first.\nSET MKRAMK="
        yield str((undefined(name='ramdisk_kib') if l_0_ramdisk_kib is missing else l_0_ramdisk_kib))
        yield '\nSET MKRAMM='
        yield str((undefined(name='ramdisk_mib') if l_0_ramdisk_mib is missing else l_0_ramdisk_mib))
        yield '\nXMSFREE '
        yield str((undefined(name='ramdisk_kib') if l_0_ramdisk_kib is missing else l_0_ramdisk_kib))
        yield ' '
        yield str((undefined(name='ramdisk_least_kib') if l_0_ramdisk_least_kib is missing else l_0_ramdisk_least_kib))
        yield '\nIF ERRORLEVEL 2 GOTO NORAM\nIF ERRORLEVEL 1 SET MKRAMK='
        yield str((undefined(name='ramdisk_least_kib') if l_0_ramdisk_least_kib is missing else l_0_ramdisk_least_kib))
        yield '\nIF ERRORLEVEL 1 SET MKRAMM='
        yield str((undefined(name='ramdisk_least_mib') if l_0_ramdisk_least_mib is missing else l_0_ramdisk_least_mib))
        yield '\n'
    if ((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind) == 'SHSURDRV'):
        pass
        yield 'REM SHSURDRV returns the letter it gave the RAM disk as its exit code (1 = A:);\nREM 0 and 255 mean no RAM disk. The ladder climbs, as IF ERRORLEVEL n means n or more.\nSHSURDRV /QQ /D:%MKRAMK%K\nIF ERRORLEVEL 27 GOTO NORAM\n'
        for (l_1_number, l_1_letter) in (undefined(name='ladder') if l_0_ladder is missing else l_0_ladder):
            _loop_vars = {}
            pass
            yield 'IF ERRORLEVEL '
            yield str(l_1_number)
            yield ' SET MKRAM='
            yield str(l_1_letter)
            yield ':\n'
        l_1_number = l_1_letter = missing
    elif ((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind) == 'SRDISK'):
        pass
        yield 'REM SRDXMS.SYS was loaded by FDCONFIG.SYS; SRDISK sizes it and with /E names its\nREM letter in SRDISK1.\nSET SRDISK1=\nSRDISK %MKRAMK% /E\nIF NOT "%SRDISK1%"=="" SET MKRAM=%SRDISK1%:\n'
    elif ((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind) in ('RDISK', 'XMSDSK')):
        pass
        yield 'REM '
        yield str((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind))
        yield ' takes the letter it is given: the first one no drive uses. The\nREM RAM disk counts only when a file can be written to it.\nCALL %MKBOOT%\\FREEDOS\\WRITABLE.BAT FREE\nIF "%MKTRY%"=="" GOTO NORAM\n'
        if ((undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind) == 'RDISK'):
            pass
            yield 'RDISK /S%MKRAMM% /:%MKTRY%\n'
        else:
            pass
            yield 'XMSDSK %MKRAMK% %MKTRY%: /Y /T\n'
        yield 'WRTEST %MKTRY%:\nIF NOT ERRORLEVEL 1 SET MKRAM=%MKTRY%:\n'
    if (undefined(name='ramdisk_kind') if l_0_ramdisk_kind is missing else l_0_ramdisk_kind):
        pass
        yield 'IF "%MKRAM%"=="" GOTO NORAM\nECHO Copying the flasher, the firmware and the tools to the RAM disk %MKRAM% ...\nREM Every copy is checked against the CRC-32 mkrescue wrote down when it made this disk,\nREM before the boot disk may be taken out; it is not read a second time for that.\n'
        yield str(context.call((undefined(name='copy_and_check') if l_0_copy_and_check is missing else l_0_copy_and_check), '%MKRAM%', '%MKRAM%\\', 'BADCOPY'))
        yield 'SET MKHOME=%MKRAM%\nSET MKWDRV=%MKRAM%\nSET COMSPEC=%MKRAM%\\COMMAND.COM\nSET PATH=%MKRAM%\\FREEDOS;%MKRAM%\\FLASH\nSET TEMP=%MKRAM%\\\nSET MKWHY=The boot disk is no longer needed: take it out. Leave CD/DVD drives empty.\nGOTO START\n:BADCOPY\nSET MKWHY=The copy on the RAM disk was bad: running from the boot disk; leave it in.\nGOTO SAYWHY\n:NORAM\nSET MKWHY=No RAM disk (too little XMS memory): running from the boot disk; leave it in.\n'
    else:
        pass
        yield 'SET MKWHY=This disk has no RAM disk driver: running from the boot disk; leave it in.\n'
    yield ':SAYWHY\nECHO %MKWHY%\nPAUSE\nGOTO START\n\n:CLEAN\nSET MKMODE=clean\nREM No memory manager and no RAM disk. The flasher runs from the boot disk when it\nREM is writable (a USB stick, a floppy), so backups can go there; from a read-only\nREM CD it may be copied to a writable drive so the CD can be taken out.\nCALL %MKBOOT%\\FREEDOS\\WRITABLE.BAT\nIF "%MKDST%"=="%MKBOOT%" GOTO CLEANHOME\nIF "%MKDST%"=="" GOTO CLEANRO\nECHO The boot disk is read-only. The flasher can run from a copy in %MKDST%\\MKRESCUE,\nECHO so the boot disk can be taken out (needed to flash the drive it is in).\nCHOICE /C:NY /T:N,30 Copy it to %MKDST%\\MKRESCUE\nIF ERRORLEVEL 3 GOTO CLEANRO\nIF NOT ERRORLEVEL 2 GOTO CLEANRO\nMD %MKDST%\\MKRESCUE\n'
    yield str(context.call((undefined(name='copy_and_check') if l_0_copy_and_check is missing else l_0_copy_and_check), '%MKDST%\\MKRESCUE', '%MKDST%\\MKRESCUE', 'CLEANBAD'))
    yield 'SET MKHOME=%MKDST%\\MKRESCUE\nSET MKWDRV=%MKDST%\nSET COMSPEC=%MKDST%\\MKRESCUE\\COMMAND.COM\nSET PATH=%MKDST%\\MKRESCUE\\FREEDOS;%MKDST%\\MKRESCUE\\FLASH\nSET TEMP=%MKDST%\\MKRESCUE\nSET MKWHY=Clean start, running from %MKDST%\\MKRESCUE: the boot disk is no longer needed.\nGOTO START\n:CLEANBAD\nSET MKWHY=Clean start: the copy on %MKDST% was bad; running from the boot disk: leave it in.\nGOTO START\n:CLEANRO\nSET MKWHY=Clean start, running from the read-only boot disk: leave it in the drive.\nGOTO START\n:CLEANHOME\nSET MKWHY=Clean start (no memory manager, no RAM disk), running from the boot disk.\nSET TEMP=%MKBOOT%\\\n\n:START\nSET MKWORK=%MKHOME%\\FLASH\n:MENU\nREM The menu runs from MKHOME (the RAM disk when there is one) without CALL, so DOS\nREM never reads this file from the boot disk again.\n%MKHOME%\\FREEDOS\\MENU.BAT\n\n:PROMPT\nSET MKMODE=prompt\nSET MKWORK=%MKBOOT%\\FLASH\nSET MKWHY=DOS prompt start: running from the boot disk; leave it in.\nSET TEMP=%MKBOOT%\\\nECHO.\nECHO FreeDOS is ready. The flasher and the firmware are in %MKBOOT%\\FLASH.\nECHO Type MENU for the flash menu.\nGOTO END\n\n:NOBOOT\nECHO mkrescue: cannot tell which drive this disk booted from (the current directory\nECHO is "%CD%"). The files are in \\FREEDOS and \\FLASH of the boot drive.\n:END\n'

blocks = {}
debug_info = '3=22&4=33&5=35&6=37&7=39&8=41&9=43&10=47&13=54&19=56&33=58&34=61&38=66&39=68&40=71&42=73&44=77&48=80&50=86&53=88&63=91&67=94&68=96&69=98&71=102&72=104&74=106&79=109&80=113&82=118&88=121&89=124&93=126&101=133&106=136&141=142'