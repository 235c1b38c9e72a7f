"""What the boot menu and the flash menu need: the template context of FDCONFIG.SYS,
AUTOEXEC.BAT and the batch files in \\FREEDOS, and those extra files themselves."""

from __future__ import annotations

import string

from mkrescue.profiles import SUBST_TOOLS, batch_line
from mkrescue.render import render
from mkrescue.spec import RescueSpec

# Batch files next to the FreeDOS tools: the menu runs from the RAM disk, so it must not
# be AUTOEXEC.BAT, which DOS would read from the boot disk line by line.
MENU_BATCH_FILES = ("MENU.BAT", "WRITABLE.BAT")
# Our own small DOS programs (source in dosasm/, assembled by nasm; a test compares):
# FreeDOS's COMMAND.COM has no REBOOT, no FreeDOS tool we can count on compares files,
# and a batch file cannot test quietly whether a drive takes a file.
DOS_PROGRAMS = {
    "REBOOT.COM": bytes.fromhex("b840008ed8c70672003412b0fee664ea0000ffff"),
    "CMPFILE.COM": bytes.fromhex(
        "fcbe8100e85300b8003dcd21723c89c5e84700b8003dcd21723089c789ebba7101e82c005089fbba7111e8"
        "23005939c87514e30e57be7101bf7111f3a65f7506ebdab000eb06b001eb02b002b44ccd21b43fb90010cd"
        "2172f1c3ac3c2074fb4e89f2ac3c2077fbc644ff003c2074014ec3"
    ),
    "WRTEST.COM": bytes.fromhex(
        "3cff7449a05c0008c074420440a25601b82425ba5301cd21b43c31c9ba5601cd21722689c3b440b91500ba65"
        "01cd219c50b43ecd21b441ba5601cd21589d720983f8157504b000eb06b001eb02b002b44ccd21b003cf3f3a"
        "5c4d4b52544553542e544d50006d6b72657363756520777269746520746573740d0a"
    ),
}
# The batch variable that holds the backup file's name while the backup command runs.
BACKUP_VARIABLE = "%MKNEW%"
LETTERS = string.ascii_uppercase
# SHSURDRV's exit code is the drive number; A: and B: are floppies, never a RAM disk.
FIRST_RAMDISK_LETTER = 3


def menu_context(spec: RescueSpec) -> dict[str, object]:
    menu, dos = spec.menu, spec.dos
    flasher, firmware = spec.flasher.dos_name, spec.firmware.dos_name
    freedos = [t.name for t in dos.programs] + list(MENU_BATCH_FILES) + list(DOS_PROGRAMS)
    flash_files = [f"FLASH\\{f.dos_name}" for f in spec.payload]
    candidates = [f"{c}:" for c in LETTERS if c != "B"]
    free = list(LETTERS[2:])

    def command(template: str | None) -> str | None:
        return batch_line(template, flasher, firmware, BACKUP_VARIABLE) if template else None

    return {
        "letters": " ".join(LETTERS),
        "ladder": [(n, LETTERS[n - 1]) for n in range(FIRST_RAMDISK_LETTER, len(LETTERS) + 1)],
        # RDISK and XMSDSK take the first letter from C: on that no drive uses.
        "free_letters": " ".join(free),
        # Two FOR lines, as one would pass DOS's 127 characters.
        "probe_letters": [" ".join(["%MKBOOT%", *candidates[:12]]), " ".join(candidates[12:])],
        "ramdisk_kib": menu.ramdisk_kib,
        "ramdisk_mib": -(-menu.ramdisk_kib // 1024),
        "copied": ["COMMAND.COM"] + [f"FREEDOS\\{name}" for name in freedos] + flash_files,
        "identify": command(menu.identify_cmd),
        "backup": command(menu.backup_cmd),
        "flash": command(menu.flash_cmd),
        "backup_required": menu.backup_required,
        "expect_model": menu.expect_model,
        "flasher_dir_a": menu.flasher_dir_a,
        "subst": next((t.name.split(".")[0] for t in dos.tools if t.name in SUBST_TOOLS), None),
        "boot_default": menu.boot_default,
        "boot_timeout": menu.boot_timeout,
        "profile": menu.profile,
    }


def menu_files(context: dict[str, object]) -> list[tuple[str, bytes]]:
    """The menu's own files for \\FREEDOS, as (name, bytes)."""
    return [(name, render(name, **context)) for name in MENU_BATCH_FILES] + list(DOS_PROGRAMS.items())
