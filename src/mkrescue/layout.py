"""The file tree of a rescue medium: spec + FreeDOS files + rendered text files.

The order matters: files are allocated in this order, so KERNEL.SYS comes first
and is contiguous (our boot sector does not need it, other tools like it), and
the root directory lists the boot files before anything else."""

from __future__ import annotations

import hashlib
import zlib

from mkrescue import __version__, efiapp
from mkrescue.errors import UsageError
from mkrescue.menu import menu_context, menu_files
from mkrescue.payload import EXECUTABLE_EXTENSIONS
from mkrescue.render import render, to_dos_text
from mkrescue.spec import RescueSpec

MANIFEST = "MANIFEST.TXT"
DOS_DIR = "FREEDOS"
FLASH_DIR = "FLASH"
LICENSE_DIR = "FREEDOS/LICENSES"
# The CRC-32 of every file AUTOEXEC.BAT copies off the boot disk; CRCCHECK.COM reads at
# most this many bytes of it (dosasm/crccheck.asm, LISTMAX).
COPY_CHECKS = f"{DOS_DIR}/FILES.CRC"
MAX_COPY_CHECKS = 16384


def dos_path(path: str) -> str:
    return "\\" + path.replace("/", "\\")


def manifest(files: list[tuple[str, bytes]]) -> bytes:
    """SHA-256 and size of every file, in the sha256sum layout so a user can check by eye or by tool."""
    lines = [f"; SHA-256 of every file on this disk, written by mkrescue {__version__}"]
    lines += [f"{hashlib.sha256(data).hexdigest()} {len(data):>9} {dos_path(path)}" for path, data in files]
    return to_dos_text("\n".join(lines), MANIFEST)


def copy_checks(files: list[tuple[str, bytes]]) -> bytes:
    """What CRCCHECK.COM checks the RAM disk's copies against, so they are verified without
    reading the boot medium a second time: COMMAND.COM and the files of \\FREEDOS and \\FLASH,
    the ones AUTOEXEC.BAT copies."""
    copied = [(path, data) for path, data in files
              if path == "COMMAND.COM" or path.count("/") == 1 and path.split("/")[0] in (DOS_DIR, FLASH_DIR)]
    listing = to_dos_text("\n".join(f"{zlib.crc32(data):08X} {dos_path(path)[1:]}" for path, data in copied), COPY_CHECKS)
    if len(listing) >= MAX_COPY_CHECKS:
        raise UsageError(f"{len(copied)} files are too many for the rescue disk to check its RAM disk copy: "
                         "put the --add files into fewer files (a ZIP, for example)")
    return listing


def refuse_shadowed_tools(files: list[tuple[str, bytes]]) -> None:
    """MENU.BAT works in \\FLASH and runs CHOICE, ASKDEV, CHKBAK, CALL DEVICE... by bare name;
    DOS looks in the current folder before PATH, so a user's CHOICE.COM there would answer
    the flash questions in CHOICE's place. Refuse such a name rather than lose the guard."""
    programs = {}
    for path, _data in files:
        folder, _, name = path.rpartition("/")
        stem, _, ext = name.partition(".")
        if folder == DOS_DIR and "." + ext in EXECUTABLE_EXTENSIONS:
            programs[stem] = name
    for path, _data in files:
        folder, _, name = path.rpartition("/")
        stem, _, ext = name.partition(".")
        if folder == FLASH_DIR and "." + ext in EXECUTABLE_EXTENSIONS and stem in programs:
            raise UsageError(f"{name} would run instead of the rescue disk's own {dos_path(DOS_DIR)}\\{programs[stem]} "
                             f"when the menu calls {stem}: rename it (e.g. {stem[:7]}1.{ext}) or leave it out")


def template_context(spec: RescueSpec) -> dict[str, object]:
    dos = spec.dos
    return {
        "version": __version__,
        "build_date": spec.build_time.strftime("%Y-%m-%d %H:%M UTC"),
        "flasher": spec.flasher,
        "firmware": spec.firmware,
        "extras": spec.extras,
        "drivers": [d.dos_name for d in spec.drivers],
        "xms": dos.xms.name if dos.xms else None,
        "ramdisk_kind": dos.ramdisk_kind,
        "licenses": [f.name for f in dos.licenses],
        "sources_listed": any(f.name == "SOURCES.TXT" for f in dos.licenses),
        "uefi_app": spec.uefi_app,
        **menu_context(spec),
    }


def media_files(spec: RescueSpec) -> list[tuple[str, bytes]]:
    """Every file of the medium as ("DIR/NAME.EXT", bytes), in allocation order."""
    dos = spec.dos
    context = template_context(spec)
    boot_files = [
        ("KERNEL.SYS", dos.kernel.data),
        ("COMMAND.COM", dos.shell.data),
        ("FDCONFIG.SYS", render("FDCONFIG.SYS", **context)),
        ("AUTOEXEC.BAT", render("AUTOEXEC.BAT", **context)),
        ("README.TXT", render("README.TXT", **context)),
    ]
    in_folders = [(f"{DOS_DIR}/{tool.name}", tool.data) for tool in dos.programs]
    in_folders += [(f"{DOS_DIR}/{name}", data) for name, data in menu_files(context)]
    in_folders += [(f"{LICENSE_DIR}/{lic.name}", lic.data) for lic in dos.licenses]
    in_folders += [(f"{FLASH_DIR}/{item.dos_name}", item.data) for item in spec.payload]
    refuse_shadowed_tools(in_folders)
    in_folders.append((COPY_CHECKS, copy_checks(boot_files + in_folders)))
    # MANIFEST.TXT lists every other file, and is listed right after the boot files.
    return [*boot_files, (MANIFEST, manifest(boot_files + in_folders)), *in_folders]


def esp_files(spec: RescueSpec) -> list[tuple[str, bytes]]:
    """The files of the EFI System Partition: the CSM wrapper where UEFI firmware looks
    for it, a note on what it is and its licence, and their SHA-256."""
    context = template_context(spec)
    files = [(efiapp.BOOT_PATH, spec.uefi_app.data), ("README.TXT", render("ESP.TXT", app=spec.uefi_app, **context))]
    return [*files, (MANIFEST, manifest(files))]
