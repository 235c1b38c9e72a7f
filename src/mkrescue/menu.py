"""What the boot menu and the flash menu need: the template context of FDCONFIG.SYS,
AUTOEXEC.BAT and the batch files in \\FREEDOS, and those extra files themselves."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from mkrescue.keyboards import BUILTIN_CODEPAGE
from mkrescue.profiles import batch_line, reason_lines, uses_device
from mkrescue.render import render
from mkrescue.spec import RescueSpec

# Batch files next to the FreeDOS tools: the menu runs from the RAM disk, so it must not
# be AUTOEXEC.BAT, which DOS would read from the boot disk line by line.
MENU_BATCH_FILES = ("MENU.BAT", "WRITABLE.BAT")
# Asks for the device id, for menus whose commands use {device}.
DEVICE_BATCH_FILE = "DEVICE.BAT"
# Our own small DOS programs (source in dosasm/, assembled by nasm; a test compares):
# FreeDOS's COMMAND.COM has no REBOOT, a batch file cannot check the RAM disk's copies
# against checksums nor test quietly whether a drive takes a file, and no SUBST is among
# the FreeDOS packages mkrescue downloads (--flasher-dir-a needs one).
# XMSFREE: whether the RAM disk fits the XMS memory that is free; no FreeDOS tool tells a batch file.
# MENUKEY: CHOICE takes only the character a key types, which a keyboard layout changes
# (AZERTY's digit row); MENUKEY also takes the digit row's physical keys.
DOS_PROGRAM_NAMES = ("REBOOT.COM", "CRCCHECK.COM", "WRTEST.COM", "MKSUBST.COM", "XMSFREE.COM", "MENUKEY.COM")
# Those only some menus need: FreeCOM has no SET /P to read the device id (ASKDEV), and
# nothing checks a backup's size, blankness and model before the flash (CHKBAK).
DEVICE_PROGRAM = "ASKDEV.COM"
BACKUP_CHECK_PROGRAM = "CHKBAK.COM"
OPTIONAL_PROGRAMS = (DEVICE_PROGRAM, BACKUP_CHECK_PROGRAM)


@cache
def dos_program(name: str) -> bytes:
    """One of our DOS programs, read from the package."""
    return (resources.files("mkrescue") / "dosasm" / name).read_bytes()


def dos_programs() -> tuple[tuple[str, bytes], ...]:
    """The DOS programs every menu uses, as (name, bytes)."""
    return tuple((name, dos_program(name)) for name in DOS_PROGRAM_NAMES)


# The batch variable that holds the backup file's name while the backup command runs.
BACKUP_VARIABLE = "%MKNEW%"
# The batch variable that holds the device id the user typed.
DEVICE_VARIABLE = "%MKDEV%"
LETTERS = string.ascii_uppercase
# SHSURDRV's exit code is the drive number; A: and B: are floppies, never a RAM disk.
FIRST_RAMDISK_LETTER = 3


def menu_context(spec: RescueSpec) -> dict[str, object]:
    menu = spec.menu
    flasher, firmware = spec.flasher.dos_name, spec.firmware.dos_name
    candidates = [f"{c}:" for c in LETTERS if c != "B"]
    free = list(LETTERS[2:])

    def command(template: str | None) -> str | None:
        return batch_line(template, flasher, firmware, BACKUP_VARIABLE, DEVICE_VARIABLE) if template else None

    return {
        "letters": " ".join(LETTERS),
        "ladder": [(n, LETTERS[n - 1]) for n in range(FIRST_RAMDISK_LETTER, len(LETTERS) + 1)],
        # RDISK and XMSDSK take the first letter from C: on that no drive uses.
        "free_letters": " ".join(free),
        # Two FOR lines, as one would pass DOS's 127 characters.
        "probe_letters": [" ".join(["%MKBOOT%", *candidates[:12]]), " ".join(candidates[12:])],
        "ramdisk_kib": menu.ramdisk_kib,
        "ramdisk_mib": -(-menu.ramdisk_kib // 1024),
        "ramdisk_least_kib": menu.ramdisk_least_kib,
        "ramdisk_least_mib": -(-menu.ramdisk_least_kib // 1024),
        "identify": command(menu.identify_cmd),
        "backup": command(menu.backup_cmd),
        "flash": command(menu.flash_cmd),
        "backup_required": menu.backup_required,
        "expect_model": menu.expect_model,
        "flasher_dir_a": menu.flasher_dir_a,
        "boot_default": menu.boot_default,
        "boot_timeout": menu.boot_timeout,
        "profile": menu.profile,
        "device_hint": menu.device_hint,
        # Which commands need the device: the menu asks for it before running them.
        "asks_device": {kind: uses_device(getattr(menu, f"{kind}_cmd")) for kind in ("identify", "backup", "flash")},
        "backup_model": menu.backup_model,
        "no_backup_reason": reason_lines(menu.no_backup_reason) if menu.no_backup_reason else [],
        "menu_batch_files": list(MENU_BATCH_FILES) + ([DEVICE_BATCH_FILE] if menu.device_hint else []),
        # The programs only some menus use.
        "menu_programs": ([DEVICE_PROGRAM] if menu.device_hint else []) + ([BACKUP_CHECK_PROGRAM] if menu.backup_cmd else []),
        "keyboard": menu.keyboard,
        "builtin_codepage": BUILTIN_CODEPAGE,
    }


def menu_files(context: dict[str, object]) -> list[tuple[str, bytes]]:
    """The menu's own files for \\FREEDOS, as (name, bytes)."""
    batch = [(name, render(name, **context)) for name in context["menu_batch_files"]]
    return batch + list(dos_programs()) + [(name, dos_program(name)) for name in context["menu_programs"]]
