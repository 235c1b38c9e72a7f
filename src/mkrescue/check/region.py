"""Bounded reads of an image: every structure is read through a Region, a window of the
file that refuses to read outside itself, so an offset a hostile image supplies can
never reach past the end, and the image is never read whole into memory."""

from __future__ import annotations

from typing import BinaryIO

# No structure we parse is larger (a FAT16 root directory of 65535 entries is 2 MiB):
# a bigger read means a computed size went wrong, and must not become a huge allocation.
MAX_READ = 4 * 1024 * 1024


class CheckError(Exception):
    """A structure cannot be read or parsed; turned into a finding where it is caught."""


class Truncated(CheckError):
    """A read reaches past the end of the image (or of the window it belongs to)."""


class Malformed(CheckError):
    """Bytes that do not parse as the structure they should be."""


class Region:
    """`length` bytes of `fp` starting at `start`."""

    def __init__(self, fp: BinaryIO, start: int, length: int) -> None:
        self.fp = fp
        self.start = start
        self.length = max(0, length)

    def read(self, offset: int, size: int) -> bytes:
        if offset < 0 or size < 0 or offset + size > self.length:
            raise Truncated(f"{size} bytes at offset {offset} lie past the end ({self.length} bytes)")
        if size > MAX_READ:
            raise Malformed(f"a read of {size} bytes at offset {offset} is larger than any structure")
        self.fp.seek(self.start + offset)
        data = self.fp.read(size)
        if len(data) != size:
            raise Truncated(f"{size} bytes at offset {offset}: the file ends after {len(data)}")
        return data

    def window(self, offset: int, length: int) -> Region:
        """The part of this region at `offset`, cut short where this region ends."""
        offset = min(max(0, offset), self.length)
        return Region(self.fp, self.start + offset, min(length, self.length - offset))
