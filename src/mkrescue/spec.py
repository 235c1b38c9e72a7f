"""A build's inputs: BuildOptions, as the command line gives them, and RescueSpec, every
input validated, frozen. make_spec turns the one into the other; it reads and checks all
inputs, so nothing is written before every input a user can get wrong was checked.

Adding a build option: a field in BuildOptions (the command line's option of the same
name fills it), its check in make_spec, and the field in RescueSpec or MenuSettings that
the later layers read."""

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
from mkrescue.errors import InputFileError, KeyboardFilesMissing, MkrescueError, OutputError, UsageError, os_reason
from mkrescue.firmware import check_model, firmware_warnings
from mkrescue.freedos import DEFAULT_RELEASE
from mkrescue.freedos.dosdir import DosFiles
from mkrescue.keyboards import LAYOUTS, US, Layout, default_layout, get_layout, packages_for
from mkrescue.dosname import short_name
from mkrescue.fat import SECTOR
from mkrescue.media import MediaFormat, usb
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
class BuildOptions:
    """A build as the user asked for it, not yet checked: `mkrescue build`'s options, each
    field named as the option's parameter. Files are paths; sizes and kinds are as typed."""

    flasher: Path
    firmware: Path
    output: Path
    extras: tuple[Path, ...] = ()  # --add
    drivers: tuple[Path, ...] = ()  # --driver
    media_format: str | None = None  # --format; None: from the output's name
    floppy_size: str | None = None  # "1.44" or "2.88"; None: the smallest that fits
    hybrid: bool = True
    disk_size: str | None = None  # --size, e.g. "64M"
    force: bool = False
    # Where FreeDOS comes from (see freedos.obtain_dos_files).
    dos_dir: Path | None = None
    release: str = DEFAULT_RELEASE  # --freedos
    cache_dir: Path | None = None
    mirror: str | None = None
    packages_dir: Path | None = None
    offline: bool = False
    # The menus.
    profile: str | None = None
    identify_cmd: str | None = None
    backup_cmd: str | None = None
    flash_cmd: str | None = None
    backup_required: bool = True
    expect_model: str | None = None
    ramdisk_size: str | None = None  # e.g. "16M"; a bare number is KiB
    boot_default: int = 1
    boot_timeout: int = 5
    flasher_dir_a: bool = False
    uefi_app: Path | None = None  # a CSM wrapper EFI application for UEFI-only PCs
    keyboard: str | None = None  # a KEYB layout id; None: the build machine's locale's, else US


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
    keyboard: Layout = LAYOUTS[US]  # loaded by AUTOEXEC.BAT before any menu


@dataclass(frozen=True)
class RescueSpec:
    flasher: PayloadFile
    firmware: PayloadFile
    extras: tuple[PayloadFile, ...]
    drivers: tuple[PayloadFile, ...]
    dos: DosFiles
    output: Path
    media_format: MediaFormat
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


def format_for(output: Path, requested: str | None) -> MediaFormat:
    """The output kind follows --format, else the file name."""
    if requested:
        try:
            return MediaFormat(requested)
        except ValueError:
            raise UsageError(f"unknown image kind {requested!r}: use one of {', '.join(MediaFormat)}") from None
    name = output.name.lower()
    if name.endswith(".iso"):
        return MediaFormat.ISO
    if name.endswith(".usb.img"):
        return MediaFormat.USB
    if name.endswith((".img", ".ima")):
        return MediaFormat.FLOPPY
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


def _payload_file(path: Path, what: str, taken: set[str], notes: list[str]) -> PayloadFile:
    """Read one user file and give it a DOS name no earlier file took."""
    data = read_input(path, what)
    name = short_name(path.name, taken)
    taken.add(name)
    if name != path.name.upper():
        notes.append(f"{what} {path.name} is stored as {name} (DOS 8.3 name)")
    return PayloadFile(path, name, data)


def make_spec(options: BuildOptions, obtain_dos: Callable[[tuple[str, ...]], DosFiles]) -> RescueSpec:
    """Check every input; `obtain_dos` (which may download FreeDOS) runs only once the
    user's own inputs passed, so a typo is reported at once, not after a download. It is
    given the names of the files the keyboard layout needs."""
    fmt = format_for(options.output, options.media_format)
    layout = get_layout(options.keyboard) if options.keyboard is not None else None
    if options.disk_size is not None and fmt != MediaFormat.USB:
        raise UsageError("--size sets the size of a USB image; a CD or floppy image is as big as its files need")
    if options.floppy_size is not None and fmt == MediaFormat.USB:
        raise UsageError("--floppy-size is for floppy and CD images; a USB image takes --size")
    if options.uefi_app is not None and fmt == MediaFormat.FLOPPY:
        raise UsageError("--uefi-app is for USB images and CDs: UEFI-only PCs cannot boot a floppy; build -o rescue.usb.img or rescue.iso")
    check_output(options.output, options.force)
    disk_size, warnings = _disk_size(options.disk_size, with_esp=options.uefi_app is not None)
    inputs = [(options.flasher, "flasher"), (options.firmware, "firmware"),
              *((path, "--add file") for path in options.extras), *((path, "--driver") for path in options.drivers)]
    if options.uefi_app is not None:
        inputs.append((options.uefi_app, "--uefi-app"))
    check_not_an_input(options.output, inputs)
    app = read_uefi_app(options.uefi_app) if options.uefi_app is not None else None
    taken: set[str] = set()
    flasher = _payload_file(options.flasher, "flasher", taken, warnings)
    firmware = _payload_file(options.firmware, "firmware", taken, warnings)
    extras = tuple(_payload_file(path, "--add file", taken, warnings) for path in options.extras)
    drivers = tuple(_payload_file(path, "--driver", taken, warnings) for path in options.drivers)
    warnings += check_dos_program(flasher.dos_name, flasher.data, "flasher")
    expect_model = None
    if options.expect_model is not None:
        expect_model = check_model(firmware.dos_name, firmware.data, options.expect_model)
    warnings += firmware_warnings(firmware.dos_name, firmware.data)
    dos, layout, keyboard_notes = _dos_with_keyboard(obtain_dos, layout)
    warnings += keyboard_notes
    check_not_an_input(options.output, ((path, "FreeDOS file") for path in dos.sources))
    menu, menu_notes = _menu_settings(options, expect_model, flasher, firmware, (flasher, firmware, *extras, *drivers), dos,
                                      layout)
    warnings += menu_notes
    return RescueSpec(
        flasher=flasher,
        firmware=firmware,
        extras=extras,
        drivers=drivers,
        dos=dos,
        output=options.output,
        media_format=fmt,
        floppy_kib=FLOPPY_SIZES[options.floppy_size] if options.floppy_size else None,
        build_time=build_time_from_env(),
        warnings=tuple(warnings),
        disk_size=disk_size,
        hybrid=options.hybrid,
        menu=menu,
        force=options.force,
        uefi_app=app,
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


def _dos_with_keyboard(obtain_dos: Callable[[tuple[str, ...]], DosFiles],
                       asked: Layout | None) -> tuple[DosFiles, Layout, list[str]]:
    """The FreeDOS files with those of the keyboard layout. A layout the user asked for must
    be there; one that only the locale suggests gives way to US, with a note."""
    if asked is not None:
        try:
            return obtain_dos(asked.files), asked, []
        except KeyboardFilesMissing as exc:
            raise KeyboardFilesMissing(list(exc.names), (
                f"{exc}, needed for --keyboard {asked.id}: add them (FreeDOS packages"
                f" {', '.join(packages_for(exc.names))}) or build with --keyboard {US}")) from exc
    default = default_layout(os.environ)
    if default.source is None or default.layout.loads_nothing:
        return obtain_dos(()), default.layout, []
    try:
        dos = obtain_dos(default.layout.files)
    except MkrescueError as exc:
        # Its files missing, or its packages not to be had (offline, a download failing): a
        # build nobody asked a keyboard of goes on with US. A failure of the files every build
        # needs shows again in the second try, and stops the build there.
        dos = obtain_dos(())
        return dos, LAYOUTS[US], [
            f"the build machine's locale ({default.source}) suggests the {default.layout.label} keyboard, but {exc}:"
            f" the medium keeps the US keyboard; --keyboard chooses one"]
    return dos, default.layout, [f"keyboard {default.layout.label}, from the build machine's locale ({default.source});"
                                 f" --keyboard {US} for the US keyboard"]


def _disk_size(text: str | None, with_esp: bool) -> tuple[int | None, list[str]]:
    """--size in bytes, rounded down to whole cylinders (never more than asked), with a note when rounded.
    With an EFI System Partition the size stays as asked: the build gives the FreeDOS partition
    the whole cylinders that the ESP leaves of it."""
    if text is None:
        return None, []
    asked = parse_size(text, "--size")
    cylinders = usb.whole_cylinders(asked)
    if cylinders < usb.MIN_CYLINDERS:
        smallest = usb.MIN_CYLINDERS * usb.CYLINDER * SECTOR / usb.MIB
        raise UsageError(f"--size {text} is smaller than the smallest USB image mkrescue makes ({smallest:.1f} MiB):"
                         " give at least 16M, or leave --size out")
    if cylinders > usb.MAX_CYLINDERS:
        largest = usb.MAX_CYLINDERS * usb.CYLINDER * SECTOR / usb.MIB
        raise UsageError(f"--size {text} is more than a FAT16 USB image can be ({largest:.1f} MiB at most):"
                         " choose a smaller size")
    if with_esp:
        return asked, [f"--size {text} holds the EFI System Partition (about 2 MiB) too: the FreeDOS partition gets"
                       " the whole cylinders it leaves"]
    size = cylinders * usb.CYLINDER * SECTOR
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


def ramdisk_needs_kib(payload: tuple[PayloadFile, ...], firmware: PayloadFile, dos: DosFiles) -> int:
    """Room on the RAM disk for everything AUTOEXEC.BAT copies there plus two firmware backups."""
    copied = [f.size for f in payload] + [len(dos.shell.data)] + [len(t.data) for t in dos.programs]
    cluster = 4096  # every file rounds up to whole clusters
    used = sum(-(-size // cluster) * cluster for size in copied) + 2 * firmware.size
    return -(-used // 1024) + RAMDISK_SLACK_KIB


def _menu_settings(options: BuildOptions, expect_model: str | None, flasher: PayloadFile, firmware: PayloadFile,
                   payload: tuple[PayloadFile, ...], dos: DosFiles, keyboard: Layout) -> tuple[MenuSettings, list[str]]:
    chosen = get_profile(options.profile) if options.profile else profile_for_flasher(flasher.dos_name, flasher.source.name)
    notes = _profile_notes(chosen, payload, picked=options.profile is None)
    commands = _commands(options, chosen, flasher, firmware)
    no_backup_reason = chosen.no_backup_reason if commands["backup"] is None else None
    if commands["flash"] is None:
        notes.append("no flash command (--flash-cmd or --profile): the menu cannot flash; the user runs the flasher at its DOS prompt")
    elif options.backup_required and commands["backup"] is None:
        why = f"the {chosen.name} profile has no backup command ({no_backup_reason})" if no_backup_reason else "there is no backup command"
        raise UsageError(f"flashing needs a backup first, but {why}: give --backup-cmd, or pass --no-backup-required")
    device_hint = None
    if any(uses_device(commands[kind]) for kind in COMMANDS):
        device_hint = chosen.device_hint or DEFAULT_HINT
    backup_model = expect_model
    if backup_model is None and chosen.model_pattern and commands["backup"]:
        if chosen.model_pattern.encode("ascii") in firmware.data:
            backup_model = chosen.model_pattern
        else:
            notes.append(f"firmware {firmware.dos_name} does not contain {chosen.model_pattern!r}, which the {chosen.name} profile "
                         "expects in such firmware: the menu will not compare the backup's model; check the file, or "
                         "name the model with --expect-model")
    if options.boot_default not in BOOT_CHOICES:
        raise UsageError(f"--boot-default {options.boot_default} is not an entry of the boot menu: use 1 (normal), 2 (clean) or 3 (DOS prompt)")
    if not 0 <= options.boot_timeout <= MAX_BOOT_TIMEOUT:
        raise UsageError(f"--boot-timeout {options.boot_timeout} is out of range: give 0 to {MAX_BOOT_TIMEOUT} seconds")
    ramdisk_kib = _ramdisk_kib(options.ramdisk_size, payload, firmware, dos)
    least = -(-ramdisk_needs_kib(payload, firmware, dos) // 1024) * 1024  # for a PC with less XMS free
    if dos.ramdisk_kind is None:
        notes.append("no RAM disk driver in the FreeDOS files: the menu will run from the boot medium, which must stay in the drive")
    settings = MenuSettings(
        profile=chosen.name, identify_cmd=commands["identify"], backup_cmd=commands["backup"], flash_cmd=commands["flash"],
        backup_required=options.backup_required, ramdisk_kib=ramdisk_kib, ramdisk_least_kib=least,
        boot_default=options.boot_default,
        boot_timeout=options.boot_timeout, flasher_dir_a=options.flasher_dir_a or chosen.flasher_dir_a,
        expect_model=expect_model, device_hint=device_hint, backup_model=backup_model, no_backup_reason=no_backup_reason,
        keyboard=keyboard,
    )
    return settings, notes


def _profile_notes(chosen: Profile, payload: tuple[PayloadFile, ...], picked: bool) -> list[str]:
    """Which profile the build uses and where its syntax comes from; the companion files
    the flasher needs that are not on the medium."""
    flasher = payload[0].dos_name
    notes = []
    if chosen.flashers or not picked:
        how = "chosen by its name" if picked else "chosen with --profile"
        notes.append(f"flasher {flasher} uses the {chosen.name} profile ({how}): {chosen.description}; "
                     f"syntax from {chosen.source}" + ("; --profile picks another" if picked else ""))
    else:
        notes.append(f"no profile is made for a flasher named {flasher} (`mkrescue profiles` lists them): the menu runs "
                     "the commands you give with --identify-cmd, --backup-cmd and --flash-cmd, or pass --profile")
    present = {f.dos_name for f in payload}
    for companion in chosen.companions:
        if companion not in present:
            option = "--driver" if companion.endswith(".SYS") else "--add"
            notes.append(f"{flasher} needs {companion} beside it ({chosen.name} profile), and it is not on the medium: "
                         f"add it with {option} PATH/{companion}")
    return notes


def _commands(options: BuildOptions, chosen: Profile, flasher: PayloadFile, firmware: PayloadFile) -> dict[str, str | None]:
    """The menu's identify, backup and flash commands: the user's own, else the profile's."""
    given = {kind: getattr(options, f"{kind}_cmd") for kind in COMMANDS}  # --identify-cmd, ...
    commands = {}
    for kind, command in given.items():
        commands[kind] = check_command(kind, command, f"--{kind}-cmd") if command is not None else chosen.command(kind)
        if commands[kind]:
            check_length(kind, commands[kind], flasher.dos_name, firmware.dos_name, f"the {kind} command")
    return commands


def _ramdisk_kib(requested: str | None, payload: tuple[PayloadFile, ...], firmware: PayloadFile, dos: DosFiles) -> int:
    """--ramdisk-size when it is enough, else what the files need, in whole MiB."""
    needed = max(MIN_RAMDISK_KIB, -(-ramdisk_needs_kib(payload, firmware, dos) // 1024) * 1024)
    if requested is None:
        return needed
    kib = parse_size(requested, "--ramdisk-size", bare_unit=1024) // 1024  # a bare number is KiB, as for DOS drivers
    if kib < needed:
        raise UsageError(f"--ramdisk-size {requested} is too small: the files and two backups need {needed // 1024}M; give at least that")
    if kib > MAX_RAMDISK_KIB:
        raise UsageError(f"--ramdisk-size {requested} is too big: DOS RAM disks go up to {MAX_RAMDISK_KIB // 1024}M")
    return kib
