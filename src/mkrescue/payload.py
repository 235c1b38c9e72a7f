"""DOS rules for the user's files: executable detection, reading them; their 8.3 names come from dosname."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mkrescue.errors import InputFileError, os_reason

EXECUTABLE_EXTENSIONS = (".EXE", ".COM", ".BAT")
# Flashers, firmware images and DOS drivers are far smaller; a larger file is the wrong file,
# and is refused before it is read into memory.
MAX_INPUT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class PayloadFile:
    """A user file as it goes onto the medium."""

    source: Path
    dos_name: str  # 8.3, upper case
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @cached_property
    def sha256(self) -> str:  # asked for by the menu, README.TXT and the last line printed
        return hashlib.sha256(self.data).hexdigest()


def read_input(path: Path, what: str) -> bytes:
    """Read a user's input file, refusing the mistakes a user can make with one clear line."""
    try:
        info = path.stat()  # the kind and size first: a FIFO would block, a huge file is never read
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(f"{what} {path} is a directory: give the file itself")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{what} {path} is not a regular file: copy it to a file first")
        if info.st_size > MAX_INPUT_BYTES:
            raise InputFileError(f"{what} {path} is {info.st_size} bytes, more than the {MAX_INPUT_BYTES // 2**20} MiB"
                                 " a file on a DOS rescue medium may have: give the right file")
        with path.open("rb") as file:
            data = file.read(info.st_size + 1)  # not MAX_INPUT_BYTES: read(n) reserves n bytes first
    except FileNotFoundError:
        raise InputFileError(f"{what} {path} does not exist: check the path") from None
    except OSError as exc:
        raise InputFileError(f"{what} {path} cannot be read ({os_reason(exc)}): check the name and its permissions") from exc
    if len(data) != info.st_size:
        raise InputFileError(f"{what} {path} changed while it was read: run again once it is complete")
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
