"""mkrescue's own boot code: the FAT12/FAT16 boot sector that loads KERNEL.SYS and the
MBR of USB images. The .asm sources sit next to the assembled .bin files, which are
what gets used (building mkrescue never needs nasm; a test re-assembles and compares)."""

from __future__ import annotations

import struct
from functools import cache
from importlib.resources import files

BOOT_SECTOR_SIZE = 512
BPB_START, CODE_START = 0x03, 0x3E  # fat_boot_sector() puts the volume's bytes 03h..3Dh in between
MBR_CODE_END = 0x1B8  # disk signature, then the partition table at 1BEh
SIGNATURE = b"\x55\xaa"
# Microsoft's rule, which DOS follows: fewer than 4085 clusters is FAT12, up to 65524 FAT16.
FAT12_MAX_CLUSTERS = 4084
FAT16_MAX_CLUSTERS = 65524


@cache
def _binary(name: str) -> bytes:
    data = (files(__name__) / name).read_bytes()
    if len(data) != BOOT_SECTOR_SIZE or data[-2:] != SIGNATURE:
        raise RuntimeError(f"mkrescue is damaged: bootcode/{name} is not a 512-byte boot sector; reinstall it")
    return data


def _cluster_count(bpb: bytes) -> int:
    """Clusters of the volume the BPB (bytes 03h..3Dh) describes, as DOS counts them."""
    per_cluster, reserved, fats, root_entries, total16 = struct.unpack_from("<BHBHH", bpb, 0x0D - BPB_START)
    per_fat, = struct.unpack_from("<H", bpb, 0x16 - BPB_START)
    total32, = struct.unpack_from("<I", bpb, 0x20 - BPB_START)
    root_sectors = (root_entries * 32 + BOOT_SECTOR_SIZE - 1) // BOOT_SECTOR_SIZE
    data_sectors = (total16 or total32) - reserved - fats * per_fat - root_sectors
    return data_sectors // per_cluster if per_cluster and data_sectors > 0 else 0


def fat_boot_sector(bpb: bytes) -> bytes:
    """bpb = the 59 bytes for offsets 0x03..0x3D (OEM name, BPB, extended BPB); returns
    the 512-byte sector with our code.

    Refuses what the boot code does not check itself for want of room: sectors other
    than 512 bytes, and a type string at 36h ("FAT12   "/"FAT16   ", which the code reads
    to tell the two apart) that does not match the volume's cluster count."""
    if len(bpb) != CODE_START - BPB_START:
        raise ValueError(f"a BPB for bytes 03h..3Dh is {CODE_START - BPB_START} bytes, not {len(bpb)}")
    bytes_per_sector, = struct.unpack_from("<H", bpb, 0x0B - BPB_START)
    if bytes_per_sector != BOOT_SECTOR_SIZE:
        raise ValueError(f"the boot code needs 512-byte sectors, the BPB says {bytes_per_sector}")
    clusters = _cluster_count(bpb)
    fat_type = b"FAT12   " if clusters <= FAT12_MAX_CLUSTERS else b"FAT16   "
    if clusters == 0 or clusters > FAT16_MAX_CLUSTERS:
        raise ValueError(f"the BPB describes no FAT12/FAT16 volume ({clusters} clusters)")
    if bpb[0x36 - BPB_START : CODE_START - BPB_START] != fat_type:
        raise ValueError(f"a volume of {clusters} clusters needs the type string {fat_type.decode().strip()} at 36h")
    code = _binary("fatboot.bin")
    return code[:BPB_START] + bytes(bpb) + code[CODE_START:]


def mbr(partition_entries: bytes, disk_signature: int) -> bytes:
    """partition_entries = 64 bytes (4 x 16) for 0x1BE..0x1FD; returns 512 bytes with our
    code, the disk signature at 0x1B8 and 55AA."""
    if len(partition_entries) != 64:
        raise ValueError(f"a partition table is 64 bytes, not {len(partition_entries)}")
    if not 0 <= disk_signature <= 0xFFFFFFFF:
        raise ValueError(f"a disk signature is 32 bits, not {disk_signature:#x}")
    code = _binary("mbr.bin")
    return code[:MBR_CODE_END] + struct.pack("<IH", disk_signature, 0) + bytes(partition_entries) + SIGNATURE


def is_our_boot_sector(sector: bytes) -> bool:
    """True when the sector carries our jump, code and signature (any BPB); False for
    anything else, including data that is not 512 bytes long."""
    code = _binary("fatboot.bin")
    return (len(sector) == BOOT_SECTOR_SIZE and sector[:BPB_START] == code[:BPB_START]
            and sector[CODE_START:] == code[CODE_START:])


def is_our_mbr(sector: bytes) -> bool:
    """True when the sector carries our MBR code and signature (any table); False for
    anything else, including data that is not 512 bytes long."""
    code = _binary("mbr.bin")
    return len(sector) == BOOT_SECTOR_SIZE and sector[:MBR_CODE_END] == code[:MBR_CODE_END] and sector[-2:] == SIGNATURE
