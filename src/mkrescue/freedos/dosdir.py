"""Find the FreeDOS files a rescue medium needs in a directory: a user's --dos-dir
(an installed FreeDOS, a FreeDOS CD, a boot floppy's files) or the directory that
provisioning assembles in the cache. Users' copies differ in vintage and layout, so
each role accepts the common alternatives and the first one present wins."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from mkrescue.dosname import short_name
from mkrescue.errors import DosFilesError, os_reason
from mkrescue.freedos.extract import MAX_MEMBER_BYTES

# Subdirectories that FreeDOS installs, CDs and boot disks put programs in.
SEARCH_DIRS = (".", "BIN", "FREEDOS/BIN", "FDOS/BIN", "DOS")
KERNEL_NAMES = ("KERNEL.SYS", "KERNL386.SYS", "KERNL86.SYS")
SHELL_NAMES = ("COMMAND.COM",)
CHOICE_NAMES = ("CHOICE.EXE", "CHOICE.COM")
XMS_NAMES = ("HIMEMX.EXE", "XMGR.SYS", "HIMEM.EXE", "HIMEM.SYS")


class RamDisk(StrEnum):
    """The RAM disk drivers the generated files know how to use (AUTOEXEC.BAT tells them apart)."""

    SHSURDRV = "SHSURDRV"
    RDISK = "RDISK"
    SRDISK = "SRDISK"
    XMSDSK = "XMSDSK"


# Each RAM disk driver with the files it needs; the order is the order of preference.
RAMDISK_DRIVERS = {
    RamDisk.SHSURDRV: ("SHSURDRV.EXE",),
    RamDisk.RDISK: ("RDISK.COM",),
    RamDisk.SRDISK: ("SRDISK.EXE", "SRDXMS.SYS"),
    RamDisk.XMSDSK: ("XMSDSK.EXE",),
}
# Tools copied along when present: they make the DOS prompt useful on the target PC.
OPTIONAL_TOOLS = ("MEM.EXE", "EDIT.EXE", "FIND.COM", "MORE.EXE", "SUBST.EXE", "SUBST.COM", "SWSUBST.EXE")
# The boot sector loads the kernel below its own relocated copy; FreeDOS kernels are far smaller.
MAX_KERNEL_SIZE = 128 * 1024
LICENSE_PREFIXES = ("COPYING", "LICENSE", "LICENCE")


@dataclass(frozen=True)
class DosFile:
    name: str  # 8.3 name on the medium
    data: bytes
    source: Path | None = None  # the file it was read from


@dataclass(frozen=True)
class DosFiles:
    """The FreeDOS files of one build, read into memory (they are small)."""

    kernel: DosFile  # named KERNEL.SYS on the medium, whatever its name in the source
    shell: DosFile
    choice: DosFile
    xms: DosFile | None
    ramdisk_kind: RamDisk | None
    ramdisk: tuple[DosFile, ...]
    tools: tuple[DosFile, ...]
    licenses: tuple[DosFile, ...]

    @property
    def programs(self) -> tuple[DosFile, ...]:
        """What goes into \\FREEDOS (and onto the RAM disk) besides the kernel and the shell."""
        return (self.choice, *((self.xms,) if self.xms else ()), *self.ramdisk, *self.tools)

    @property
    def sources(self) -> tuple[Path, ...]:
        """The files these were read from (an output must never replace one)."""
        every = (self.kernel, self.shell, *self.programs, *self.licenses)
        return tuple(f.source for f in every if f.source is not None)


class _Index:
    """Case-insensitive lookup of file names in the search directories of one root."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, Path] = {}
        for sub in SEARCH_DIRS:
            for directory in _case_insensitive_dirs(root, sub):
                for entry in sorted(directory.iterdir()):
                    if entry.is_file():
                        self.files.setdefault(entry.name.upper(), entry)

    def first(self, names: tuple[str, ...]) -> Path | None:
        return next((self.files[n] for n in names if n in self.files), None)


def _case_insensitive_dirs(root: Path, relative: str) -> list[Path]:
    current = [root]
    for part in Path(relative).parts:
        if part == ".":
            continue
        current = [c for d in current if d.is_dir() for c in sorted(d.iterdir()) if c.is_dir() and c.name.upper() == part]
    return [d for d in current if d.is_dir()]


def check_dos_file(label: str, name: str, size: int, advice: str = "use another --dos-dir") -> None:
    """The size rules every FreeDOS file obeys, wherever it comes from (a --dos-dir, a package)."""
    if not size:
        raise DosFilesError(f"{label} is empty: the FreeDOS copy is damaged; {advice}")
    if name == "KERNEL.SYS" and size > MAX_KERNEL_SIZE:
        raise DosFilesError(f"{label} is {size} bytes, more than a FreeDOS kernel can be (128 KiB): {advice}"
                            " (KERNL386.SYS or KERNL86.SYS from the FreeDOS kernel package)")
    if size > MAX_MEMBER_BYTES:
        raise DosFilesError(f"{label} is {size} bytes, far more than a FreeDOS program: it is not one; {advice}")


def _read(path: Path, name: str | None = None) -> DosFile:
    name = name or path.name.upper()
    with path.open("rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DosFilesError(f"{path} is not a regular file: put the FreeDOS file itself in --dos-dir")
        check_dos_file(str(path), name, info.st_size)  # before reading: a huge file is never read
        data = file.read(info.st_size + 1)  # not the limit: read(n) reserves n bytes first
    if len(data) != info.st_size:
        raise DosFilesError(f"{path} changed while it was read: run again once it is complete")
    return DosFile(name, data, path)


def _licenses(root: Path) -> tuple[DosFile, ...]:
    """Licence texts, under 8.3 names: a user's folder may name them anything."""
    found: dict[str, DosFile] = {}

    def add(entry: Path, host_name: str) -> None:
        if host_name.upper() not in found:
            name = short_name(host_name, set(found))
            found[name] = _read(entry, name)

    for directory in _case_insensitive_dirs(root, "LICENSES"):
        for entry in sorted(directory.iterdir()):
            if entry.is_file() and entry.stat().st_size:
                add(entry, entry.name)
    # An installed FreeDOS keeps each package's licence in DOC\<PKG>\COPYING or LICENSE.
    for doc in _case_insensitive_dirs(root, "DOC"):
        for package in sorted(p for p in doc.iterdir() if p.is_dir()):
            for entry in sorted(package.iterdir()):
                if entry.is_file() and entry.name.upper().startswith(LICENSE_PREFIXES) and entry.stat().st_size:
                    add(entry, f"{package.name}.TXT")
                    break
    return tuple(found.values())


def locate(root: Path) -> DosFiles:
    """Read the FreeDOS files of a directory; a missing required file is one clear error naming it."""
    try:
        return _locate(root)
    except OSError as exc:  # an unreadable file or folder, a name too long for the system
        raise DosFilesError(f"cannot read {exc.filename or root} ({os_reason(exc)}): make it readable,"
                            " or use another --dos-dir") from exc


def _locate(root: Path) -> DosFiles:
    if not root.is_dir():
        raise DosFilesError(f"--dos-dir {root} is not a directory: give the folder that holds KERNEL.SYS and COMMAND.COM")
    index = _Index(root)
    required = {"kernel": KERNEL_NAMES, "shell": SHELL_NAMES, "choice": CHOICE_NAMES}
    found = {role: index.first(names) for role, names in required.items()}
    missing = [" or ".join(required[role]) for role, path in found.items() if path is None]
    if missing:
        raise DosFilesError(
            f"{root} lacks {', '.join(missing)}: point --dos-dir at a FreeDOS folder that has them (also searched: BIN, FREEDOS\\BIN)"
        )
    kernel = _read(found["kernel"], "KERNEL.SYS")
    xms_path = index.first(XMS_NAMES)
    ramdisk_kind, ramdisk_files = None, ()
    for kind, names in RAMDISK_DRIVERS.items():
        paths = [index.first((n,)) for n in names]
        if all(paths):
            ramdisk_kind, ramdisk_files = kind, tuple(_read(p) for p in paths)
            break
    tools = tuple(_read(p) for n in OPTIONAL_TOOLS if (p := index.first((n,))))
    return DosFiles(
        kernel=kernel,
        shell=_read(found["shell"]),
        choice=_read(found["choice"]),
        xms=_read(xms_path) if xms_path else None,
        ramdisk_kind=ramdisk_kind,
        ramdisk=ramdisk_files,
        tools=tools,
        licenses=_licenses(root),
    )
