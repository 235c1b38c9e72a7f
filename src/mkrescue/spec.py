"""RescueSpec: every validated input of one build, frozen. Building it reads and checks
all inputs, so nothing is written before every input a user can get wrong was checked."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mkrescue.errors import OutputError, UsageError
from mkrescue.freedos.dosdir import DosFiles
from mkrescue.payload import PayloadFile, check_dos_program, read_input, short_name

FORMATS = ("floppy", "iso", "usb")
FLOPPY_SIZES = {"1.44": 1440, "2.88": 2880}
VOLUME_LABEL = "MKRESCUE"


@dataclass(frozen=True)
class RescueSpec:
    flasher: PayloadFile
    firmware: PayloadFile
    extras: tuple[PayloadFile, ...]
    drivers: tuple[PayloadFile, ...]
    dos: DosFiles
    output: Path
    media_format: str  # one of FORMATS
    floppy_kib: int | None  # None: the smallest floppy that fits
    force: bool
    build_time: datetime  # every timestamp on the medium (SOURCE_DATE_EPOCH when set)
    warnings: tuple[str, ...] = ()
    disk_size: int | None = None  # USB image size in bytes; None: fit the files plus room for backups
    hybrid: bool = True  # an ISO also boots when written raw to a USB stick

    @property
    def payload(self) -> tuple[PayloadFile, ...]:
        """The files that go into \\FLASH\\, in their order on the medium."""
        return (self.flasher, self.firmware, *self.extras, *self.drivers)


def format_for(output: Path, requested: str | None) -> str:
    """The output kind follows --format, else the file name."""
    if requested:
        return requested
    name = output.name.lower()
    if name.endswith(".iso"):
        return "iso"
    if name.endswith(".usb.img"):
        return "usb"
    if name.endswith((".img", ".ima")):
        return "floppy"
    raise UsageError(f"cannot tell the image kind from {output.name!r}: name it .iso, .img or .usb.img, or pass --format")


def build_time_from_env() -> datetime:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) fixes every timestamp; else now."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None:
        return datetime.fromtimestamp(int(time.time()), timezone.utc).replace(tzinfo=None)
    try:
        return datetime.fromtimestamp(int(raw), timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r} is not a Unix time in seconds: unset it or fix it") from exc


def check_output(output: Path, force: bool) -> None:
    """Refuse outputs that would destroy something: devices always, existing files without --force."""
    try:
        st = output.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot use output {output}: {exc.strerror}") from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"output {output} is a directory: give a file name such as {output / 'rescue.iso'}")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"output {output} is a device or special file: mkrescue writes image files only; write the image to the stick afterwards")
        if not force:
            raise OutputError(f"output {output} already exists: choose another name or pass --force to replace it")
    parent = output.parent
    if not parent.is_dir():
        raise OutputError(f"the folder {parent} for the output does not exist: create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"the folder {parent} is not writable: choose another output path")


def _payload(paths: list[tuple[Path, str]], taken: set[str]) -> tuple[list[PayloadFile], list[str]]:
    files, notes = [], []
    for path, what in paths:
        data = read_input(path, what)
        name = short_name(path.name, taken)
        taken.add(name)
        if name != path.name.upper():
            notes.append(f"{what} {path.name} is stored as {name} (DOS 8.3 name)")
        files.append(PayloadFile(path, name, data))
    return files, notes


def make_spec(*, flasher: Path, firmware: Path, output: Path, dos: DosFiles, extras: tuple[Path, ...] = (),
              drivers: tuple[Path, ...] = (), media_format: str | None = None, floppy_size: str | None = None,
              force: bool = False, disk_size: int | None = None, hybrid: bool = True) -> RescueSpec:
    fmt = format_for(output, media_format)
    check_output(output, force)
    taken: set[str] = set()
    inputs = [(flasher, "flasher"), (firmware, "firmware")] + [(p, "--add file") for p in extras] + [(p, "--driver") for p in drivers]
    files, notes = _payload(inputs, taken)
    warnings = notes + check_dos_program(files[0].dos_name, files[0].data, "flasher")
    n_extra = len(extras)
    return RescueSpec(
        flasher=files[0],
        firmware=files[1],
        extras=tuple(files[2 : 2 + n_extra]),
        drivers=tuple(files[2 + n_extra :]),
        dos=dos,
        output=output,
        media_format=fmt,
        floppy_kib=FLOPPY_SIZES[floppy_size] if floppy_size else None,
        force=force,
        build_time=build_time_from_env(),
        warnings=tuple(warnings),
        disk_size=disk_size,
        hybrid=hybrid,
    )
