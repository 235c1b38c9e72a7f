"""The boot sector of a FAT12/FAT16 volume: its BPB, parsed strictly, and the checks
that decide whether the rest of the volume can be read at all."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mkrescue.check.report import Findings, Severity

SECTOR = 512
DIR_ENTRY = 32
FAT12_MAX_CLUSTERS = 4084  # fewer than 4085 clusters is FAT12, whatever the BPB's label says
FAT16_MAX_CLUSTERS = 65524
MEDIA_BYTES = {0xF0, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF}
# Standard floppy formats (total sectors -> sectors per track, heads): the geometry a
# BIOS assumes for a floppy of that size, so a BPB that says otherwise reads the wrong sectors.
FLOPPY_GEOMETRY = {640: (8, 2), 720: (9, 2), 1440: (9, 2), 2400: (15, 2), 2880: (18, 2), 3360: (21, 2), 5760: (36, 2)}
DISK_GEOMETRY = (63, 255)  # what BIOSes present a USB-HDD as, and what we write


def starts_with_jump(sector: bytes) -> bool:
    """A boot sector starts with a jump over its BPB: EB xx 90 or E9 xx xx."""
    return sector[0] == 0xEB and sector[2] == 0x90 or sector[0] == 0xE9


@dataclass(frozen=True)
class Expect:
    """What the medium around the volume implies about its BPB."""

    hard_disk: bool  # in a partition (USB, El Torito HD emulation) rather than a floppy
    floppy_sectors: int | None = None  # El Torito floppy emulation fixes the size
    hidden_sectors: int | None = None  # where the partition starts, when the BPB must say so


@dataclass(frozen=True)
class Bpb:
    jump: bytes
    bytes_per_sector: int
    sectors_per_cluster: int
    reserved_sectors: int
    fat_count: int
    root_entries: int
    total_sectors_16: int
    media: int
    sectors_per_fat: int
    sectors_per_track: int
    heads: int
    hidden_sectors: int
    total_sectors_32: int
    drive_number: int
    extended_signature: int
    fs_type: bytes

    @classmethod
    def parse(cls, sector: bytes) -> Bpb:
        (jump, bps, spc, reserved, fats, root, total16, media, spf, spt, heads, hidden, total32) = struct.unpack_from(
            "<3s8xHBHBHHBHHHII", sector, 0)
        drive, signature = sector[0x24], sector[0x26]
        return cls(jump, bps, spc, reserved, fats, root, total16, media, spf, spt, heads, hidden, total32,
                   drive, signature, sector[0x36:0x3E])

    @property
    def total_sectors(self) -> int:
        return self.total_sectors_16 or self.total_sectors_32

    @property
    def root_dir_sectors(self) -> int:
        return (self.root_entries * DIR_ENTRY + SECTOR - 1) // SECTOR

    @property
    def first_root_sector(self) -> int:
        return self.reserved_sectors + self.fat_count * self.sectors_per_fat

    @property
    def first_data_sector(self) -> int:
        return self.first_root_sector + self.root_dir_sectors

    @property
    def cluster_count(self) -> int:
        data = self.total_sectors - self.first_data_sector
        return data // self.sectors_per_cluster if data > 0 and self.sectors_per_cluster else 0

    @property
    def fat_bits(self) -> int:
        return 12 if self.cluster_count <= FAT12_MAX_CLUSTERS else 16

    @property
    def cluster_size(self) -> int:
        return self.sectors_per_cluster * SECTOR

    @property
    def fat_bytes_needed(self) -> int:
        return ((self.cluster_count + 2) * self.fat_bits + 7) // 8

    def describe(self) -> str:
        return (f"FAT{self.fat_bits}, {self.total_sectors} sectors, {self.cluster_count} clusters of "
                f"{self.cluster_size} bytes, {self.sectors_per_track} sectors/track, {self.heads} heads")


def check_boot_sector(sector: bytes, findings: Findings, expect: Expect, room: int, ours: bool) -> Bpb | None:
    """Findings about the boot sector; the BPB when the volume can be walked, else None.
    `room` is how many bytes of the image the volume can occupy; `ours`: the boot code
    is mkrescue's, which relies on more of the BPB than other boot code does."""
    if sector[510:512] == b"\x55\xaa":
        findings.ok("boot.signature", "boot sector ends with 55 AA")
    else:
        findings.error("boot.signature", f"boot sector ends with {sector[510:512].hex(' ').upper()}, not 55 AA: no BIOS boots it")
    if not starts_with_jump(sector):
        findings.error("boot.jump", f"boot sector starts with {sector[:3].hex(' ').upper()}, not a jump over the BPB")
    if ours:
        findings.ok("boot.code", "boot code is mkrescue's")
    else:
        findings.warning("boot.code-unknown", "boot code is not mkrescue's: it may not load KERNEL.SYS")
    bpb = Bpb.parse(sector)
    return bpb if _bpb_usable(bpb, findings, expect, room, ours) else None


def _bpb_usable(bpb: Bpb, findings: Findings, expect: Expect, room: int, ours: bool) -> bool:
    fatal = []
    if bpb.bytes_per_sector != SECTOR:
        fatal.append(("bpb.bytes-per-sector", f"{bpb.bytes_per_sector} bytes per sector, not 512"))
    if bpb.sectors_per_cluster == 0 or bpb.sectors_per_cluster & (bpb.sectors_per_cluster - 1):
        fatal.append(("bpb.sectors-per-cluster", f"{bpb.sectors_per_cluster} sectors per cluster: must be a power of two"))
    if bpb.reserved_sectors == 0:
        fatal.append(("bpb.reserved-sectors", "0 reserved sectors: the boot sector itself is one"))
    if bpb.fat_count == 0:
        fatal.append(("bpb.fat-count", "0 FATs"))
    if bpb.root_entries == 0:
        fatal.append(("bpb.root-entries", "0 root directory entries: not a FAT12/FAT16 volume (FAT32?)"))
    if bpb.sectors_per_fat == 0:
        fatal.append(("bpb.fat-size", "0 sectors per FAT: not a FAT12/FAT16 volume (FAT32?)"))
    if bpb.total_sectors == 0:
        fatal.append(("bpb.total-sectors", "0 sectors in the volume"))
    if not fatal and bpb.cluster_count == 0:
        fatal.append(("bpb.total-sectors", f"the volume's {bpb.total_sectors} sectors leave no room for data after "
                      f"the {bpb.first_data_sector} sectors of boot sector, FATs and root directory"))
    if not fatal and bpb.cluster_count > FAT16_MAX_CLUSTERS:
        fatal.append(("bpb.cluster-count", f"{bpb.cluster_count} clusters: too many for FAT16 (FAT32 is not supported)"))
    if not fatal and bpb.fat_bytes_needed > bpb.sectors_per_fat * SECTOR:
        fatal.append(("bpb.fat-size", f"{bpb.sectors_per_fat} sectors per FAT cannot hold {bpb.cluster_count} FAT{bpb.fat_bits} entries"))
    for code, message in fatal:
        findings.error(code, message)
    if fatal:
        return False

    size = bpb.total_sectors * SECTOR
    if size > room:
        findings.error("volume.truncated", f"the BPB says the volume has {size} bytes, the image holds only {room} of them")
    if bpb.first_data_sector * SECTOR > room:
        return False  # not even the FATs and the root directory are there to read
    _soft_checks(bpb, findings, expect, ours)
    findings.ok("bpb", bpb.describe())
    return True


def _soft_checks(bpb: Bpb, findings: Findings, expect: Expect, ours: bool) -> None:
    """Faults that leave the volume readable but can stop it booting."""
    if bpb.media not in MEDIA_BYTES:
        findings.error("bpb.media", f"media byte {bpb.media:#04x} is not one DOS knows (F0, F8-FF)")
    if bpb.fat_count > 2:
        findings.warning("bpb.fat-count", f"{bpb.fat_count} FATs; DOS writes 2")
    if (bpb.root_entries * DIR_ENTRY) % SECTOR:
        findings.warning("bpb.root-entries", f"{bpb.root_entries} root entries do not fill whole sectors")
    if bpb.total_sectors_16 and bpb.total_sectors_32:
        findings.warning("bpb.total-sectors", "both the 16-bit and the 32-bit sector count are set")
    label = bpb.fs_type.rstrip(b" ")
    if label != f"FAT{bpb.fat_bits}".encode() and (ours or bpb.extended_signature == 0x29 and label.startswith(b"FAT")):
        # Our boot code reads this string to tell FAT12 from FAT16; other code ignores it.
        findings.add(Severity.ERROR if ours else Severity.WARNING, "bpb.fs-type",
                     f"labelled {label.decode('ascii', 'replace')!r} but {bpb.cluster_count} clusters make it FAT{bpb.fat_bits}")
    if not (1 <= bpb.sectors_per_track <= 63 and 1 <= bpb.heads <= 255):
        findings.error("bpb.geometry", f"{bpb.sectors_per_track} sectors/track and {bpb.heads} heads: a BIOS has 1-63 and 1-255")
    elif expect.hard_disk:
        if (bpb.sectors_per_track, bpb.heads) != DISK_GEOMETRY:
            findings.warning("bpb.geometry", f"{bpb.sectors_per_track} sectors/track and {bpb.heads} heads; BIOSes present USB disks as 63 and 255")
    else:
        standard = FLOPPY_GEOMETRY.get(bpb.total_sectors)
        if standard and (bpb.sectors_per_track, bpb.heads) != standard:
            findings.error("bpb.geometry", f"{bpb.sectors_per_track} sectors/track and {bpb.heads} heads; a floppy of "
                           f"{bpb.total_sectors} sectors has {standard[0]} and {standard[1]}")
    if expect.floppy_sectors is not None and bpb.total_sectors != expect.floppy_sectors:
        findings.error("bpb.floppy-size", f"the BPB says {bpb.total_sectors} sectors but the emulated floppy has {expect.floppy_sectors}")
    elif not expect.hard_disk and bpb.total_sectors not in FLOPPY_GEOMETRY:
        findings.warning("bpb.floppy-size", f"{bpb.total_sectors} sectors is no standard floppy size: a BIOS may not boot it")
    drive = 0x80 if expect.hard_disk else 0x00
    if bpb.extended_signature == 0x29 and bpb.drive_number != drive:
        findings.warning("bpb.drive-number", f"drive number {bpb.drive_number:#04x}, expected {drive:#04x} on a {'hard disk' if expect.hard_disk else 'floppy'}")
    hidden = expect.hidden_sectors if expect.hard_disk else 0
    if hidden is not None and bpb.hidden_sectors != hidden:
        findings.error("bpb.hidden-sectors", f"{bpb.hidden_sectors} hidden sectors, but the volume starts at sector {hidden}")
