"""Sanity checks of the firmware file at build time: the last chance to notice the wrong
file before it is flashed into a device far from any Python."""

from __future__ import annotations

from mkrescue.errors import InputFileError
from mkrescue.profiles import MAX_MODEL, check_text

# Flash chips of drives, disks and mainboards hold from 64 KiB to a few MiB; 32 MiB
# covers the largest BIOS images. Outside this range the file is probably not a raw image.
SMALLEST_PLAUSIBLE = 16 * 1024
LARGEST_PLAUSIBLE = 32 * 1024 * 1024
# Containers that users download instead of the raw image inside them.
_CONTAINERS = {
    b"PK\x03\x04": "a ZIP archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"MZ": "a DOS or Windows program",
    b"\x7fELF": "a Linux program",
}


def check_model(name: str, data: bytes, model: str) -> str:
    """Refuse a firmware that does not name the expected model (e.g. ND-1300A): the seed case
    of this project was a drive killed by another model's firmware. Returns the model."""
    model = check_text(model, "the model name", "--expect-model", MAX_MODEL)
    if model.encode("ascii") in data:
        return model
    hint = ""
    if model.lower().encode("ascii") in data.lower():
        hint = " (it does contain it in another letter case: pass --expect-model exactly as the file spells it)"
    raise InputFileError(
        f"firmware {name} does not contain the model name {model!r}{hint}: it is probably for another device; "
        "check the download, or leave out --expect-model if the vendor's file does not name the model"
    )


def firmware_warnings(name: str, data: bytes) -> list[str]:
    """What looks wrong with a firmware image without being surely wrong."""
    notes = []
    size = len(data)
    if size < SMALLEST_PLAUSIBLE:
        notes.append(f"firmware {name} is only {size} bytes: firmware images are rarely below {SMALLEST_PLAUSIBLE // 1024} KiB; check it is the whole file")
    if size > LARGEST_PLAUSIBLE:
        notes.append(f"firmware {name} is {size} bytes: that is large for a flash chip; check it is the image, not a bundle")
    for magic, what in _CONTAINERS.items():
        if data.startswith(magic):
            notes.append(f"firmware {name} looks like {what}, not a raw firmware image: unpack the image from it")
            break
    if data.count(data[:1]) == size:
        notes.append(f"firmware {name} is one byte (0x{data[0]:02X}) repeated: an erased or failed dump, not firmware")
    return notes
