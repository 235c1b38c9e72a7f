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
from typing import BinaryIO

from mkrescue.errors import IntegrityError

# The largest member we read: a FreeDOS kernel is under 128 KiB and a package's
# SOURCES.ZIP about 1-2 MiB; anything far larger is not what the catalogue means.
MAX_MEMBER_BYTES = 8 * 1024 * 1024
# All members read from one zip together: a package's files, licence and LSM are a few
# MiB at most. With MAX_MEMBER_BYTES this bounds what any zip, a zip bomb included, can
# make us decompress (a ratio alone would refuse a mostly-zero file and allow many bombs).
MAX_TOTAL_BYTES = 32 * 1024 * 1024
# The zip's central directory (about 50 bytes and a name per member), which zipfile parses
# whole when it opens a zip: FreeDOS packages hold a few hundred members, some 30 KiB of
# it. 1 MiB admits about 10,000; a 64 MiB download of empty members would be over a
# million, many seconds and most of a gigabyte to parse.
MAX_DIRECTORY_BYTES = 1024 * 1024
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # the End of Central Directory record
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_SIGNATURE = b"PK\x06\x07"
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
        self._stream: BinaryIO | None = None
        try:
            self._stream = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
            _check_directory_size(self._stream, label)
            self._zip = zipfile.ZipFile(self._stream)
        except DAMAGED as exc:
            self._close_stream()
            raise IntegrityError(f"{label} is not a readable zip file ({exc}): the package is damaged;"
                                 " delete it and fetch again, or use another source") from exc
        except BaseException:
            self._close_stream()
            raise
        # FreeDOS packages mix the case of member names between releases, so look names up case-insensitively.
        self._index: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            reason = unsafe_reason(info.filename)
            if reason:
                self.close()
                raise IntegrityError(f"{label} has a member that {reason} ({info.filename!r}): refusing this package")
            key = info.filename.replace("\\", "/").upper()
            if key in self._index and not info.is_dir():
                self.close()
                raise IntegrityError(f"{label} holds {info.filename!r} twice: refusing this package")
            self._index[key] = info

    def __enter__(self) -> PackageZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()  # it does not close a stream it was given
        self._close_stream()

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()

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


def _check_directory_size(stream: BinaryIO, label: str) -> None:
    """Refuse a zip whose central directory is larger than a FreeDOS package's could be,
    before zipfile parses it. The End of Central Directory record is found as zipfile finds
    it (at the very end, else the last one within a comment's reach), so both read the same
    size. FreeDOS packages are never ZIP64, whose own records would give another size."""
    end = stream.seek(0, io.SEEK_END)
    tail_start = max(end - (1 << 16) - _END_OF_DIRECTORY.size, 0)
    stream.seek(tail_start)
    tail = stream.read()
    last = tail[-_END_OF_DIRECTORY.size:]
    if last[:4] == _END_SIGNATURE and last[-2:] == b"\0\0":
        start = len(tail) - _END_OF_DIRECTORY.size
    else:
        start = tail.rfind(_END_SIGNATURE)
    record = tail[start:start + _END_OF_DIRECTORY.size]
    stream.seek(0)
    if start < 0 or len(record) < _END_OF_DIRECTORY.size:
        return  # no directory at all: zipfile says the zip is damaged
    directory_bytes = _END_OF_DIRECTORY.unpack(record)[5]
    end_record_at = tail_start + start
    locator = b""
    if end_record_at >= _ZIP64_LOCATOR.size:  # read where zipfile reads it, which may lie before the tail
        stream.seek(end_record_at - _ZIP64_LOCATOR.size)
        locator = stream.read(_ZIP64_LOCATOR.size)
        stream.seek(0)
    if locator[:4] == _ZIP64_SIGNATURE:
        raise IntegrityError(f"{label} is a ZIP64 archive, which no FreeDOS package is: refusing this package")
    if directory_bytes > MAX_DIRECTORY_BYTES:
        raise IntegrityError(f"{label} lists {directory_bytes} bytes of members, more than the {MAX_DIRECTORY_BYTES}"
                             " a FreeDOS package needs: refusing this package")
