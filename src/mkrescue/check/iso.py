"""An ISO 9660 image: its size, its El Torito boot catalogue parsed from the bytes, the
boot image it points at (checked as a floppy or a hard disk), and a hybrid MBR.

pycdlib validates the ISO 9660 structure itself; our own parse covers what it lets
through (a truncated image) and what booting depends on byte by byte."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from mkrescue.check.bpb import SECTOR, Expect
from mkrescue.check.disk import check_disk, check_esps, check_volume
from mkrescue.check.esp import PLATFORM_EFI
from mkrescue.check.mbr import check_mbr, check_type, looks_like_mbr, partitions
from mkrescue.check.region import MAX_READ, CheckError, Malformed, Region
from mkrescue.check.report import Findings

ISO_SECTOR = 2048
FIRST_DESCRIPTOR = 16
MAX_DESCRIPTORS = 64  # a handful is normal; the set must end well before this
STANDARD_ID = b"CD001"
EL_TORITO_ID = b"EL TORITO SPECIFICATION"
BOOT_RECORD, PRIMARY, TERMINATOR = 0, 1, 255
BOOTABLE = 0x88
SECTION_HEADER, LAST_SECTION_HEADER = 0x90, 0x91
PLATFORM_X86 = 0
NO_EMULATION, HARD_DISK = 0, 4
FLOPPY_MEDIA = {1: (2400, "1.2 MB"), 2: (2880, "1.44 MB"), 3: (5760, "2.88 MB")}  # media type -> sectors
BOOT_SEGMENTS = (0, 0x07C0)  # 0 means the default, 07C0
MAX_MESSAGE = 200
SUPPLEMENTARY = 2  # Joliet's descriptor: pycdlib parses its tree too
# pycdlib keeps every directory record as objects (about 20 times the bytes on disk, 2.5 GB
# for a hostile 120 MB of records): counted first, it parses only an image with fewer than
# this many records. Ours have about a hundred.
MAX_DIRECTORY_RECORDS = 20_000
MAX_DIRECTORY_BYTES = 16 * 1024 * 1024
MIN_RECORD = 34  # a directory record with a one-byte name
ROOT_RECORD = 156  # in a volume descriptor
PATH_TABLE_SIZE = 132
MIN_PATH_RECORD = 10  # a path table record with a one-byte name (and its padding)


@dataclass(frozen=True)
class PrimaryVolume:
    space_size: int  # logical blocks
    block_size: int

    @classmethod
    def parse(cls, sector: bytes) -> PrimaryVolume:
        return cls(struct.unpack_from("<I", sector, 80)[0], struct.unpack_from("<H", sector, 128)[0])


@dataclass(frozen=True)
class ValidationEntry:
    header_id: int
    platform: int
    key: bytes
    checksum_ok: bool

    @classmethod
    def parse(cls, entry: bytes) -> ValidationEntry:
        words = struct.unpack("<16H", entry)
        return cls(entry[0], entry[1], entry[30:32], sum(words) & 0xFFFF == 0)


@dataclass(frozen=True)
class InitialEntry:
    indicator: int
    media: int
    load_segment: int
    system_type: int
    sector_count: int
    load_rba: int

    @classmethod
    def parse(cls, entry: bytes) -> InitialEntry:
        indicator, media, segment, system, _, count, rba = struct.unpack_from("<BBHBBHI", entry, 0)
        return cls(indicator, media & 0x0F, segment, system, count, rba)


def check_iso(fp: BinaryIO, size: int, findings: Findings) -> str:
    """Every check of an ISO; returns what the image is, in a few words."""
    image = Region(fp, 0, size)
    primary, catalog_lba = _descriptors(image, findings)
    if primary is None:
        return "ISO 9660 image without a primary volume descriptor"
    if primary.block_size != ISO_SECTOR:
        findings.error("iso.block-size", f"logical block size {primary.block_size}, not 2048")
        return "ISO 9660 image"
    volume_bytes = primary.space_size * ISO_SECTOR
    if volume_bytes > size:
        findings.error("iso.truncated", f"the volume descriptor says {volume_bytes} bytes, the file has only {size}")
    else:
        padding = f", padded to {size} bytes" if size > volume_bytes else ""
        findings.ok("iso.size", f"{primary.space_size} sectors of 2048 bytes{padding}")
    if _too_many_records(image):
        findings.warning("iso.unchecked", f"more than {MAX_DIRECTORY_RECORDS} directory and path table records (or"
                                          f" {MAX_DIRECTORY_BYTES} bytes of directories): the ISO 9660 directories were"
                                          " not parsed, that would take minutes and gigabytes; the boot path was checked")
    else:
        _pycdlib_check(fp, findings)
    if catalog_lba is None:
        findings.error("eltorito.absent", "no El Torito boot record: the CD does not boot")
        return "ISO 9660 image, not bootable"
    boot = _check_catalog(image, catalog_lba, min(size, volume_bytes) // ISO_SECTOR, findings)
    if boot is None:
        return "ISO 9660 image, unusable El Torito catalogue"
    efi_start = _check_efi_entries(image, catalog_lba, min(size, volume_bytes) // ISO_SECTOR, findings)
    efi = ", EFI boot entry" if efi_start is not None else ""
    return f"ISO 9660 image, El Torito {boot.described}{efi}{_check_hybrid(image, boot.volume, findings, efi_start)}"


def _descriptors(image: Region, findings: Findings) -> tuple[PrimaryVolume | None, int | None]:
    """The primary volume descriptor and the boot catalogue's sector, from the descriptor set."""
    primary = catalog = None
    for number in range(FIRST_DESCRIPTOR, FIRST_DESCRIPTOR + MAX_DESCRIPTORS):
        try:
            sector = image.read(number * ISO_SECTOR, ISO_SECTOR)
        except CheckError:
            findings.error("iso.truncated", f"the file ends inside the volume descriptors (sector {number})")
            return primary, catalog
        if sector[1:6] != STANDARD_ID:
            findings.error("iso.descriptors", f"sector {number} is not a volume descriptor and the set has not ended")
            return primary, catalog
        kind = sector[0]
        if kind == TERMINATOR:
            break
        if kind == PRIMARY and primary is None:
            primary = PrimaryVolume.parse(sector)
        elif kind == BOOT_RECORD and sector[7:39].rstrip(b"\0") == EL_TORITO_ID:
            catalog = struct.unpack_from("<I", sector, 0x47)[0]
    else:
        findings.error("iso.descriptors", f"no descriptor set terminator in {MAX_DESCRIPTORS} sectors")
    if primary is None:
        findings.error("iso.no-primary", "no primary volume descriptor: not an ISO 9660 volume")
    return primary, catalog


def _too_many_records(image: Region) -> bool:
    """Whether pycdlib would parse more than MAX_DIRECTORY_RECORDS directory and path table
    records (or more than MAX_DIRECTORY_BYTES of directories), counted in one walk that stops
    as soon as either passes; unreadable parts are left for pycdlib to report."""
    count, left = 0, MAX_DIRECTORY_BYTES
    directories: list[tuple[int, int]] = []
    for number in range(FIRST_DESCRIPTOR, FIRST_DESCRIPTOR + MAX_DESCRIPTORS):
        try:
            sector = image.read(number * ISO_SECTOR, ISO_SECTOR)
        except CheckError:
            break
        if sector[1:6] != STANDARD_ID or sector[0] == TERMINATOR:
            break
        if sector[0] in (PRIMARY, SUPPLEMENTARY):
            count += struct.unpack_from("<I", sector, PATH_TABLE_SIZE)[0] // MIN_PATH_RECORD
            directories.append(_extent(sector, ROOT_RECORD))
    seen: set[int] = set()
    while directories:
        lba, length = directories.pop()
        if lba in seen:
            continue
        seen.add(lba)
        try:
            data = image.read(lba * ISO_SECTOR, min(length, left + 1))
        except CheckError:
            continue
        left -= len(data)
        offset = 0
        while offset < len(data):
            size = data[offset]
            if size == 0:  # records do not cross sectors: the rest of this one is padding
                offset = (offset // ISO_SECTOR + 1) * ISO_SECTOR
                continue
            if size < MIN_RECORD - 1 or offset + size > len(data):
                break
            count += 1
            name = data[offset + 33: offset + 33 + data[offset + 32]]
            if data[offset + 25] & 2 and name not in (b"\0", b"\1"):  # a subdirectory, not . or ..
                directories.append(_extent(data, offset))
            offset += size
        if count > MAX_DIRECTORY_RECORDS or left < 0:
            return True
    return count > MAX_DIRECTORY_RECORDS


def _extent(data: bytes, record: int) -> tuple[int, int]:
    """The (sector, length) of the directory record at `record`."""
    return struct.unpack_from("<I", data, record + 2)[0], struct.unpack_from("<I", data, record + 10)[0]


class _CappedReads:
    """The image as pycdlib sees it, with every single read capped: pycdlib reads a
    directory whole at the length the disk claims, which a hostile image sets to
    gigabytes, and only the size of the file would then bound the memory."""

    def __init__(self, fp: BinaryIO) -> None:
        self._fp = fp

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > MAX_READ:
            raise Malformed(f"a structure claims {size} bytes")
        return self._fp.read(size)

    def __getattr__(self, name: str) -> object:
        return getattr(self._fp, name)


def _pycdlib_check(fp: BinaryIO, findings: Findings) -> None:
    """pycdlib's parse validates directories, path tables and Joliet, which we do not."""
    import pycdlib  # only ISOs need it, and its import costs start-up time

    iso = pycdlib.PyCdlib()
    try:
        fp.seek(0)
        iso.open_fp(_CappedReads(fp))
    except Exception as exc:  # pycdlib raises its own errors and, on hostile bytes, Python's
        findings.error("iso.invalid", f"ISO 9660 structure rejected by pycdlib: {str(exc)[:MAX_MESSAGE]}")
        return
    try:
        iso.close()
    except Exception:  # closing a parsed image only drops references; nothing left to report
        pass
    findings.ok("iso.structure", "ISO 9660 directories and path tables parse (pycdlib)")


@dataclass(frozen=True)
class _BootVolume:
    """The FAT volume the El Torito entry boots: where it starts in the ISO, what it is."""

    start: int  # in 512-byte sectors from the start of the ISO
    fat_bits: int
    total_sectors: int


@dataclass(frozen=True)
class _Boot:
    """What the El Torito catalogue boots."""

    described: str  # e.g. "1.44 MB floppy emulation"
    volume: _BootVolume | None  # None when the boot image holds no readable FAT volume


def _check_catalog(image: Region, lba: int, sectors: int, findings: Findings) -> _Boot | None:
    """The catalogue's validation and initial entries, then the boot image they point at;
    None when the catalogue is unusable."""
    catalogue, initial = findings.scoped("El Torito catalogue"), findings.scoped("El Torito initial entry")
    if lba >= sectors:
        catalogue.error("eltorito.catalog-beyond-end", f"the boot catalogue is at sector {lba}, the image has {sectors}")
        return None
    raw = image.read(lba * ISO_SECTOR, 64)
    if not _check_validation_entry(ValidationEntry.parse(raw[:32]), lba, catalogue):
        return None
    entry = InitialEntry.parse(raw[32:64])
    described = _check_initial_entry(entry, sectors, findings, initial)
    if described is None:
        return None
    return _Boot(described, _check_boot_image(image, entry, sectors, findings, initial))


def _check_validation_entry(validation: ValidationEntry, lba: int, catalogue: Findings) -> bool:
    """False when the catalogue does not start with a validation entry at all."""
    if validation.header_id != 1 or validation.key != b"\x55\xaa":
        catalogue.error("eltorito.validation-entry", f"sector {lba} does not start with a validation entry "
                        f"(header {validation.header_id:#04x}, key bytes {validation.key.hex(' ').upper()})")
        return False
    if not validation.checksum_ok:
        catalogue.error("eltorito.checksum", "the validation entry's checksum is wrong: BIOSes reject the catalogue")
    if validation.platform != PLATFORM_X86:
        catalogue.error("eltorito.platform", f"platform {validation.platform:#04x}, not 0 (x86 BIOS)")
    return True


def _check_initial_entry(entry: InitialEntry, sectors: int, findings: Findings, initial: Findings) -> str | None:
    """The initial entry's fields; returns its emulation in words, None when the entry is unusable."""
    faults = findings.error_count()
    if entry.indicator != BOOTABLE:
        initial.error("eltorito.not-bootable", f"boot indicator {entry.indicator:#04x}, not 88")
    if entry.media not in FLOPPY_MEDIA and entry.media not in (NO_EMULATION, HARD_DISK):
        initial.error("eltorito.media-type", f"media type {entry.media}: El Torito knows 0-4")
        return None
    if entry.load_segment not in BOOT_SEGMENTS:
        initial.error("eltorito.load-segment", f"load segment {entry.load_segment:#06x}: a boot sector expects 07C0")
    emulated = entry.media != NO_EMULATION
    if emulated and entry.sector_count != 1:
        initial.warning("eltorito.sector-count", f"sector count {entry.sector_count}; with emulation BIOSes load 1")
    elif not emulated and entry.sector_count == 0:
        initial.error("eltorito.sector-count", "sector count 0: nothing to load")
    if entry.load_rba >= sectors:
        initial.error("eltorito.image-beyond-end", f"the boot image is at sector {entry.load_rba}, the image has {sectors}")
        return None
    if entry.media in FLOPPY_MEDIA:
        floppy_sectors, name = FLOPPY_MEDIA[entry.media]
        described = f"{name} floppy emulation"
        if entry.load_rba * ISO_SECTOR + floppy_sectors * SECTOR > sectors * ISO_SECTOR:
            initial.error("eltorito.image-beyond-end", f"the {name} floppy image at sector {entry.load_rba} runs past the end of the image")
    elif entry.media == HARD_DISK:
        described = "hard-disk emulation"
    else:
        described = "no emulation"
    if findings.error_count() == faults:
        initial.ok("eltorito.entry", f"x86 BIOS, bootable, {described}, image at sector {entry.load_rba}")
    return described


def _check_boot_image(image: Region, entry: InitialEntry, sectors: int, findings: Findings,
                      initial: Findings) -> _BootVolume | None:
    """The floppy or hard-disk image the entry boots, checked as such; its FAT volume."""
    boot = findings.scoped("boot image")
    offset = entry.load_rba * ISO_SECTOR
    base = entry.load_rba * (ISO_SECTOR // SECTOR)
    if entry.media in FLOPPY_MEDIA:
        floppy_sectors, _ = FLOPPY_MEDIA[entry.media]
        region = image.window(offset, floppy_sectors * SECTOR)
        volume = check_volume(region, boot, Expect(hard_disk=False, floppy_sectors=floppy_sectors))
        return _BootVolume(base, volume.bpb.fat_bits, volume.bpb.total_sectors) if volume is not None else None
    if entry.media == HARD_DISK:
        disk = check_disk(image.window(offset, sectors * ISO_SECTOR - offset), boot)
        if disk.partition is not None and entry.system_type != disk.partition.type:
            initial.warning("eltorito.system-type", f"system type {entry.system_type:#04x}, but the image's partition is type {disk.partition.type:#04x}")
        if disk.partition is None or disk.volume is None:
            return None
        bpb = disk.volume.bpb
        return _BootVolume(base + disk.partition.start, bpb.fat_bits, bpb.total_sectors)
    boot.warning("eltorito.no-emulation", "a no-emulation boot image is not checked: mkrescue never writes one")
    return None


def _check_efi_entries(image: Region, lba: int, sectors: int, findings: Findings) -> int | None:
    """The section entries after the initial one: for platform EF (UEFI), the image must
    be an EFI System Partition (a FAT volume with the CSM wrapper). Returns the first
    such image's 512-byte sector in the ISO, or None when there is none."""
    try:
        raw = image.read(lba * ISO_SECTOR, ISO_SECTOR)  # our catalogues take 3 of its 64 entries
    except CheckError:
        return None  # the catalogue's own check has said so
    entries = findings.scoped("El Torito EFI entry")
    first = None
    offset = 64
    while offset + 32 <= ISO_SECTOR and raw[offset] in (SECTION_HEADER, LAST_SECTION_HEADER):
        last, platform, count = raw[offset] == LAST_SECTION_HEADER, raw[offset + 1], struct.unpack_from("<H", raw, offset + 2)[0]
        offset += 32
        for _ in range(count):
            if offset + 32 > ISO_SECTOR:
                break
            entry = InitialEntry.parse(raw[offset : offset + 32])
            offset += 32
            if platform != PLATFORM_EFI:
                continue
            if entry.indicator != BOOTABLE or entry.media != NO_EMULATION or entry.load_rba >= sectors:
                entries.error("eltorito.efi-entry", f"indicator {entry.indicator:#04x}, media type {entry.media}, image at sector "
                              f"{entry.load_rba}: UEFI needs a bootable no-emulation entry inside the image")
                continue
            entries.ok("eltorito.efi-entry", f"UEFI, bootable, no emulation, image at sector {entry.load_rba}, {entry.sector_count} sectors of 512 bytes")
            length = entry.sector_count * SECTOR
            check_volume(image.window(entry.load_rba * ISO_SECTOR, length), entries, Expect(hard_disk=True), esp=True)
            if first is None:
                first = entry.load_rba * (ISO_SECTOR // SECTOR)
        if last:
            break
    return first


def _check_hybrid(image: Region, volume: _BootVolume | None, findings: Findings, efi_start: int | None = None) -> str:
    """An MBR in the system area (the first 32 KiB) makes the ISO boot from a USB stick;
    ours points at the FAT volume the El Torito entry boots, and at the El Torito EFI
    image as an EFI System Partition when there is one. Returns ", hybrid" or ""."""
    sector = image.read(0, SECTOR)
    hybrid = findings.scoped("hybrid MBR")
    if not any(sector):
        findings.ok("iso.not-hybrid", "the system area is empty: boots from CD only")
        return ""
    if not looks_like_mbr(sector):
        hybrid.warning("hybrid.no-table", "the system area holds data but no partition table")
        return ""
    partition = check_mbr(sector, hybrid, image.length // SECTOR)
    for number in check_esps(image, sector, hybrid, skip_start=efi_start):
        p = partitions(sector)[number - 1]
        if p.start == efi_start:
            hybrid.ok("hybrid.same-esp", f"partition {number} is the El Torito EFI image (sector {p.start})")
    if partition is None:
        return ", hybrid (damaged)"
    if volume is not None and partition.start == volume.start:
        check_type(partition, volume.fat_bits, volume.total_sectors, hybrid)
        hybrid.ok("hybrid.same-volume", f"partition {partition.number} is the El Torito boot volume (sector {partition.start})")
        return ", hybrid"
    if volume is not None:
        hybrid.warning("hybrid.other-volume", f"partition {partition.number} starts at sector {partition.start}, "
                       f"the El Torito boot volume at {volume.start}: checked on its own")
    start, length = partition.start * SECTOR, partition.sectors * SECTOR
    found = check_volume(image.window(start, length), hybrid.scoped(partition.where), Expect(hard_disk=True))
    if found is not None:
        check_type(partition, found.bpb.fat_bits, found.bpb.total_sectors, hybrid)
    return ", hybrid"
