"""The files FDCONFIG.SYS and batch files (AUTOEXEC.BAT) name: the drivers and shell
the kernel loads, the programs a batch file runs, the files it copies or types.

Only what must exist when the line runs is collected: a program's arguments are left
alone (a flasher's backup file does not exist yet), so are paths tested with IF EXIST.
A program given without a path is found through PATH at run time and is not collected."""

from __future__ import annotations

import re
from dataclasses import dataclass

# FDCONFIG.SYS directives whose value starts with a file to load.
CONFIG_LOADS = {"DEVICE", "DEVICEHIGH", "INSTALL", "INSTALLHIGH", "SHELL", "SHELLHIGH"}
# Built-in commands whose arguments are files read: every argument but a COPY's target.
READS_ARGUMENTS = {"TYPE"}
COPIES = {"COPY", "XCOPY"}
# External programs whose first argument is a file they load.
LOADERS = {"DEVLOAD"}

_MENU_PREFIX = re.compile(r"^(?:\d*\?|!)+")  # "123?" menu choices, "!" never ask
_REDIRECTION = re.compile(r"\d?>>?\s*\S+|<\s*\S+")
_IF = re.compile(r"IF\s+(?:/I\s+)?(?:NOT\s+)?", re.I)
_IF_TEST = re.compile(r"(?:ERRORLEVEL|EXIST)\s+\S+\s+", re.I)
_PREFIXES = [
    re.compile(r"FOR\s+%%?\w\s+IN\s*\(.*?\)\s*DO\s+(.*)", re.I),
    re.compile(r"(?:CALL|LH|LOADHIGH)\s+(.*)", re.I),
]
_DRIVE_ONLY = re.compile(r"^[A-Z]:$|^%\w+%:?$", re.I)


@dataclass(frozen=True)
class Reference:
    file: str  # the file that names it: "FDCONFIG.SYS"
    line: int
    path: str  # as written, upper case: "\FREEDOS\HIMEMX.EXE", "%RAMDRV%\CHOICE", "\FLASH\*.*"
    program: bool  # run as a program, so .COM, .EXE or .BAT may be left out

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


def config_references(text: str, file: str = "FDCONFIG.SYS") -> list[Reference]:
    refs = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = _MENU_PREFIX.sub("", raw.strip())
        key, equals, value = line.partition("=")
        words = key.split()
        if not equals or not words or words[0].rstrip("?").upper() not in CONFIG_LOADS:
            continue
        tokens = [t for t in value.split() if not t.startswith("/")]
        if tokens:
            refs.append(Reference(file, number, _clean(tokens[0]), False))
        if words[0].rstrip("?").upper().startswith("SHELL"):
            # FreeCOM's /P=FILE runs FILE instead of AUTOEXEC.BAT.
            refs += [Reference(file, number, _clean(t[3:]), False) for t in value.split() if t.upper().startswith("/P=") and len(t) > 3]
    return refs


def batch_references(text: str, file: str = "AUTOEXEC.BAT") -> list[Reference]:
    refs = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("@").strip()
        if not line or line.startswith(":") or re.match(r"REM(\s|$)", line, re.I):
            continue
        for command in _REDIRECTION.sub(" ", line).split("|"):
            refs += [Reference(file, number, path, program) for path, program in _command_files(command.strip())]
    return refs


def _command_files(command: str) -> list[tuple[str, bool]]:
    """(path, is a program) of the files one command needs."""
    for _ in range(8):  # IF ... IF ... CALL ...: a few prefixes at most
        after = _after_if(command)
        if after is None:
            match = next((m for m in (p.fullmatch(command) for p in _PREFIXES) if m), None)
            if match is None:
                break
            after = match.group(1)
        command = after.strip()
    tokens = command.split()
    if not tokens:
        return []
    name, *args = tokens
    program, _, glued = name.partition("/")  # CHOICE/C:12 is CHOICE /C:12
    if glued:
        args.insert(0, "/" + glued)
    operands = [_clean(a) for a in args if not a.startswith("/")]
    word = program.upper()
    if word in COPIES:
        sources = operands[:-1] if len(operands) > 1 else operands
        return [(part, False) for source in sources for part in source.split("+") if part]
    if word in READS_ARGUMENTS:
        return [(operand, False) for operand in operands]
    if "\\" not in program and ":" not in program or _DRIVE_ONLY.match(program):
        return []  # a built-in, a program found through PATH, or a change of drive
    found = [(_clean(program), True)]
    if _stem(program) in LOADERS and operands:
        found.append((operands[0], False))
    return found


def _after_if(command: str) -> str | None:
    """The command an IF runs, or None when `command` is not an IF. Parsed by hand, in one
    pass: a regex for `a==b` backtracks quadratically on a long run of '='."""
    start = _IF.match(command)
    if start is None:
        return None
    rest = command[start.end():]
    test = _IF_TEST.match(rest)
    if test is not None:
        return rest[test.end():]
    left, equals, right = rest.partition("==")
    if not equals or len(left.split()) > 1:
        return None
    right = right.lstrip()
    compared = len(right.split(None, 1)[0]) if right.strip() else 0
    command = right[compared:]
    return command if command[:1].isspace() else None


def _stem(path: str) -> str:
    return path.rsplit("\\", 1)[-1].split(".", 1)[0].upper()


def _clean(token: str) -> str:
    return token.strip('"').upper()
