"""DOS 8.3 file names: which names are valid, and how a host file name becomes one.

The lowest layer: the user's files (payload), the FreeDOS catalogue and a user's
FreeDOS folder (freedos/) all name files on the medium by these rules."""

from __future__ import annotations

import re

from mkrescue.errors import UsageError

# Characters DOS accepts in a short name besides letters and digits.
SPECIAL_CHARACTERS = "!#$%&'()-@^_`{}~"
_VALID_PART = re.compile(r"[A-Z0-9" + re.escape(SPECIAL_CHARACTERS) + r"]+")
# Names DOS takes for devices whatever the extension: a file cannot have them.
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", "CLOCK$"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


def is_valid_83(name: str) -> bool:
    """An upper-case 8.3 name DOS accepts as it is."""
    base, dot, ext = name.partition(".")
    if not base or len(base) > 8 or len(ext) > 3 or "." in ext or (dot and not ext):
        return False
    if base in DEVICE_NAMES:
        return False
    return all(_VALID_PART.fullmatch(part) for part in (base, ext) if part)


def _squeeze(text: str) -> str:
    """Upper-case and keep only characters DOS allows, replacing the rest with '_'."""
    out = []
    for ch in text.upper():
        if ch.isascii() and (ch.isalnum() or ch in SPECIAL_CHARACTERS):
            out.append(ch)
        elif ch not in " .":
            out.append("_")
    return "".join(out)


def short_name(filename: str, taken: set[str]) -> str:
    """Map a host file name to a unique 8.3 name, the way users expect from DOS:
    keep it when it already is valid, else squeeze and truncate, and add ~N on collision."""
    upper = filename.upper()
    if is_valid_83(upper) and upper not in taken:
        return upper
    stem, _, ext = filename.rpartition(".") if "." in filename.lstrip(".") else (filename, "", "")
    base, ext = _squeeze(stem), _squeeze(ext)[:3]
    if not base or base in DEVICE_NAMES:
        raise UsageError(f"{filename!r} cannot be given a DOS 8.3 name: rename it to something like FLASH.EXE")
    candidate = base[:8] + (f".{ext}" if ext else "")
    if candidate not in taken and is_valid_83(candidate):
        return candidate
    for n in range(1, 100):
        tail = f"~{n}"
        candidate = base[: 8 - len(tail)] + tail + (f".{ext}" if ext else "")
        if candidate not in taken:
            return candidate
    raise UsageError(f"{filename!r} cannot be given a unique DOS 8.3 name: rename the files so their first letters differ")
