"""Images for the check tests: good ones built once per session through the CLI, and a
small FAT editor that breaks copies of them by hand. The editor is written from the FAT
layout, not from mkrescue.check, so the check is judged by code that is not its own."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from build_fixtures import make_dos_dir
from mkrescue.cli import main

SECTOR = 512
ISO_SECTOR = 2048
EPOCH = "1700000000"


def build(tmp: Path, name: str, firmware: bytes, *extra: str) -> Path:
    """One image through the CLI a user types; fixed time so every run makes the same bytes."""
    dos = make_dos_dir(tmp / "dos") if not (tmp / "dos").exists() else tmp / "dos"
    inputs = tmp / f"inputs-{name}"
    inputs.mkdir()
    flasher = inputs / "binflash.exe"
    flasher.write_bytes(b"MZ" + bytes(510) + b"FLASHER" * 100)
    fw = inputs / "fw.bin"
    fw.write_bytes(firmware)
    out = tmp / name
    try:
        main(["--flasher", str(flasher), "--fw", str(fw), "--dos-dir", str(dos), "-o", str(out), *extra])
    except SystemExit as exc:  # main() exits only on failure
        pytest.fail(f"building {name} failed with status {exc.code}")
    return out


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """floppy, iso (floppy emulation, hybrid), iso-plain (no hybrid MBR), iso-hd (hard-disk emulation, hybrid), usb."""
    tmp = tmp_path_factory.mktemp("check-images")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    small = b"_NEC ND-1300A 1.07" + bytes(range(256)) * 256
    big = random.Random(7).randbytes(3_100_000)  # too big for a 2.88 MB floppy: hard-disk emulation
    try:
        return {
            "floppy": build(tmp, "rescue.img", small),
            "iso": build(tmp, "rescue.iso", small),
            "iso-plain": build(tmp, "plain.iso", small, "--no-hybrid"),
            "iso-hd": build(tmp, "hd.iso", big),
            "usb": build(tmp, "rescue.usb.img", small),
        }
    finally:
        mp.undo()


def broken(source: Path, tmp: Path, change) -> Path:
    """A copy of `source` with `change(bytearray)` applied; returns the copy's path."""
    data = bytearray(source.read_bytes())
    result = change(data)
    out = tmp / f"broken-{source.name}"
    out.write_bytes(data if result is None else result)
    return out


class FatEditor:
    """Reads and patches a FAT12/FAT16 volume that starts at `offset` in a bytearray."""

    def __init__(self, data: bytearray, offset: int = 0) -> None:
        self.data, self.offset = data, offset
        (self.sectors_per_cluster, self.reserved, self.fat_count, self.root_entries, total16, _media,
         self.sectors_per_fat) = struct.unpack_from("<BHBHHBH", data, offset + 13)
        total = total16 or struct.unpack_from("<I", data, offset + 32)[0]
        self.first_root = self.reserved + self.fat_count * self.sectors_per_fat
        self.first_data = self.first_root + self.root_entries * 32 // SECTOR
        self.clusters = (total - self.first_data) // self.sectors_per_cluster
        self.bits = 12 if self.clusters < 4085 else 16

    def _fat(self, copy: int) -> int:
        return self.offset + (self.reserved + copy * self.sectors_per_fat) * SECTOR

    def get(self, cluster: int) -> int:
        base = self._fat(0)
        if self.bits == 16:
            return struct.unpack_from("<H", self.data, base + 2 * cluster)[0]
        pair = struct.unpack_from("<H", self.data, base + cluster * 3 // 2)[0]
        return pair >> 4 if cluster & 1 else pair & 0xFFF

    def set(self, cluster: int, value: int, copies: tuple[int, ...] | None = None) -> None:
        for copy in copies if copies is not None else range(self.fat_count):
            base = self._fat(copy)
            if self.bits == 16:
                struct.pack_into("<H", self.data, base + 2 * cluster, value)
                continue
            at = base + cluster * 3 // 2
            pair = struct.unpack_from("<H", self.data, at)[0]
            pair = (pair & 0x000F) | (value << 4) if cluster & 1 else (pair & 0xF000) | value
            struct.pack_into("<H", self.data, at, pair)

    def chain(self, start: int) -> list[int]:
        chain = [start]
        while (value := self.get(chain[-1])) < (0xFF8 if self.bits == 12 else 0xFFF8):
            chain.append(value)
        return chain

    def cluster_at(self, cluster: int) -> int:
        return self.offset + (self.first_data + (cluster - 2) * self.sectors_per_cluster) * SECTOR

    def entry(self, path: str) -> int:
        """Byte offset of the directory entry of "DIR/NAME.EXT" (every directory in one cluster)."""
        at, count = self.offset + self.first_root * SECTOR, self.root_entries
        parts = path.split("/")
        for depth, part in enumerate(parts):
            found = next((at + 32 * i for i in range(count) if self._name(at + 32 * i) == part), None)
            assert found is not None, f"{path}: no {part}"
            if depth == len(parts) - 1:
                return found
            at, count = self.cluster_at(self.start_of(found)), self.sectors_per_cluster * SECTOR // 32
        raise AssertionError(path)

    def _name(self, at: int) -> str:
        raw = bytes(self.data[at : at + 11])
        base, ext = raw[:8].rstrip(b" ").decode("latin-1"), raw[8:].rstrip(b" ").decode("latin-1")
        return f"{base}.{ext}" if ext else base

    def start_of(self, entry: int) -> int:
        return struct.unpack_from("<H", self.data, entry + 26)[0]

    def start(self, path: str) -> int:
        return self.start_of(self.entry(path))

    def size(self, path: str) -> int:
        return struct.unpack_from("<I", self.data, self.entry(path) + 28)[0]

    def set_start(self, path: str, cluster: int) -> None:
        struct.pack_into("<H", self.data, self.entry(path) + 26, cluster)

    def set_size(self, path: str, size: int) -> None:
        struct.pack_into("<I", self.data, self.entry(path) + 28, size)

    def rename(self, path: str, name11: bytes) -> None:
        at = self.entry(path)
        self.data[at : at + 11] = name11


def iso_boot_entry(data: bytearray) -> int:
    """Byte offset of the El Torito boot catalogue, from the boot record at sector 17."""
    record = 17 * ISO_SECTOR
    assert data[record + 7 : record + 30] == b"EL TORITO SPECIFICATION"
    return struct.unpack_from("<I", data, record + 0x47)[0] * ISO_SECTOR


def iso_boot_volume(data: bytearray) -> int:
    """Byte offset of the floppy image an El Torito floppy-emulation entry boots."""
    catalogue = iso_boot_entry(data)
    return struct.unpack_from("<I", data, catalogue + 32 + 8)[0] * ISO_SECTOR


def fix_validation_checksum(data: bytearray, catalogue: int) -> None:
    struct.pack_into("<H", data, catalogue + 28, 0)
    total = sum(struct.unpack_from("<16H", data, catalogue)) & 0xFFFF
    struct.pack_into("<H", data, catalogue + 28, (0x10000 - total) & 0xFFFF)


def partition_entry(number: int) -> int:
    return 0x1BE + 16 * (number - 1)
