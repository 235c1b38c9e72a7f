from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'DEVICE.BAT.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_version = resolve('version')
    l_0_device_hint = resolve('device_hint')
    pass
    yield '@ECHO OFF\nREM \\FREEDOS\\DEVICE.BAT written by mkrescue '
    yield str((undefined(name='version') if l_0_version is missing else l_0_version))
    yield ": asks for the device the flasher's\nREM commands act on and keeps it in MKDEV. ASKDEV takes only letters, digits and . : -\nREM (16 at most) and sets MKDEV in this shell's environment: FreeCOM has no SET /P.\nSET MKOLD=%MKDEV%\nECHO.\nECHO  Device ("
    yield str((undefined(name='device_hint') if l_0_device_hint is missing else l_0_device_hint))
    yield ')\nECHO  Type it and press Enter. Letters, digits and . : - only; Esc: no change.\nASKDEV MKDEV\nIF ERRORLEVEL 2 GOTO FULL\nREM Esc or an empty line (1): MKDEV stays as it was.\nIF ERRORLEVEL 1 GOTO END\nECHO  Device: %MKDEV%\nIF "%MKOLD%"=="" GOTO END\nIF "%MKOLD%"=="%MKDEV%" GOTO END\nIF "%MKBAK%"=="" GOTO END\nECHO  The backup %MKBAK% is of device %MKOLD%;\nECHO  back up %MKDEV% before flashing it.\nPAUSE\nGOTO END\n:FULL\nECHO  The device could not be kept: DOS\'s environment is full. Nothing was changed.\nPAUSE\nGOTO END\n:END\nSET MKOLD=\n'

blocks = {}
debug_info = '2=14&7=16'