"""Flasher profiles: data files (profiles/<name>.toml), one per flasher tool, giving the
command templates the rescue menu runs to identify the device, back up its firmware and
flash it. A profile is data, never code: adding a tool means adding a file whose syntax
was checked against the tool's documentation.

Placeholders in a command template:
  {flasher}   the flasher's DOS name on the medium (e.g. BINFLASH.EXE)
  {firmware}  the firmware's DOS name (the menu runs commands in the flasher's folder)
  {backup}    the backup file the menu chose at run time, e.g. X:\\FWBACK1.BIN
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from mkrescue.errors import UsageError
from mkrescue.render import MAX_LINE

# Where each placeholder may appear: a backup goes into {backup}; flashing reads {firmware}.
ALLOWED = {
    "identify": ("flasher",),
    "backup": ("flasher", "backup"),
    "flash": ("flasher", "firmware"),
}
REQUIRED = {"backup": "backup", "flash": "firmware"}
# FreeCOM reads at most 127 characters of a batch line, and the menu shows each command
# on a line of its own after this label (MENU.BAT), so a command gets what is left.
SHOWN_AFTER = "ECHO  Command:     "
MAX_COMMAND = MAX_LINE - len(SHOWN_AFTER)
# The longest value {backup} takes at run time: "X:\FWBACK9.BIN".
LONGEST_BACKUP = len("X:\\FWBACK9.BIN")
# '%' would be taken as a batch variable, '<', '>' and '|' as redirections (also when the
# menu echoes the command to show it), '"' cannot be echoed safely.
_FORBIDDEN = set('%<>|"')
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEYS = {"description", "source", "flashers", "identify", "backup", "flash", "flasher_dir_a"}
GENERIC = "generic"


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    source: str  # where the command syntax was confirmed
    flashers: tuple[str, ...]  # flasher names (upper case) this profile is picked for by default
    identify: str | None
    backup: str | None
    flash: str | None
    flasher_dir_a: bool  # the flasher expects to run from A:\


def unsafe_characters(text: str) -> list[str]:
    """The characters of `text` that a DOS batch file cannot run or echo safely."""
    return sorted(_FORBIDDEN & set(text))


def check_command(kind: str, template: str, origin: str) -> str:
    """A command template the menu can run: one DOS line, known placeholders only."""
    template = template.strip()
    if not template:
        raise UsageError(f"{origin}: the {kind} command is empty: give the command or leave the option out")
    if not template.isascii() or any(ch < " " for ch in template):
        raise UsageError(f"{origin}: the {kind} command {template!r} has characters DOS cannot take: use plain ASCII on one line")
    bad = unsafe_characters(template)
    if bad:
        raise UsageError(
            f"{origin}: the {kind} command {template!r} contains {' '.join(bad)}, which the DOS menu cannot run or show "
            "safely: leave out redirections and quotes"
        )
    names = _PLACEHOLDER.findall(template)
    unknown = [n for n in names if n not in ALLOWED[kind]]
    if unknown or _PLACEHOLDER.sub("", template).count("{") or _PLACEHOLDER.sub("", template).count("}"):
        allowed = ", ".join("{" + p + "}" for p in ALLOWED[kind])
        raise UsageError(f"{origin}: the {kind} command {template!r} uses an unknown placeholder: it may use {allowed}")
    needed = REQUIRED.get(kind)
    if needed and needed not in names:
        raise UsageError(
            f"{origin}: the {kind} command {template!r} lacks {{{needed}}}: the menu must know which file it "
            + ("writes the backup to" if kind == "backup" else "flashes")
        )
    return template


def batch_line(template: str, flasher: str, firmware: str, backup: str) -> str:
    """The batch line that runs a command: placeholders filled in (backup: a batch variable or
    a sample path), and CALL before a batch file, which would otherwise never return to the menu."""
    line = template.replace("{flasher}", flasher).replace("{firmware}", firmware).replace("{backup}", backup)
    return f"CALL {line}" if line.split()[0].upper().endswith(".BAT") else line


def check_length(kind: str, template: str, flasher: str, firmware: str, origin: str) -> None:
    line = batch_line(template, flasher, firmware, "X" * LONGEST_BACKUP)
    if len(line) > MAX_COMMAND:
        raise UsageError(
            f"{origin}: the {kind} command is {len(line)} characters once filled in ({line!r}); the menu can run and "
            f"show at most {MAX_COMMAND}: shorten it"
        )


def _parse(name: str, text: str) -> Profile:
    origin = f"profile {name}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise UsageError(f"{origin} has unknown keys {', '.join(unknown)}: it may have {', '.join(sorted(_KEYS))}")
    for key in ("description", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise UsageError(f"{origin} needs a {key} (text)")
    flashers = data.get("flashers", [])
    if not isinstance(flashers, list) or not all(isinstance(f, str) for f in flashers):
        raise UsageError(f"{origin}: flashers must be a list of file names")
    if not isinstance(data.get("flasher_dir_a", False), bool):
        raise UsageError(f"{origin}: flasher_dir_a must be true or false")
    commands = {}
    for kind in ALLOWED:
        value = data.get(kind)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{origin}: {kind} must be a command (text)")
        commands[kind] = check_command(kind, value, origin) if value is not None else None
    if name != GENERIC and commands["flash"] is None:
        raise UsageError(f"{origin} has no flash command: a profile exists to flash")
    return Profile(
        name=name,
        description=data["description"].strip(),
        source=data["source"].strip(),
        flashers=tuple(f.upper() for f in flashers),
        identify=commands["identify"],
        backup=commands["backup"],
        flash=commands["flash"],
        flasher_dir_a=data.get("flasher_dir_a", False),
    )


def all_profiles() -> dict[str, Profile]:
    """Every shipped profile by name, generic first, then alphabetical."""
    folder = resources.files("mkrescue") / "profiles"
    found = {
        entry.name[: -len(".toml")]: _parse(entry.name[: -len(".toml")], entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    return {name: found[name] for name in sorted(found, key=lambda n: (n != GENERIC, n))}


def get_profile(name: str) -> Profile:
    profiles = all_profiles()
    if name not in profiles:
        raise UsageError(f"there is no flasher profile {name!r}: `mkrescue profiles` lists them ({', '.join(profiles)})")
    return profiles[name]


def profile_for_flasher(flasher_name: str) -> Profile:
    """The profile made for this flasher file, else generic (the user's own commands)."""
    profiles = all_profiles()
    return next((p for p in profiles.values() if flasher_name.upper() in p.flashers), profiles[GENERIC])
