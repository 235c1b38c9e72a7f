"""Read named members out of a FreeDOS package zip, refusing anything hostile.

Nothing here writes to disk: callers get bytes and choose the target path from the
catalogue, so no name inside a zip ever becomes a path on this machine. Still, a zip
whose names try to escape (absolute, drive letter, `..`) is not a FreeDOS package,
and is refused whole."""

from __future__ import annotations

import io
import lzma
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from mkrescue.errors import IntegrityError

# The largest member we read: a FreeDOS kernel is under 128 KiB and a package's
# SOURCES.ZIP about 1-2 MiB; anything far larger is not what the catalogue means.
MAX_MEMBER_BYTES = 8 * 1024 * 1024
# All members read from one zip together: a package's files, licence and LSM are a few
# MiB at most. With MAX_MEMBER_BYTES this bounds what any zip, a zip bomb included, can
# make us decompress (a ratio alone would refuse a mostly-zero file and allow many bombs).
MAX_TOTAL_BYTES = 32 * 1024 * 1024
# What zipfile raises on damaged or hostile bytes besides BadZipFile: the decompressors'
# errors, unsupported versions and methods, names flagged UTF-8 that are not, impossible offsets.
DAMAGED = (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError, zlib.error,
           lzma.LZMAError, struct.error, OverflowError)
_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_reason(name: str) -> str | None:
    """Why a member name could escape the directory it is extracted into, or None."""
    if "\0" in name:
        return "contains a NUL byte"
    if name.startswith(("/", "\\")):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in re.split(r"[/\\]", name):
        return "contains '..'"
    return None


class PackageZip:
    """An open package zip whose every member name has been checked."""

    def __init__(self, source: Path | bytes, label: str, *, max_member_bytes: int = MAX_MEMBER_BYTES,
                 max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.label = label
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self.budget = max_total_bytes  # what may still be decompressed from this zip
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except DAMAGED as exc:
            raise IntegrityError(f"{label} is not a readable zip file ({exc}): the package is damaged;"
                                 " delete it and fetch again, or use another source") from exc
        # FreeDOS packages mix the case of member names between releases, so look names up case-insensitively.
        self._index: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            reason = unsafe_reason(info.filename)
            if reason:
                self._zip.close()
                raise IntegrityError(f"{label} has a member that {reason} ({info.filename!r}): refusing this package")
            key = info.filename.replace("\\", "/").upper()
            if key in self._index and not info.is_dir():
                self._zip.close()
                raise IntegrityError(f"{label} holds {info.filename!r} twice: refusing this package")
            self._index[key] = info

    def __enter__(self) -> PackageZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def has(self, name: str) -> bool:
        info = self._index.get(name.upper())
        return info is not None and not info.is_dir()

    def has_prefix(self, prefix: str) -> bool:
        """Whether any member lies at or under `prefix` (a file, or a folder ending in '/')."""
        prefix = prefix.upper()
        return any(key == prefix or (prefix.endswith("/") and key.startswith(prefix)) for key in self._index)

    def read(self, name: str) -> bytes:
        """The bytes of one member; IntegrityError if it is missing, oversized or damaged."""
        info = self._index.get(name.upper())
        if info is None or info.is_dir():
            raise IntegrityError(f"{self.label} has no {name}: the package is not what mkrescue's catalogue expects;"
                                 " use --dos-dir with FreeDOS files you have")
        if info.file_size > self.max_member_bytes:
            raise IntegrityError(f"{self.label}: {name} is {info.file_size} bytes, more than the"
                                 f" {self.max_member_bytes} allowed: refusing this package")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise IntegrityError(f"{self.label}: {name} is a symbolic link, not a file: refusing this package")
        if info.file_size > self.budget:
            raise IntegrityError(f"{self.label}: {name} would take the data read from this zip past"
                                 f" {self.max_total_bytes} bytes (a zip bomb?): refusing this package")
        try:
            with self._zip.open(info) as member:
                # zipfile stops at the declared size; reading one byte more catches a lie anyway.
                data = member.read(min(self.max_member_bytes, self.budget) + 1)
        except DAMAGED as exc:
            raise IntegrityError(f"{self.label}: cannot read {name} ({exc}): the package is damaged;"
                                 " delete it and fetch again, or use another source") from exc
        self.budget -= len(data)
        if len(data) > self.max_member_bytes or self.budget < 0:
            raise IntegrityError(f"{self.label}: {name} is larger than it says (a zip bomb?): refusing this package")
        return data
