"""mkrescue check: read any image back and report findings; nothing is printed here.

    report = check_image(Path("rescue.iso"))
    report.ok, report.kind, [(f.severity, f.code, f.message, f.where) for f in report.findings]

The kind comes from the content, never the name (the build checks a `.NAME.XXXX.part`
file). A damaged or hostile image gives findings, never an exception; only a path that
is missing, a directory or unreadable raises InputFileError."""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path
from typing import BinaryIO

from mkrescue import bootcode
from mkrescue.check.bpb import SECTOR, FLOPPY_GEOMETRY, Expect, starts_with_jump
from mkrescue.check.disk import check_disk, check_volume
from mkrescue.check.iso import check_iso
from mkrescue.check.mbr import looks_like_mbr
from mkrescue.check.region import CheckError, Region
from mkrescue.check.report import Finding, Findings, ImageKind, Report, format_text
from mkrescue.errors import InputFileError, os_reason

__all__ = ["Finding", "Report", "check_image", "format_text"]

ISO_ID_OFFSETS = (16 * 2048 + 1, 17 * 2048 + 1)  # "CD001" in the first two volume descriptors


def image_mode(path: Path) -> int:
    """The st_mode of an image to read; InputFileError when there is none, or a directory."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputFileError(f"{path} does not exist") from None
    except OSError as exc:
        raise InputFileError(f"{path} cannot be read: {os_reason(exc)}") from None
    if stat.S_ISDIR(mode):
        raise InputFileError(f"{path} is a directory: give an image file")
    return mode


def check_image(path: Path) -> Report:
    path = Path(path)
    mode = image_mode(path)
    if not (stat.S_ISREG(mode) or stat.S_ISBLK(mode)):
        raise InputFileError(f"{path} is not an image file")
    try:
        fp = path.open("rb")
    except OSError as exc:
        raise InputFileError(f"{path} cannot be read: {exc.strerror}") from None
    findings = Findings()
    kind, description = ImageKind.UNKNOWN, ""
    with fp:
        size = fp.seek(0, os.SEEK_END)
        try:
            kind = detect(fp, size)
            description = _CHECKS[kind](fp, size, findings)
        except (CheckError, OSError) as exc:
            findings.error("image.unreadable", f"reading the image failed: {exc}")
        except Exception as exc:  # a bug of ours must still end as a finding, not a traceback
            findings.error("check.internal-error", f"the check itself failed ({type(exc).__name__}: {exc}); please report it")
    return Report(path, kind, findings.finish(), description)


def detect(fp: BinaryIO, size: int) -> ImageKind:
    """What the image is, from the bytes alone."""
    image = Region(fp, 0, size)
    # The primary descriptor, or the boot record after it when the primary is damaged.
    for offset in ISO_ID_OFFSETS:
        if size >= offset + 5 and image.read(offset, 5) == b"CD001":
            return ImageKind.ISO
    if size < SECTOR:
        return ImageKind.UNKNOWN
    sector = image.read(0, SECTOR)
    if bootcode.is_our_mbr(sector):
        return ImageKind.USB
    if bootcode.is_our_boot_sector(sector):
        return ImageKind.FLOPPY
    has_bpb = _has_bpb(sector)
    if looks_like_mbr(sector) and not _plausible_bpb(sector):
        return ImageKind.USB
    if has_bpb or size // SECTOR in FLOPPY_GEOMETRY and size % SECTOR == 0:
        return ImageKind.FLOPPY
    return ImageKind.UNKNOWN


def _has_bpb(sector: bytes) -> bool:
    """A jump over a BPB that says 512 bytes per sector: a FAT boot sector, maybe a damaged one."""
    return starts_with_jump(sector) and struct.unpack_from("<H", sector, 11)[0] == SECTOR


def _plausible_bpb(sector: bytes) -> bool:
    spc, reserved, fats = sector[13], struct.unpack_from("<H", sector, 14)[0], sector[16]
    return _has_bpb(sector) and spc in (1, 2, 4, 8, 16, 32, 64, 128) and reserved >= 1 and fats in (1, 2)


def _check_floppy(fp: BinaryIO, size: int, findings: Findings) -> str:
    volume = check_volume(Region(fp, 0, size), findings, Expect(hard_disk=False))
    fat = f"FAT{volume.bpb.fat_bits} " if volume else ""
    return f"{fat}floppy image, {size // 1024} KiB"


def _check_usb(fp: BinaryIO, size: int, findings: Findings) -> str:
    disk = check_disk(Region(fp, 0, size), findings)
    return f"USB hard-disk image, {size / 2**20:.1f} MiB, {disk.describe()}"


def _check_unknown(fp: BinaryIO, size: int, findings: Findings) -> str:
    if size == 0:
        findings.error("image.empty", "the file is empty")
    elif size < SECTOR:
        findings.error("image.too-small", f"{size} bytes: smaller than one sector")
    else:
        findings.error("image.unknown", "neither a FAT boot sector, an MBR nor an ISO 9660 volume: not an image mkrescue can check")
    return "not a recognised image"


_CHECKS = {ImageKind.FLOPPY: _check_floppy, ImageKind.USB: _check_usb, ImageKind.ISO: check_iso,
           ImageKind.UNKNOWN: _check_unknown}
