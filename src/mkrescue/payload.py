"""DOS rules for the user's files: executable detection, reading them; their 8.3 names come from dosname."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from mkrescue.errors import InputFileError

EXECUTABLE_EXTENSIONS = (".EXE", ".COM", ".BAT")


@dataclass(frozen=True)
class PayloadFile:
    """A user file as it goes onto the medium."""

    source: Path
    dos_name: str  # 8.3, upper case
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_input(path: Path, what: str) -> bytes:
    """Read a user's input file, refusing the mistakes a user can make with one clear line."""
    if not path.exists():
        raise InputFileError(f"{what} {path} does not exist: check the path")
    if path.is_dir():
        raise InputFileError(f"{what} {path} is a directory: give the file itself")
    if not path.is_file():
        raise InputFileError(f"{what} {path} is not a regular file: copy it to a file first")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{what} {path} cannot be read ({exc.strerror}): check its permissions") from exc
    if not data:
        raise InputFileError(f"{what} {path} is empty: it was probably not downloaded or copied completely")
    return data


def check_dos_program(name: str, data: bytes, what: str) -> list[str]:
    """A flasher must be something DOS can run: refuse what surely is not, return warnings for
    what probably is not (a Windows PE file runs in DOS only under a DOS extender such as HX)."""
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in EXECUTABLE_EXTENSIONS:
        raise InputFileError(f"{what} {name} is not a DOS program (.EXE, .COM or .BAT): give the DOS flasher")
    if data[:4] == b"\x7fELF":
        raise InputFileError(f"{what} {name} is a Linux program, not a DOS one: give the DOS flasher")
    if ext == ".EXE" and data[:2] not in (b"MZ", b"ZM"):
        raise InputFileError(f"{what} {name} has no DOS EXE header (MZ): the file is damaged or not a DOS program")
    if ext == ".COM" and len(data) > 0xFF00 and data[:2] not in (b"MZ", b"ZM"):
        raise InputFileError(f"{what} {name} is too big for a DOS .COM program ({len(data)} bytes): the file is not a DOS program")
    if data[:2] in (b"MZ", b"ZM") and _is_windows_pe(data):
        return [f"{what} {name} looks like a Windows program; it runs in DOS only if it carries a DOS extender"]
    return []


def _is_windows_pe(data: bytes) -> bool:
    """True for PE (Windows) executables: their DOS stub only prints 'This program cannot be run in DOS mode'."""
    if len(data) < 0x40:
        return False
    pe_offset = int.from_bytes(data[0x3C:0x40], "little")
    return 0x40 <= pe_offset <= len(data) - 4 and data[pe_offset : pe_offset + 4] == b"PE\0\0"
