"""What the boot menu and the flash menu need: the template context of FDCONFIG.SYS,
AUTOEXEC.BAT and the batch files in \\FREEDOS, and those extra files themselves."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from mkrescue.profiles import batch_line
from mkrescue.render import render
from mkrescue.spec import RescueSpec

# Batch files next to the FreeDOS tools: the menu runs from the RAM disk, so it must not
# be AUTOEXEC.BAT, which DOS would read from the boot disk line by line.
MENU_BATCH_FILES = ("MENU.BAT", "WRITABLE.BAT")
# Our own small DOS programs (source in dosasm/, assembled by nasm; a test compares):
# FreeDOS's COMMAND.COM has no REBOOT, a batch file cannot check the RAM disk's copies
# against checksums nor test quietly whether a drive takes a file, and no SUBST is among
# the FreeDOS packages mkrescue downloads (--flasher-dir-a needs one).
DOS_PROGRAM_NAMES = ("REBOOT.COM", "CRCCHECK.COM", "WRTEST.COM", "MKSUBST.COM")


@cache
def dos_programs() -> tuple[tuple[str, bytes], ...]:
    """Our DOS programs as (name, bytes), read from the package."""
    folder = resources.files("mkrescue") / "dosasm"
    return tuple((name, (folder / name).read_bytes()) for name in DOS_PROGRAM_NAMES)


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
        "identify": command(menu.identify_cmd),
        "backup": command(menu.backup_cmd),
        "flash": command(menu.flash_cmd),
        "backup_required": menu.backup_required,
        "expect_model": menu.expect_model,
        "flasher_dir_a": menu.flasher_dir_a,
        "boot_default": menu.boot_default,
        "boot_timeout": menu.boot_timeout,
        "profile": menu.profile,
    }


def menu_files(context: dict[str, object]) -> list[tuple[str, bytes]]:
    """The menu's own files for \\FREEDOS, as (name, bytes)."""
    return [(name, render(name, **context)) for name in MENU_BATCH_FILES] + list(dos_programs())
