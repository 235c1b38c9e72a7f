from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'WRITABLE.BAT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_probe_letters = resolve('probe_letters')
    l_0_free_letters = resolve('free_letters')
    pass
    yield '@ECHO OFF\nREM \\FREEDOS\\WRITABLE.BAT written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ': sets MKDST to the first\nREM drive a file can be written to, or to nothing. The boot drive comes first (a USB\nREM stick or a floppy), then A:, then C: to Z:. B: is left out: on a PC with one\nREM floppy drive it is a phantom of A: and DOS would stop to ask for a disk. The RAM\nREM disk and a drive mapped by SUBST are left out: a backup there dies at reboot; so\nREM is a read-only boot disk (MKRO).\nREM WRTEST writes and deletes a test file, quietly, failing empty drives by itself.\nREM "WRITABLE FREE" instead sets MKTRY to the first letter (without colon) that no\nREM drive uses, for a RAM disk driver that must be given its letter.\nIF "%1"=="TRY" GOTO TRY\nIF "%1"=="FREE" GOTO FREE\nIF "%1"=="FREELTR" GOTO FREELTR\nSET MKDST=\n'
    for l_1_group in (undefined(name='probe_letters') if l_0_probe_letters is missing else l_0_probe_letters):
        _loop_vars = {}
        pass
        yield 'FOR %%D IN ('
        yield str(l_1_group)
        yield ') DO CALL %MKHOME%\\FREEDOS\\WRITABLE.BAT TRY %%D\n'
    l_1_group = missing
    yield 'GOTO END\n:TRY\nIF NOT "%MKDST%"=="" GOTO END\nIF "%2"=="%MKRAM%" GOTO END\nIF "%2"=="%MKSUBST%" GOTO END\nIF "%2"=="%MKRO%" GOTO END\nWRTEST %2\nIF ERRORLEVEL 1 GOTO END\nSET MKDST=%2\nGOTO END\n:FREE\nSET MKTRY=\nFOR %%D IN ('
    yield str((undefined(name='free_letters') if l_0_free_letters is missing else l_0_free_letters))
    yield ') DO CALL %MKHOME%\\FREEDOS\\WRITABLE.BAT FREELTR %%D\nGOTO END\n:FREELTR\nIF NOT "%MKTRY%"=="" GOTO END\nWRTEST %2:\nIF ERRORLEVEL 2 SET MKTRY=%2\n:END\n'

blocks = {}
debug_info = '2=15&15=17&16=21&30=25'