"""What must be on a rescue volume: the boot files, MANIFEST.TXT's hashes, and every
file that FDCONFIG.SYS and the batch files name."""

from __future__ import annotations

import fnmatch
import re

from mkrescue.check.dosrefs import Reference, batch_references, config_references
from mkrescue.check.fatvolume import ROOT, FatVolume, Node
from mkrescue.check.region import CheckError
from mkrescue.check.report import Findings

REQUIRED = ("KERNEL.SYS", "COMMAND.COM", "FDCONFIG.SYS", "AUTOEXEC.BAT")
BOOT_FILES = ("KERNEL.SYS", "COMMAND.COM")  # empty, nothing boots; empty configuration files are allowed
MANIFEST = "\\MANIFEST.TXT"
KERNEL_ROOM = 0x26A00 - 0x600
MAX_TEXT = 1024 * 1024  # a config, batch or manifest file bigger than this is not one of ours
MAX_BATCH_FILES = 64
# The most file content the check hashes: far above any rescue medium's (a few MB); a volume
# listing gigabytes gets a warning for what was not hashed instead of a minutes-long check.
MAX_HASH_BYTES = 256 * 1024 * 1024
_MANIFEST_LINE = re.compile(r"([0-9a-fA-F]{64})\s+(\d+)\s+(\\\S+)")
PROGRAM_SUFFIXES = (".COM", ".EXE", ".BAT")
# Bounds of the reference check, whatever the volume holds: file names compared with
# wildcards, and bytes of configuration and batch text parsed.
MAX_WILDCARD_TESTS = 100_000
MAX_REFERENCE_TEXT = 2 * MAX_TEXT
NOT_EXAMINED = "<not examined>"  # a wildcard the budget left unmatched


def check_contents(volume: FatVolume, findings: Findings) -> None:
    _check_required(volume, findings)
    check_manifest(volume, findings)
    _check_references(volume, findings)


def check_kernel_room(volume: FatVolume, findings: Findings) -> None:
    """Our boot sector loads KERNEL.SYS whole, sector by sector, from 0060:0000 and stops
    below its stack at 26A00h (bootcode/fatboot.asm): whole clusters must fit there."""
    node = volume.files.get(ROOT + "KERNEL.SYS")
    if node is None or not node.sound:
        return
    loaded = len(node.chain) * volume.bpb.cluster_size
    if loaded > KERNEL_ROOM:
        findings.error("boot.kernel-too-big", f"KERNEL.SYS takes {loaded} bytes of clusters; the boot code has room for {KERNEL_ROOM}")


def _check_required(volume: FatVolume, findings: Findings) -> None:
    missing = 0
    for name in REQUIRED:
        path = ROOT + name
        node = volume.files.get(path)
        if node is None:
            missing += 1
            what = "a directory" if path in volume.dirs else "missing"
            findings.error("files.missing", f"{path} is {what}: the volume cannot boot FreeDOS without it")
        elif node.size == 0 and name in BOOT_FILES:
            missing += 1
            findings.error("files.empty", f"{path} is empty")
        elif node.size == 0:
            findings.warning("files.empty", f"{path} is empty: DOS starts with its defaults")
    if not missing:
        findings.ok("files.required", "KERNEL.SYS, COMMAND.COM, FDCONFIG.SYS and AUTOEXEC.BAT are in the root")


def _read_text(volume: FatVolume, node: Node, findings: Findings) -> str | None:
    """A small text file's content; None (with a finding when it is news) when unreadable."""
    if not node.sound:
        return None  # its chain fault is already a finding
    if node.size > MAX_TEXT:
        findings.error("files.too-big", f"{node.path} has {node.size} bytes: too big for the text file it should be")
        return None
    try:
        return volume.read(node).decode("cp437")
    except CheckError as exc:
        findings.error("files.unreadable", f"{node.path} cannot be read: {exc}")
        return None


def check_manifest(volume: FatVolume, findings: Findings) -> None:
    node = volume.files.get(MANIFEST)
    if node is None:
        findings.warning("manifest.absent", "no MANIFEST.TXT: file contents cannot be verified")
        return
    text = _read_text(volume, node, findings)
    if text is None:
        return
    listed: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None or match.group(3).upper() in listed:
            findings.error("manifest.bad-line", f"line {number} is not '<sha256> <size> \\PATH' or repeats a path: {line[:60]!r}")
            continue
        listed[match.group(3).upper()] = (match.group(1).lower(), int(match.group(2)))
    faults = findings.error_count()
    hash_left, unhashed = MAX_HASH_BYTES, []
    for path, (digest, size) in listed.items():
        file = volume.files.get(path)
        if file is None:
            findings.error("manifest.missing", f"{path} is listed in MANIFEST.TXT but not on the volume")
        elif not file.sound:
            continue
        elif file.size != size:
            findings.error("manifest.size", f"{path} has {file.size} bytes, MANIFEST.TXT says {size}")
        elif file.size > hash_left:
            unhashed.append(path)
        else:
            hash_left -= file.size
            try:
                actual = volume.sha256(file)
            except CheckError as exc:
                findings.error("files.unreadable", f"{path} cannot be read: {exc}")
                continue
            if actual != digest:
                findings.error("manifest.hash", f"{path}: SHA-256 {actual[:16]}... differs from MANIFEST.TXT's {digest[:16]}...")
    if unhashed:
        findings.warning("manifest.unchecked", f"{len(unhashed)} listed files were not hashed ({', '.join(unhashed[:3])}"
                                               f"{', ...' if len(unhashed) > 3 else ''}): past the {MAX_HASH_BYTES}"
                                               " bytes the check hashes; their sizes match")
    unlisted = [path for path in volume.files if path != MANIFEST and path not in listed]
    for path in unlisted:
        findings.warning("manifest.unlisted", f"{volume.files[path].path} is on the volume but not in MANIFEST.TXT")
    if not listed:
        findings.warning("manifest.empty", "MANIFEST.TXT lists no files")
    elif findings.error_count() == faults:
        hashed = f", {len(listed) - len(unhashed)} of them their SHA-256 too" if unhashed else " and SHA-256"
        findings.ok("manifest", f"{len(listed)} files match their size{hashed} in MANIFEST.TXT")


class _Lookup:
    """Finds DOS paths on the volume: exact, by program name without extension, by wildcard, by name anywhere.
    Indexed once; wildcard matching has a budget of name comparisons, past which a wildcard
    is answered NOT_EXAMINED (a volume of 20,000 files and 2,000 wildcards must not take minutes)."""

    def __init__(self, volume: FatVolume) -> None:
        self.paths = set(volume.files) | set(volume.dirs)
        self.sorted = sorted(self.paths)
        self.by_name: dict[str, list[str]] = {}
        self.by_folder: dict[str, list[str]] = {}
        for path in self.sorted:
            folder, _, leaf = path.rpartition("\\")
            self.by_name.setdefault(leaf, []).append(path)
            self.by_folder.setdefault(folder, []).append(path)
        self.budget = MAX_WILDCARD_TESTS
        self._answers: dict[tuple[str, str], str | None] = {}

    def find(self, path: str, program: bool) -> str | None:
        """The path on the volume that `path` names (relative paths start at the root)."""
        parts = [p for p in path.split("\\") if p not in ("", ".")]
        resolved: list[str] = []
        for part in parts:
            if part == "..":
                if resolved:
                    resolved.pop()
            else:
                resolved.append(part)
        full = ROOT + "\\".join(resolved)
        if "*" in full or "?" in full:
            folder, _, name = full.rpartition("\\")
            return self._first_match(folder, name, self.by_folder.get(folder, []))
        for candidate in self._candidates(full, program):
            if candidate in self.paths:
                return candidate
        return None

    def find_name(self, name: str, program: bool) -> str | None:
        """Any path on the volume with this name (a wildcard matches any folder's files)."""
        if "*" in name or "?" in name:
            return self._first_match("*", name, self.sorted)
        for candidate in self._candidates(name, program):
            if self.by_name.get(candidate):
                return self.by_name[candidate][0]
        return None

    @staticmethod
    def _candidates(path: str, program: bool) -> list[str]:
        has_suffix = "." in path.rsplit("\\", 1)[-1]
        return [path] + ([path + s for s in PROGRAM_SUFFIXES] if program and not has_suffix else [])

    def _first_match(self, folder: str, name: str, paths: list[str]) -> str | None:
        key = (folder, name)
        if key not in self._answers:
            found = None
            for path in paths:
                if self.budget <= 0:
                    return NOT_EXAMINED  # not remembered: it is no answer
                self.budget -= 1
                leaf = path.rpartition("\\")[2]
                if leaf and _dos_match(leaf, name):
                    found = path
                    break
            self._answers[key] = found
        return self._answers[key]


def _dos_match(name: str, pattern: str) -> bool:
    """DOS matches name and extension apart: *.* also matches a name without one."""
    base, _, ext = name.partition(".")
    pattern_base, _, pattern_ext = pattern.partition(".")
    return fnmatch.fnmatchcase(base, pattern_base) and fnmatch.fnmatchcase(ext, pattern_ext)


_RUNTIME_PREFIX = re.compile(r"^(?:%\w+%|[A-Z]:)")


def _runtime_rest(path: str) -> str | None:
    """For a path that starts with a variable or a drive (%MKBOOT%\\X, C:\\X), what follows it."""
    match = _RUNTIME_PREFIX.match(path)
    return path[match.end():] if match else None


def _check_references(volume: FatVolume, findings: Findings) -> None:
    """Every file the boot configuration names exists. Batch files it runs are read too."""
    lookup = _Lookup(volume)
    queue: list[tuple[str, bool]] = [(ROOT + "FDCONFIG.SYS", False), (ROOT + "AUTOEXEC.BAT", True)]
    read: set[str] = set()
    found_here = by_name = unknown = not_examined = 0
    text_left = MAX_REFERENCE_TEXT
    faults = findings.error_count()
    while queue and len(read) < MAX_BATCH_FILES:
        path, is_batch = queue.pop(0)
        node = volume.files.get(path)
        if path in read or node is None:
            continue
        read.add(path)
        if node.size > text_left:
            findings.warning("refs.unchecked", f"{node.path} was not read for references: the configuration and batch"
                                               f" files it takes to get there pass the {MAX_REFERENCE_TEXT} bytes checked")
            continue
        text_left -= node.size
        text = _read_text(volume, node, findings)
        if text is None:
            continue
        name = node.name.upper()
        refs = batch_references(text, name) if is_batch else config_references(text, name)
        for ref in refs:
            found = _resolve(lookup, ref, findings)
            if found is NOT_EXAMINED:
                not_examined += 1
                continue
            if found is None:
                unknown += 1
                continue
            found_here += 1
            by_name += _runtime_rest(ref.path) is not None
            if found.endswith(".BAT") and found in volume.files:
                queue.append((found, True))
    if not_examined:
        findings.warning("refs.unchecked", f"{not_examined} wildcard references were not matched against the volume's"
                                           f" {len(lookup.paths)} files and folders: past the {MAX_WILDCARD_TESTS}"
                                           " name comparisons the check allows")
    if found_here + unknown and findings.error_count() == faults:
        notes = [f"{by_name} run-time paths matched by name"] * bool(by_name) + [f"{unknown} known only at run time"] * bool(unknown)
        findings.ok("refs", f"the {found_here} files named in {', '.join(sorted(p[1:] for p in read))} are on the volume"
                            + (f" ({'; '.join(notes)})" if notes else ""))


def _resolve(lookup: _Lookup, ref: Reference, findings: Findings) -> str | None:
    rest = _runtime_rest(ref.path)
    if rest is not None:
        # %VAR%\ and drive paths are only known at run time: the boot drive (then the
        # path is on this volume) or a copy made on the RAM disk (then the file comes
        # from this volume under the same name). Neither found may still be a file the
        # menu makes at run time, so it is a warning, not an error.
        name = rest.rsplit("\\", 1)[-1]
        found = (lookup.find(rest, ref.program) if rest.startswith("\\") else None) or (lookup.find_name(name, ref.program) if name else None)
        if name and found is None:
            findings.warning("refs.runtime-missing", f"{ref.path} is used at run time; no {name} is on the volume to put there", ref.where)
        return found
    if "%" in ref.path:
        return None  # built from variables we cannot know
    found = lookup.find(ref.path, ref.program)
    if found is None:
        kind = "program" if ref.program else "file"
        findings.error("refs.missing", f"the {kind} {ref.path} is not on the volume", ref.where)
    return found
