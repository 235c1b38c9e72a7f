"""A FAT volume checked from its boot sector to its files, and a partitioned disk around
one: the same code for a floppy image, a USB image and the boot image inside an ISO."""

from __future__ import annotations

from dataclasses import dataclass, field

from mkrescue.check.bpb import SECTOR, Expect, check_boot_sector
from mkrescue import bootcode
from mkrescue.check.contents import check_contents, check_kernel_room
from mkrescue.check.esp import check_esp_contents
from mkrescue.check.fatvolume import FatVolume, read_fat, walk
from mkrescue.check.mbr import Partition, check_mbr, check_type, partition_bytes, partitions, ESP_TYPE
from mkrescue.check.region import CheckError, Region
from mkrescue.check.report import Findings


@dataclass(frozen=True)
class Disk:
    partition: Partition | None
    volume: FatVolume | None
    esps: list[int] = field(default_factory=list)  # numbers of the EFI System Partitions

    def describe(self) -> str:
        if self.partition is None:
            return "no usable partition"
        fat = f", FAT{self.volume.bpb.fat_bits}" if self.volume else ""
        esp = "".join(f", EFI System Partition {n}" for n in self.esps)
        return f"partition {self.partition.number}{fat}{esp}"


def check_volume(region: Region, findings: Findings, expect: Expect, esp: bool = False) -> FatVolume | None:
    """Every check of a FAT volume; the volume when its structure could be walked.
    `esp`: an EFI System Partition, which holds the CSM wrapper instead of FreeDOS."""
    try:
        sector = region.read(0, SECTOR)
    except CheckError:
        findings.error("volume.truncated", f"the image ends before the volume's boot sector ({region.length} bytes)")
        return None
    ours = bootcode.is_our_boot_sector(sector)
    bpb = check_boot_sector(sector, findings, expect, region.length, ours)
    if bpb is None:
        return None
    try:
        fat = read_fat(region, bpb, findings)
    except CheckError as exc:
        findings.error("fat.unreadable", f"the FAT cannot be read: {exc}")
        return None
    volume = walk(region, bpb, fat, findings)
    if esp:
        check_esp_contents(volume, findings)
        return volume
    check_contents(volume, findings)
    if ours:
        check_kernel_room(volume, findings)
    return volume


def check_disk(region: Region, findings: Findings, hidden_is_start: bool = True) -> Disk:
    """An MBR and the FAT volume in its boot partition. `hidden_is_start`: the volume's
    BPB must count its hidden sectors from this disk's start (not so in a hybrid ISO,
    whose MBR points into the El Torito boot image)."""
    try:
        sector = region.read(0, SECTOR)
    except CheckError:
        findings.error("image.too-small", f"{region.length} bytes: not even an MBR")
        return Disk(None, None)
    partition = check_mbr(sector, findings, region.length // SECTOR)
    if partition is None:
        return Disk(None, None)
    start, length = partition_bytes(partition)
    expect = Expect(hard_disk=True, hidden_sectors=partition.start if hidden_is_start else None)
    volume = check_volume(region.window(start, length), findings.scoped(partition.where), expect)
    if volume is not None:
        check_type(partition, volume.bpb.fat_bits, volume.bpb.total_sectors, findings)
    return Disk(partition, volume, check_esps(region, sector, findings))


def check_esps(region: Region, sector: bytes, findings: Findings, skip_start: int | None = None) -> list[int]:
    """Check the EFI System Partitions (type EF) of the MBR `sector`, but the one at
    `skip_start`; returns the numbers of all of them."""
    found = []
    for p in partitions(sector):
        if p.type == ESP_TYPE and p.start and p.sectors:
            found.append(p.number)
            if p.start != skip_start:
                start, length = partition_bytes(p)
                check_volume(region.window(start, length), findings.scoped(p.where), Expect(hard_disk=True), esp=True)
    return found
