"""What the boot menu and the flash menu need: the template context of FDCONFIG.SYS,
AUTOEXEC.BAT and the batch files in \\FREEDOS, and those extra files themselves."""

from __future__ import annotations

import string
from importlib.resources import files

from mkrescue.profiles import batch_line
from mkrescue.render import render
from mkrescue.spec import RescueSpec

# Batch files next to the FreeDOS tools: the menu runs from the RAM disk, so it must not
# be AUTOEXEC.BAT, which DOS would read from the boot disk line by line.
MENU_BATCH_FILES = ("MENU.BAT", "WRITABLE.BAT")
# Our own small DOS programs (source in dosasm/, assembled by nasm; a test compares):
# FreeDOS's COMMAND.COM has no REBOOT, no FreeDOS tool we can count on compares files,
# a batch file cannot test quietly whether a drive takes a file, and no SUBST is among
# the FreeDOS packages mkrescue downloads (--flasher-dir-a needs one).
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
    "MKSUBST.COM": bytes.fromhex(
        "fcbe8100e8160183f9027403e9f70089d3807f013a7403e9ec008a07e8f6007303e9e200a23902e8f30083"
        "f9047303e9d40083f9427603e9cc00890e3d0289d3817f013a5c7403e9bc0001cb807fff5c7503e9b10089"
        "d38a073c6172073c7a77038027df43e2f089163b0289d38a07e8a3007303e98f003a0639027503e98600a2"
        "3a02b80043cd21727cf6c1107477b452cd21268a472138063902736938063a02736326c47f16a03a02e85f"
        "00268b47432500f03d0040754d268b4f45268b5747a03902e8450089df8b363b02518b0e3d02f3a4b94300"
        "2b0e3d0230c0f3aa5926c74743005026894f45268957478d7f49b8ffffabababa13d02ab31c0b90700f3aa"
        "b000eb02b001b44ccd21b458f6e489fb01c3c324df2c413c1af5c3ac3c2074fb4e89f2ac3c2077fbc644ff"
        "0089f129d1493c2074014ec3000000000000"
    ),
    # Whether the RAM disk fits the XMS memory that is free: no FreeDOS tool tells a batch file.
    "XMSFREE.COM": (files("mkrescue") / "dosasm" / "XMSFREE.COM").read_bytes(),
}
# The batch variable that holds the backup file's name while the backup command runs.
BACKUP_VARIABLE = "%MKNEW%"
# The batch variable that holds the device id the user typed.
DEVICE_VARIABLE = "%MKDEV%"
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
        "copied": ["COMMAND.COM"] + [f"FREEDOS\\{name}" for name in freedos] + flash_files,
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
    return [(name, render(name, **context)) for name in MENU_BATCH_FILES] + list(DOS_PROGRAMS.items())
