"""RescueSpec: every validated input of one build, frozen. Building it reads and checks
all inputs, so nothing is written before every input a user can get wrong was checked."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from mkrescue import efiapp
from mkrescue.errors import InputFileError, OutputError, UsageError, os_reason
from mkrescue.firmware import check_model, firmware_warnings
from mkrescue.freedos.dosdir import DosFiles
from mkrescue.dosname import short_name
from mkrescue.fat import SECTOR
from mkrescue.media import FORMATS, usb
from mkrescue.payload import PayloadFile, check_dos_program, read_input
from mkrescue.profiles import (COMMANDS, DEFAULT_HINT, Profile, check_command, check_length, get_profile,
                               profile_for_flasher, uses_device)

FLOPPY_SIZES = {"1.44": 1440, "2.88": 2880}
VOLUME_LABEL = "MKRESCUE"
LAST_DOS_YEAR = 2107  # FAT stores the year in 7 bits from 1980
BOOT_CHOICES = (1, 2, 3)  # FDCONFIG.SYS menu: 1 normal, 2 clean, 3 DOS prompt
MAX_BOOT_TIMEOUT = 99
# A RAM disk smaller than this is not worth its XMS; larger ones must fit the PC's memory.
MIN_RAMDISK_KIB = 8 * 1024
MAX_RAMDISK_KIB = 2047 * 1024
# What the menu's own files on the RAM disk take beyond the payload and FreeDOS tools:
# the batch files, room for two backups of the firmware and for the FAT's cluster slack.
RAMDISK_SLACK_KIB = 1024


@dataclass(frozen=True)
class MenuSettings:
    """What the boot menu (FDCONFIG.SYS) and the flash menu (AUTOEXEC.BAT, MENU.BAT) need."""

    profile: str = "generic"
    identify_cmd: str | None = None  # command templates, see profiles.py
    backup_cmd: str | None = None
    flash_cmd: str | None = None
    backup_required: bool = True  # flash only after a backup in the same boot
    ramdisk_kib: int = MIN_RAMDISK_KIB
    ramdisk_least_kib: int = MIN_RAMDISK_KIB  # what the files need, for a PC with less XMS free than ramdisk_kib
    boot_default: int = 1
    boot_timeout: int = 5  # seconds; 0 = start the default at once
    flasher_dir_a: bool = False  # SUBST the flasher's folder to A:
    expect_model: str | None = None
    device_hint: str | None = None  # set when a command uses {device}: the menu asks for it
    backup_model: str | None = None  # text the menu looks for in a backup (the new firmware has it)
    no_backup_reason: str | None = None  # why the profile has no backup command


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
    build_time: datetime  # every timestamp on the medium (SOURCE_DATE_EPOCH when set)
    warnings: tuple[str, ...] = ()
    disk_size: int | None = None  # USB image size in bytes; None: fit the files plus room for backups
    hybrid: bool = True  # an ISO also boots when written raw to a USB stick
    menu: MenuSettings = MenuSettings()
    uefi_app: PayloadFile | None = None  # a CSM wrapper for UEFI-only PCs, booted from an EFI System Partition
    force: bool = False  # replace an existing output

    @property
    def payload(self) -> tuple[PayloadFile, ...]:
        """The files that go into \\FLASH\\, in their order on the medium."""
        return (self.flasher, self.firmware, *self.extras, *self.drivers)


def format_for(output: Path, requested: str | None) -> str:
    """The output kind follows --format, else the file name."""
    if requested:
        if requested not in FORMATS:
            raise UsageError(f"unknown image kind {requested!r}: use one of {', '.join(FORMATS)}")
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
        moment = datetime.fromtimestamp(int(raw), timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a Unix time in seconds: unset it or fix it") from exc
    if moment.year < 1970:
        raise UsageError(f"SOURCE_DATE_EPOCH={raw} is before 1970: a Unix time is not negative; unset it or fix it")
    if moment.year > LAST_DOS_YEAR:
        raise UsageError(f"SOURCE_DATE_EPOCH={raw} is in {moment.year}; DOS dates end in {LAST_DOS_YEAR}: unset it or fix it")
    return moment


def check_output(output: Path, force: bool) -> None:
    """Refuse outputs that would destroy something: devices always, existing files without --force
    (a symlink, even a dangling one, counts as existing)."""
    try:
        is_link = output.is_symlink()
        st = output.stat() if not is_link or output.exists() else None
    except FileNotFoundError:
        is_link, st = False, None
    except OSError as exc:
        raise OutputError(f"cannot use output {output}: {os_reason(exc)}") from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"output {output} is a directory: give a file name such as {output / 'rescue.iso'}")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"output {output} is a device or special file: mkrescue writes image files only; write the image to the stick afterwards")
    if (st is not None or is_link) and not force:
        raise OutputError(f"output {output} already exists: choose another name or pass --force to replace it")
    parent = output.parent
    if not parent.is_dir():
        raise OutputError(f"the folder {parent} for the output does not exist: create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"the folder {parent} is not writable: choose another output path")


def check_not_an_input(output: Path, inputs: Iterable[tuple[Path, str]]) -> None:
    """Refuse an output that is, or links to, an input file: --force or not, replacing it
    would destroy the input."""
    try:
        out = output.stat()
    except OSError:
        return  # nothing there (or nothing readable): no input can be it
    for path, what in inputs:
        with contextlib.suppress(OSError):
            if os.path.samestat(out, path.stat()):
                raise OutputError(f"output {output} is the {what} {path}: writing the image there would destroy it;"
                                  " choose another output name")


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


def make_spec(*, flasher: Path, firmware: Path, output: Path, obtain_dos: Callable[[], DosFiles], extras: tuple[Path, ...] = (),
              drivers: tuple[Path, ...] = (), media_format: str | None = None, floppy_size: str | None = None,
              force: bool = False, disk_size: str | None = None, hybrid: bool = True,
              profile: str | None = None, identify_cmd: str | None = None, backup_cmd: str | None = None,
              flash_cmd: str | None = None, ramdisk_size: str | None = None, expect_model: str | None = None,
              backup_required: bool = True, boot_default: int = 1, boot_timeout: int = 5,
              flasher_dir_a: bool = False, uefi_app: Path | None = None) -> RescueSpec:
    """Check every input; `obtain_dos` (which may download FreeDOS) runs only once the
    user's own inputs passed, so a typo is reported at once, not after a download."""
    fmt = format_for(output, media_format)
    if disk_size is not None and fmt != "usb":
        raise UsageError("--size sets the size of a USB image; a CD or floppy image is as big as its files need")
    if floppy_size is not None and fmt == "usb":
        raise UsageError("--floppy-size is for floppy and CD images; a USB image takes --size")
    if uefi_app is not None and fmt == "floppy":
        raise UsageError("--uefi-app is for USB images and CDs: UEFI-only PCs cannot boot a floppy; build -o rescue.usb.img or rescue.iso")
    check_output(output, force)
    size_bytes, size_notes = _disk_size(disk_size)
    taken: set[str] = set()
    inputs = [(flasher, "flasher"), (firmware, "firmware")] + [(p, "--add file") for p in extras] + [(p, "--driver") for p in drivers]
    check_not_an_input(output, inputs + ([(uefi_app, "--uefi-app")] if uefi_app is not None else []))
    app = read_uefi_app(uefi_app) if uefi_app is not None else None
    files, notes = _payload(inputs, taken)
    warnings = size_notes + notes + check_dos_program(files[0].dos_name, files[0].data, "flasher")
    if expect_model is not None:
        expect_model = check_model(files[1].dos_name, files[1].data, expect_model)
    warnings += firmware_warnings(files[1].dos_name, files[1].data)
    dos = obtain_dos()
    check_not_an_input(output, ((path, "FreeDOS file") for path in dos.sources))
    menu, menu_notes = _menu_settings(
        files, dos, profile=profile, commands={"identify": identify_cmd, "backup": backup_cmd, "flash": flash_cmd},
        ramdisk_size=ramdisk_size, expect_model=expect_model, backup_required=backup_required,
        boot_default=boot_default, boot_timeout=boot_timeout, flasher_dir_a=flasher_dir_a,
    )
    warnings += menu_notes
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
        build_time=build_time_from_env(),
        warnings=tuple(warnings),
        disk_size=size_bytes,
        hybrid=hybrid,
        menu=menu,
        uefi_app=app,
        force=force,
    )


def read_uefi_app(path: Path) -> PayloadFile:
    """The CSM wrapper, refused in one line unless it is an x86-64 EFI application."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_input says what is wrong with the path
    if size > efiapp.MAX_SIZE:  # checked before reading: a wrong path may name a huge file
        raise InputFileError(f"--uefi-app {path} has {size} bytes, more than an EFI boot application needs: give the CSM wrapper's .efi file")
    data = read_input(path, "--uefi-app")
    why = efiapp.problem(data)
    if why:
        raise InputFileError(f"--uefi-app {path} is not an x86-64 EFI application ({why}): give the CSM wrapper's .efi file, e.g. CSMWrap's")
    return PayloadFile(path, efiapp.BOOT_NAME, data)


def _disk_size(text: str | None) -> tuple[int | None, list[str]]:
    """--size in bytes, rounded down to whole cylinders (never more than asked), with a note when rounded."""
    if text is None:
        return None, []
    asked = parse_size(text, "--size")
    size = usb.whole_cylinders(asked, text) * usb.CYLINDER * SECTOR
    if size == asked:
        return size, []
    return size, [f"--size {text}: the image is {size} bytes ({size / usb.MIB:.1f} MiB), rounded down to whole"
                  f" cylinders of {usb.HEADS} heads x {usb.SECTORS_PER_TRACK} sectors so it fits what was asked"]


_SIZE = re.compile(r"\s*([0-9]+)\s*([KMG]?)(?:I?B)?\s*", re.IGNORECASE)
MAX_SIZE_DIGITS = 15  # far beyond any size; more would only make int() slow or refuse
_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str, option: str, bare_unit: int = 1) -> int:
    """'64M', '1G', '512MiB', '16384K' -> bytes; a bare number counts in `bare_unit` bytes."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise UsageError(f"{option} {text[:40]!r} is not a size: write it like 16M or 1G")
    if len(match.group(1).lstrip("0")) > MAX_SIZE_DIGITS:
        raise UsageError(f"{option} {text[:20]}... has {len(match.group(1))} digits: far too big; write it like 16M or 1G")
    return int(match.group(1)) * _UNITS.get(match.group(2).upper(), bare_unit)


def ramdisk_needs_kib(files: list[PayloadFile], dos: DosFiles) -> int:
    """Room on the RAM disk for everything AUTOEXEC.BAT copies there plus two firmware backups."""
    copied = [f.size for f in files] + [len(dos.shell.data)] + [len(t.data) for t in dos.programs]
    cluster = 4096  # every file rounds up to whole clusters
    used = sum(-(-size // cluster) * cluster for size in copied) + 2 * files[1].size
    return -(-used // 1024) + RAMDISK_SLACK_KIB


def _menu_settings(files: list[PayloadFile], dos: DosFiles, *, profile: str | None, commands: dict[str, str | None],
                   ramdisk_size: str | None, expect_model: str | None, backup_required: bool, boot_default: int,
                   boot_timeout: int, flasher_dir_a: bool) -> tuple[MenuSettings, list[str]]:
    chosen = get_profile(profile) if profile else profile_for_flasher(files[0].dos_name, files[0].source.name)
    notes = _profile_notes(chosen, files, picked=profile is None)
    resolved = {}
    for kind, given in commands.items():
        if given is not None:
            resolved[kind] = check_command(kind, given, f"--{kind}-cmd")
        else:
            resolved[kind] = chosen.command(kind)
        if resolved[kind]:
            check_length(kind, resolved[kind], files[0].dos_name, files[1].dos_name, f"the {kind} command")
    no_backup_reason = chosen.no_backup_reason if resolved["backup"] is None else None
    if resolved["flash"] is None:
        notes.append("no flash command (--flash-cmd or --profile): the menu cannot flash; the user runs the flasher at its DOS prompt")
    elif backup_required and resolved["backup"] is None:
        why = f"the {chosen.name} profile has no backup command ({no_backup_reason})" if no_backup_reason else "there is no backup command"
        raise UsageError(f"flashing needs a backup first, but {why}: give --backup-cmd, or pass --no-backup-required")
    device_hint = None
    if any(uses_device(resolved[kind]) for kind in COMMANDS):
        device_hint = chosen.device_hint or DEFAULT_HINT
    backup_model = expect_model
    if backup_model is None and chosen.model_pattern and resolved["backup"]:
        if chosen.model_pattern.encode("ascii") in files[1].data:
            backup_model = chosen.model_pattern
        else:
            notes.append(f"firmware {files[1].dos_name} does not contain {chosen.model_pattern!r}, which the {chosen.name} profile "
                         "expects in such firmware: the menu will not compare the backup's model; check the file, or "
                         "name the model with --expect-model")
    if boot_default not in BOOT_CHOICES:
        raise UsageError(f"--boot-default {boot_default} is not an entry of the boot menu: use 1 (normal), 2 (clean) or 3 (DOS prompt)")
    if not 0 <= boot_timeout <= MAX_BOOT_TIMEOUT:
        raise UsageError(f"--boot-timeout {boot_timeout} is out of range: give 0 to {MAX_BOOT_TIMEOUT} seconds")
    least = -(-ramdisk_needs_kib(files, dos) // 1024) * 1024
    needed = max(MIN_RAMDISK_KIB, least)
    ramdisk_kib = needed
    if ramdisk_size is not None:
        ramdisk_kib = parse_size(ramdisk_size, "--ramdisk-size", bare_unit=1024) // 1024  # a bare number is KiB, as for DOS drivers
        if ramdisk_kib < needed:
            raise UsageError(f"--ramdisk-size {ramdisk_size} is too small: the files and two backups need {needed // 1024}M; give at least that")
        if ramdisk_kib > MAX_RAMDISK_KIB:
            raise UsageError(f"--ramdisk-size {ramdisk_size} is too big: DOS RAM disks go up to {MAX_RAMDISK_KIB // 1024}M")
    if dos.ramdisk_kind is None:
        notes.append("no RAM disk driver in the FreeDOS files: the menu will run from the boot medium, which must stay in the drive")
    flasher_dir_a = flasher_dir_a or chosen.flasher_dir_a
    settings = MenuSettings(
        profile=chosen.name, identify_cmd=resolved["identify"], backup_cmd=resolved["backup"], flash_cmd=resolved["flash"],
        backup_required=backup_required, ramdisk_kib=ramdisk_kib, ramdisk_least_kib=least, boot_default=boot_default, boot_timeout=boot_timeout,
        flasher_dir_a=flasher_dir_a, expect_model=expect_model, device_hint=device_hint, backup_model=backup_model,
        no_backup_reason=no_backup_reason,
    )
    return settings, notes


def _profile_notes(chosen: Profile, files: list[PayloadFile], picked: bool) -> list[str]:
    """Which profile the build uses and where its syntax comes from; the companion files
    the flasher needs that are not on the medium."""
    flasher = files[0].dos_name
    notes = []
    if chosen.flashers or not picked:
        how = "chosen by its name" if picked else "chosen with --profile"
        notes.append(f"flasher {flasher} uses the {chosen.name} profile ({how}): {chosen.description}; "
                     f"syntax from {chosen.source}" + ("; --profile picks another" if picked else ""))
    present = {f.dos_name for f in files}
    for companion in chosen.companions:
        if companion not in present:
            option = "--driver" if companion.endswith(".SYS") else "--add"
            notes.append(f"{flasher} needs {companion} beside it ({chosen.name} profile), and it is not on the medium: "
                         f"add it with {option} PATH/{companion}")
    return notes
