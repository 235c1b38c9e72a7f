"""The MBR of a USB image, of an El Torito hard-disk image and of a hybrid ISO: its
partition table, parsed strictly and checked against the image around it."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mkrescue import bootcode
from mkrescue.check.bpb import SECTOR
from mkrescue.check.report import Findings

TABLE = 0x1BE
ACTIVE = 0x80
HEADS, SECTORS_PER_TRACK = 255, 63
FAT12_TYPES = {0x01}
FAT16_SMALL_TYPES = {0x04, 0x06, 0x0E}  # below 65536 sectors type 04 is the classic one
FAT16_TYPES = {0x06, 0x0E}
EXTENDED_TYPES = {0x05, 0x0F, 0x85}
ESP_TYPE = 0xEF  # EFI System Partition: the CSM wrapper's, for UEFI-only PCs


@dataclass(frozen=True)
class Partition:
    number: int  # 1-4
    status: int
    start_chs: bytes
    type: int
    end_chs: bytes
    start: int  # LBA
    sectors: int

    @classmethod
    def parse(cls, table: bytes, number: int) -> Partition:
        status, start_chs, kind, end_chs, start, sectors = struct.unpack_from("<B3sB3sII", table, (number - 1) * 16)
        return cls(number, status, start_chs, kind, end_chs, start, sectors)

    @property
    def used(self) -> bool:
        return self.type != 0

    @property
    def end(self) -> int:
        return self.start + self.sectors

    @property
    def where(self) -> str:
        return f"partition {self.number}"


def partitions(sector: bytes) -> list[Partition]:
    return [Partition.parse(sector[TABLE : TABLE + 64], n) for n in range(1, 5)]


def looks_like_mbr(sector: bytes) -> bool:
    """Every status byte 00 or 80 and at least one partition with a place and a size;
    55 AA is left to check_mbr, so an MBR that lost it is still recognised as one."""
    table = partitions(sector)
    return all(p.status in (0, ACTIVE) for p in table) and any(p.used and p.start and p.sectors for p in table)


def _chs(lba: int) -> bytes:
    cylinder, rest = divmod(lba, HEADS * SECTORS_PER_TRACK)
    head, sector = divmod(rest, SECTORS_PER_TRACK)
    return bytes((head, (sector + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF))


def _beyond_chs(chs: bytes) -> bool:
    """CHS fields clamp at cylinder 1023 past what CHS can address; any head/sector then goes."""
    return chs[2] | ((chs[1] & 0xC0) << 2) == 1023


def check_mbr(sector: bytes, findings: Findings, image_sectors: int) -> Partition | None:
    """Findings about the MBR of a disk of `image_sectors` sectors; the partition to
    boot (the active one, else the first used) when it lies within the image."""
    if sector[510:512] == b"\x55\xaa":
        findings.ok("mbr.signature", "MBR ends with 55 AA")
    else:
        findings.error("mbr.signature", f"MBR ends with {sector[510:512].hex(' ').upper()}, not 55 AA: no BIOS boots it")
    if bootcode.is_our_mbr(sector):
        findings.ok("mbr.code", "MBR code is mkrescue's")
    else:
        findings.warning("mbr.code-unknown", "MBR code is not mkrescue's: it may not boot the partition")
    table = partitions(sector)
    faults = findings.error_count()
    for p in table:
        if p.status not in (0, ACTIVE):
            findings.error("mbr.status", f"status byte {p.status:#04x}: must be 00 or 80", p.where)
    used = [p for p in table if p.used]
    active = [p for p in table if p.status == ACTIVE]
    if not used:
        findings.error("mbr.no-partition", "the partition table is empty")
        return None
    if not active:
        findings.error("mbr.no-active", "no partition is marked active: a BIOS boots none of them")
    elif len(active) > 1:
        findings.error("mbr.several-active", f"partitions {', '.join(str(p.number) for p in active)} are all marked active: a BIOS boots only one")
    dos = [p for p in used if p.type != ESP_TYPE]
    if len(dos) > 1:
        findings.warning("mbr.several", f"{len(dos)} partitions besides EFI System Partitions; mkrescue writes one")
    for p in used:
        _check_extent(p, findings, image_sectors)
    for a, b in ((a, b) for i, a in enumerate(used) for b in used[i + 1 :]):
        if a.start < b.end and b.start < a.end:
            findings.error("mbr.overlap", f"partitions {a.number} and {b.number} overlap")
    boot = next((p for p in active if p.used), used[0])
    if findings.error_count() == faults:
        findings.ok("mbr.table", f"partition {boot.number}: type {boot.type:#04x}, sectors {boot.start}-{boot.end - 1}, active", boot.where)
    if boot.type in EXTENDED_TYPES or not boot.start or not boot.sectors or boot.start >= image_sectors:
        return None
    return boot


def _check_extent(p: Partition, findings: Findings, image_sectors: int) -> None:
    if p.start == 0 or p.sectors == 0:
        findings.error("mbr.bad-extent", f"starts at sector {p.start} with {p.sectors} sectors", p.where)
        return
    if p.end > image_sectors:
        findings.error("mbr.beyond-image", f"sectors {p.start}-{p.end - 1}, but the image ends at sector {image_sectors - 1}", p.where)
    for label, chs, lba in (("start", p.start_chs, p.start), ("end", p.end_chs, p.end - 1)):
        if chs != _chs(lba) and not _beyond_chs(chs):
            findings.warning("mbr.chs", f"{label} CHS {chs.hex(' ')} does not match sector {lba} at 255 heads, 63 sectors/track", p.where)


def check_type(p: Partition, fat_bits: int, total_sectors: int, findings: Findings) -> None:
    """The partition type must say what the volume in it is."""
    if fat_bits == 12:
        allowed, what = FAT12_TYPES, "FAT12: type 01"
    elif total_sectors < 65536:
        allowed, what = FAT16_SMALL_TYPES, "FAT16 below 32 MiB: type 04, 06 or 0E"
    else:
        allowed, what = FAT16_TYPES, "FAT16 of 32 MiB or more: type 06 or 0E"
    if p.type not in allowed:
        findings.error("mbr.type", f"type {p.type:#04x} does not match the volume in it ({what})", p.where)
    if total_sectors > p.sectors:
        findings.error("mbr.volume-too-big", f"the volume has {total_sectors} sectors, the partition only {p.sectors}", p.where)


def partition_bytes(p: Partition) -> tuple[int, int]:
    return p.start * SECTOR, p.sectors * SECTOR
