"""Flasher profiles: data files (profiles/<name>.toml), one per flasher tool, giving the
command templates the rescue menu runs to identify the device, back up its firmware and
flash it. A profile is data, never code: adding a tool means adding a file whose syntax
was checked against the tool's documentation.

The format (TOML; every text plain ASCII without % < > | or double quotes):

  description = "what the flasher flashes"                      (required)
  source = "the document its syntax comes from"                 (required: a reader can open it)
  flashers = ["NECFLASH.EXE", "BINFLASH.EXE"]   the file names that select this profile
                                                (case-insensitive; optional)
  identify = "{flasher} -scan"                  menu item 1: lists the devices, changes nothing
  backup = "{flasher} -dump {backup} {device}"  menu item 2: must write {backup}
  flash = "{flasher} -flash {firmware} {device}"  menu item 3: must name {firmware} (required,
                                                except in the generic profile)
  device_hint = "the Device line that Identify printed, like 1.0.0 or D:"
                                                what the menu's Device prompt says; required
                                                when a command uses {device}, and only then
  model_pattern = "NEC"                         optional: text a backup of this kind of device
                                                contains; the menu searches the backup for it
                                                when --expect-model does not name the model
  companions = ["CWSDPMI.EXE"]                  optional: files the flasher needs beside it;
                                                the build names the missing ones (--add, --driver)
  no_backup_reason = "why there is no backup"   required when there is no backup command (the
                                                menu shows it), and only then
  flasher_dir_a = false                         optional: the flasher must run from A:\\

Placeholders in a command template:
  {flasher}   the flasher's DOS name on the medium (e.g. BINFLASH.EXE)
  {firmware}  the firmware's DOS name (the menu runs commands in the flasher's folder)
  {backup}    the backup file the menu chose at run time, e.g. X:\\FWBACK1.BIN
  {device}    the device id the user typed at run time (what identify printed), at most
              MAX_DEVICE letters, digits and . : -
The user's own --identify-cmd, --backup-cmd and --flash-cmd follow the same rules.
"""

from __future__ import annotations

import re
import textwrap
import tomllib
from dataclasses import dataclass
from importlib import resources

from mkrescue.dosname import is_valid_83
from mkrescue.errors import ShippedDataError, UsageError
from mkrescue.render import MAX_LINE

# Where each placeholder may appear: a backup goes into {backup}; flashing reads {firmware}.
ALLOWED = {
    "identify": ("flasher", "device"),
    "backup": ("flasher", "backup", "device"),
    "flash": ("flasher", "firmware", "device"),
}
COMMANDS = tuple(ALLOWED)
REQUIRED = {"backup": "backup", "flash": "firmware"}
# FreeCOM reads at most 127 characters of a batch line, and the menu shows each command
# on a line of its own after this label (MENU.BAT), so a command gets what is left.
SHOWN_AFTER = "ECHO  Command:     "
MAX_COMMAND = MAX_LINE - len(SHOWN_AFTER)
# The longest value {backup} takes at run time: "X:\FWBACK9.BIN".
LONGEST_BACKUP = len("X:\\FWBACK9.BIN")
# The device id the menu accepts (its DOS tool enforces the same rule at run time): flashers
# name devices like 1.0.0 (Binflash), D: or 0:1:0; 16 characters leave room for any of them.
MAX_DEVICE = 16
DEVICE_CHARACTERS = "letters, digits and . : -"
# The menu prints "  Type the Device: <hint>" on one 80-column line.
MAX_HINT = 60
# The menu wraps the reason over at most three lines.
MAX_REASON = 3 * 72
# The menu shows the model on one 80-column line with the firmware's name and size.
MAX_MODEL = 32
# The prompt for a --*-cmd with {device} when the profile has no hint of its own.
DEFAULT_HINT = "the device id that Identify (1) printed"
# '%' would be taken as a batch variable, '<', '>' and '|' as redirections (also when the
# menu echoes the command to show it), '"' cannot be echoed safely.
_FORBIDDEN = set('%<>|"')
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TEXTS = ("description", "source", "device_hint", "model_pattern", "no_backup_reason")
_KEYS = {*_TEXTS, *COMMANDS, "flashers", "companions", "flasher_dir_a"}
_TEXT_LIMITS = {"device_hint": MAX_HINT, "model_pattern": MAX_MODEL, "no_backup_reason": MAX_REASON}
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
    flasher_dir_a: bool = False  # the flasher expects to run from A:\
    device_hint: str | None = None  # the Device prompt's hint; set when a command uses {device}
    model_pattern: str | None = None  # text a backup of such a device contains
    companions: tuple[str, ...] = ()  # files (8.3, upper case) the flasher needs beside it
    no_backup_reason: str | None = None  # why there is no backup command

    def command(self, kind: str) -> str | None:
        return getattr(self, kind)


def check_text(text: str, what: str, origin: str, limit: int) -> str:
    """A text the menu echoes on a DOS line: plain printable ASCII, nothing DOS would act on."""
    text = text.strip()
    if not text or not text.isascii() or not text.isprintable() or len(text) > limit:
        raise UsageError(f"{origin}: {what} {text!r} must be plain ASCII text of 1 to {limit} characters on one line")
    bad = sorted(_FORBIDDEN & set(text))
    if bad:
        raise UsageError(f"{origin}: {what} {text!r} contains {' '.join(bad)}, which the DOS menu cannot show safely: leave them out")
    return text


def check_command(kind: str, template: str, origin: str) -> str:
    """A command template the menu can run: one DOS line, known placeholders only."""
    template = template.strip()
    if not template:
        raise UsageError(f"{origin}: the {kind} command is empty: give the command or leave the option out")
    if not template.isascii() or any(ch < " " for ch in template):
        raise UsageError(f"{origin}: the {kind} command {template!r} has characters DOS cannot take: use plain ASCII on one line")
    bad = sorted(_FORBIDDEN & set(template))
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


def uses_device(template: str | None) -> bool:
    return template is not None and "{device}" in template


def batch_line(template: str, flasher: str, firmware: str, backup: str, device: str) -> str:
    """The batch line that runs a command: placeholders filled in (backup and device: batch
    variables or sample values), and CALL before a batch file, which would otherwise never
    return to the menu."""
    line = (template.replace("{flasher}", flasher).replace("{firmware}", firmware)
            .replace("{backup}", backup).replace("{device}", device))
    return f"CALL {line}" if line.split()[0].upper().endswith(".BAT") else line


def check_length(kind: str, template: str, flasher: str, firmware: str, origin: str) -> None:
    """Refuse a command that, filled in with the longest backup name and device, would not fit
    the menu's line."""
    line = batch_line(template, flasher, firmware, "X" * LONGEST_BACKUP, "X" * MAX_DEVICE)
    if len(line) > MAX_COMMAND:
        raise UsageError(
            f"{origin}: the {kind} command is {len(line)} characters once filled in ({line!r}); the menu can run and "
            f"show at most {MAX_COMMAND}: shorten it"
        )


def reason_lines(reason: str) -> list[str]:
    """The no-backup reason as the menu's lines (ECHO adds two spaces of margin)."""
    return textwrap.wrap(reason, 72)


def _names(data: dict, key: str, origin: str, check_83: bool) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise UsageError(f"{origin}: {key} must be a list of file names")
    names = tuple(f.strip().upper() for f in value)
    bad = [n for n in names if check_83 and not is_valid_83(n)]
    if bad:
        raise UsageError(f"{origin}: {key} {', '.join(bad)} are not DOS 8.3 file names")
    if len(set(names)) != len(names):
        raise UsageError(f"{origin}: {key} names a file twice")
    return names


def _parse(name: str, text: str) -> Profile:
    """A shipped profile file; a broken one is a bug in mkrescue (ShippedDataError)."""
    try:
        return _read(name, text)
    except UsageError as exc:  # the same rules as for a command line, but the fault is ours
        raise ShippedDataError(str(exc)) from exc


def _read(name: str, text: str) -> Profile:
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
    texts = {}
    for key in (*_TEXTS, *COMMANDS):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{origin}: {key} must be text")
        if value is not None and key in COMMANDS:
            value = check_command(key, value, origin)
        elif value is not None and key in _TEXT_LIMITS:
            value = check_text(value, key, origin, _TEXT_LIMITS[key])
        texts[key] = value.strip() if value is not None else None
    if not isinstance(data.get("flasher_dir_a", False), bool):
        raise UsageError(f"{origin}: flasher_dir_a must be true or false")
    if name != GENERIC and texts["flash"] is None:
        raise UsageError(f"{origin} has no flash command: a profile exists to flash")
    device_used = any(uses_device(texts[kind]) for kind in COMMANDS)
    if device_used and texts["device_hint"] is None:
        raise UsageError(f"{origin}: a command uses {{device}}, so it needs a device_hint for the menu's Device prompt")
    if not device_used and texts["device_hint"] is not None:
        raise UsageError(f"{origin} has a device_hint but no command uses {{device}}: remove the hint or use {{device}}")
    if name != GENERIC and texts["backup"] is None and texts["no_backup_reason"] is None:
        raise UsageError(f"{origin} has no backup command: say why in no_backup_reason (the menu shows it)")
    if texts["backup"] is not None and texts["no_backup_reason"] is not None:
        raise UsageError(f"{origin} has a backup command and a no_backup_reason: keep one")
    return Profile(
        name=name,
        description=texts["description"],
        source=texts["source"],
        flashers=_names(data, "flashers", origin, check_83=False),
        identify=texts["identify"],
        backup=texts["backup"],
        flash=texts["flash"],
        flasher_dir_a=data.get("flasher_dir_a", False),
        device_hint=texts["device_hint"],
        model_pattern=texts["model_pattern"],
        companions=_names(data, "companions", origin, check_83=True),
        no_backup_reason=texts["no_backup_reason"],
    )


def profile_lines(profile: Profile) -> list[tuple[str, str]]:
    """What `mkrescue profiles` shows of a profile, as (label, text)."""
    lines = [("names", ", ".join(profile.flashers))] if profile.flashers else []
    lines += [(kind, profile.command(kind)) for kind in COMMANDS if profile.command(kind)]
    if profile.no_backup_reason:
        lines.append(("backup", f"none: {profile.no_backup_reason}"))
    if profile.device_hint:
        lines.append(("device", profile.device_hint))
    if profile.model_pattern:
        lines.append(("model", f"a backup contains {profile.model_pattern}"))
    if profile.companions:
        lines.append(("needs", ", ".join(profile.companions)))
    if profile.flasher_dir_a:
        lines.append(("runs", "from A:\\ (its folder is mapped there)"))
    return lines + [("source", profile.source)]


def profiles_folder():
    """Where the profiles are: package data (tests point it at their own)."""
    return resources.files("mkrescue") / "profiles"


def all_profiles() -> dict[str, Profile]:
    """Every shipped profile by name, generic first, then alphabetical."""
    folder = profiles_folder()
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


def profile_for_flasher(*flasher_names: str) -> Profile:
    """The profile made for this flasher (its DOS name or its own file name, in any letter
    case), else generic (the user's own commands)."""
    profiles = all_profiles()
    wanted = {n.upper() for n in flasher_names}
    return next((p for p in profiles.values() if wanted & set(p.flashers)), profiles[GENERIC])
