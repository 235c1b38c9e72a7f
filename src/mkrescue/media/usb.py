"""USB hard-disk images: our MBR and one active FAT16 partition with our boot sector.

The geometry is the one BIOSes give USB-HDD devices and El Torito hard-disk emulation
derives from the partition table: 255 heads, 63 sectors per track. The partition starts
at 0/1/1 (LBA 63) and the disk is whole cylinders, so CHS and LBA agree everywhere."""

from __future__ import annotations

import struct
from datetime import datetime
from typing import BinaryIO

from mkrescue import bootcode
from mkrescue.errors import MediumFullError
from mkrescue.media.esp import PARTITION_TYPE_ESP, write_esp
from mkrescue.fat import FAT16_MAX_CLUSTERS, SECTOR, FatParams, extend, fat16_params, required_clusters, write_volume

HEADS = 255
SECTORS_PER_TRACK = 63
CYLINDER = HEADS * SECTORS_PER_TRACK  # sectors
PARTITION_START = SECTORS_PER_TRACK  # the first sector of head 1: CHS 0/1/1
MIB = 1024 * 1024
# Room left free for firmware backups taken on the target PC: a few copies of the firmware.
MIN_FREE = 8 * MIB
BACKUP_COPIES = 3
MIN_CYLINDERS = 2  # the smallest disk whose partition is comfortably FAT16
# FAT16 with 32 KiB clusters tops out just under 2 GiB.
MAX_SECTORS = FAT16_MAX_CLUSTERS * 64 + PARTITION_START
MAX_CYLINDERS = MAX_SECTORS // CYLINDER
PARTITION_TYPE_FAT12 = 0x01
PARTITION_TYPE_FAT16_SMALL = 0x04  # FAT16 below 32 MiB
PARTITION_TYPE_FAT16 = 0x06


def _params_for(cylinders: int) -> FatParams:
    total = cylinders * CYLINDER
    return fat16_params(total - PARTITION_START, PARTITION_START, HEADS, SECTORS_PER_TRACK)


def whole_cylinders(size: int) -> int:
    """The cylinders of a disk of at most `size` bytes: rounded down, so the image always fits
    the stick it was sized for."""
    return size // (CYLINDER * SECTOR)


def disk_params(files: list[tuple[str, bytes]], size: int | None, free_room: int) -> FatParams:
    """The partition for the files: the requested disk size (rounded down to whole
    cylinders), else the smallest disk that holds them plus `free_room` for backups."""
    if size is not None:
        cylinders = whole_cylinders(size)
        if not MIN_CYLINDERS <= cylinders <= MAX_CYLINDERS:
            # The spec refuses such a --size; what an EFI System Partition leaves of one can get here.
            smallest = MIN_CYLINDERS * CYLINDER * SECTOR / MIB
            raise MediumFullError(f"the FreeDOS partition would get {size / MIB:.1f} MiB, less than the {smallest:.1f} MiB"
                                  " it needs: choose a bigger image size")
        params = _params_for(cylinders)
        if required_clusters(params, files) > params.cluster_count:
            need = sum(len(d) for _, d in files)
            actual = cylinders * CYLINDER * SECTOR / MIB
            raise MediumFullError(f"the files ({need / MIB:.1f} MiB) do not fit a {actual:.1f} MiB USB image: choose a bigger"
                                  " image size, or give none and the image is sized to fit")
        return params
    cylinders = MIN_CYLINDERS
    while True:
        if cylinders * CYLINDER > MAX_SECTORS:
            raise MediumFullError("the files do not fit the largest FAT16 USB image (2 GiB): leave out some of the extra files")
        params = _params_for(cylinders)
        free = (params.cluster_count - required_clusters(params, files)) * params.cluster_size
        if free >= free_room:
            return params
        cylinders += max(1, (free_room - free) // (CYLINDER * SECTOR))


def free_room_for(firmware_size: int) -> int:
    return max(MIN_FREE, BACKUP_COPIES * firmware_size)


def _chs(lba: int) -> bytes:
    """CHS triple of a partition entry; 1023/254/63 past what CHS can address."""
    cylinder, rest = divmod(lba, CYLINDER)
    head, sector = divmod(rest, SECTORS_PER_TRACK)
    if cylinder > 1023:
        cylinder, head, sector = 1023, 254, 63
    return bytes((head, (sector + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF))


def partition_type(params: FatParams) -> int:
    if params.fat_bits == 12:
        return PARTITION_TYPE_FAT12
    return PARTITION_TYPE_FAT16_SMALL if params.total_sectors < 65536 else PARTITION_TYPE_FAT16


def _entry(status: int, kind: int, start: int, sectors: int) -> bytes:
    return bytes((status,)) + _chs(start) + bytes((kind,)) + _chs(start + sectors - 1) + struct.pack("<II", start, sectors)


def partition_table(start: int, params: FatParams, esp: tuple[int, int] | None = None) -> bytes:
    """The four entries of an MBR whose active partition 1 is the volume at `start`;
    with `esp` (start, sectors), partition 2 is an EFI System Partition there."""
    table = _entry(0x80, partition_type(params), start, params.total_sectors)
    if esp is not None:
        table += _entry(0x00, PARTITION_TYPE_ESP, *esp)
    return table.ljust(64, b"\0")


def disk_size(params: FatParams, esp: FatParams | None = None) -> int:
    return (params.hidden_sectors + params.total_sectors) * SECTOR + (esp.size if esp else 0)


def write_usb(out: BinaryIO, files: list[tuple[str, bytes]], params: FatParams, label: str, serial: int,
              moment: datetime, esp: tuple[FatParams, list[tuple[str, bytes]]] | None = None) -> None:
    """Write the whole disk; the unused space stays sparse in the file. `serial` is both the
    volume's serial number and the disk signature. With `esp` (its parameters and files),
    an EFI System Partition follows the FreeDOS partition, which stays as it is."""
    esp_params = esp[0] if esp else None
    extend(out, disk_size(params, esp_params))
    out.seek(0)
    esp_extent = (esp_params.hidden_sectors, esp_params.total_sectors) if esp_params else None
    out.write(bootcode.mbr(partition_table(params.hidden_sectors, params, esp_extent), serial))
    write_volume(out, params.hidden_sectors * SECTOR, params, files, label, serial, moment)
    if esp is not None:
        write_esp(out, esp_params.hidden_sectors * SECTOR, esp_params, esp[1], serial, moment)
