"""ISO 9660 + Joliet images with an El Torito boot entry, written with pycdlib."""

from __future__ import annotations

import io
import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import BinaryIO, Iterator

from mkrescue import bootcode
from mkrescue.fat import SECTOR, FatParams
from mkrescue.media.usb import partition_table

BOOT_IMAGE = "/BOOT.IMG;1"
BOOT_CATALOG = "/BOOT.CAT;1"
EFI_IMAGE = "/EFIBOOT.IMG;1"
ISO_SECTOR = 2048


class Emulation(StrEnum):
    """What the El Torito entry makes of the boot image; the values are pycdlib's media names."""

    FLOPPY = "floppy"  # pycdlib picks 1.44/2.88 MB from the image's size
    HARD_DISK = "hdemul"


@contextmanager
def _frozen_clock(moment: datetime) -> Iterator[None]:
    """pycdlib has no date parameter: it takes every date (volume descriptors, directory
    records) from time.time() and converts it with time.localtime(), so the clock and the
    TZ both change the bytes; pin both so equal inputs give equal bytes."""
    epoch = moment.replace(tzinfo=timezone.utc).timestamp()
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    real_time = time.time
    # A plain swap rather than unittest.mock, whose import costs more than the build.
    time.time = lambda: epoch
    try:
        yield
    finally:
        time.time = real_time
        if old_tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


class _IsoNames:
    """ISO 9660 level 1 allows only A-Z, 0-9 and _ where DOS also allows - ~ ! and more:
    map each path to a unique ISO name (Joliet keeps the real one)."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        *dirs, leaf = path.split("/")
        parent = self.taken["/".join(dirs)] if dirs else ""
        base, dot, ext = leaf.partition(".")
        base, ext = re.sub(r"[^A-Z0-9_]", "_", base), re.sub(r"[^A-Z0-9_]", "_", ext)
        candidate, n = base, 0
        while self._full(parent, candidate, ext) in self.taken.values():
            n += 1
            candidate = base[: 8 - len(str(n))] + str(n)
        self.taken[path] = self._full(parent, candidate, ext)
        return self.taken[path]

    @staticmethod
    def _full(parent: str, base: str, ext: str) -> str:
        return f"{parent}/{base}.{ext}" if ext else f"{parent}/{base}"

    def file(self, path: str) -> str:
        name = self(path)
        return name + (";1" if "." in name.rsplit("/", 1)[-1] else ".;1")


@dataclass(frozen=True)
class HybridVolume:
    """Where the FAT volume sits inside the boot image, for the hybrid MBR to point at."""

    start: int  # sector of the volume within the boot image (0 for a floppy image)
    params: FatParams
    disk_signature: int


def write_iso(out: BinaryIO, boot_image: BinaryIO, emulation: Emulation, files: list[tuple[str, bytes]],
              volume_label: str, moment: datetime, hybrid: HybridVolume | None = None,
              efi_image: BinaryIO | None = None) -> None:
    """An ISO whose El Torito entry boots `boot_image` (a floppy or a hard-disk image, as
    `emulation` says), and which also shows every file of the medium to any OS that mounts it.

    With `hybrid`, the ISO's system area (its first 32 KiB, unused by ISO 9660 and by CD
    boot) gets our MBR with one partition pointing at the FAT volume inside the boot
    image, so the same file boots when written raw to a USB stick. Our MBR hands the
    partition's real start to our boot sector, whose BPB counts from the boot image.

    With `efi_image` (an EFI System Partition's FAT volume), a second El Torito entry,
    for platform EF (UEFI), boots it; in a hybrid ISO the MBR's partition 2 (type EF)
    points at it too, for UEFI firmware that boots the ISO written to a stick."""
    import pycdlib  # imported here: it is only needed for ISO output and costs start-up time

    with _frozen_clock(moment):
        iso = pycdlib.PyCdlib()
        iso.new(interchange_level=1, vol_ident=volume_label, app_ident_str="MKRESCUE", joliet=3)
        names = _IsoNames()
        for path, data in files:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if directory not in names.taken:
                    iso.add_directory(names(directory), joliet_path="/" + directory)
            iso.add_fp(io.BytesIO(data), len(data), names.file(path), joliet_path="/" + path)
        boot_size = boot_image.seek(0, io.SEEK_END)
        boot_image.seek(0)
        iso.add_fp(boot_image, boot_size, BOOT_IMAGE, joliet_path="/BOOT.IMG")
        if efi_image is not None:
            efi_size = efi_image.seek(0, io.SEEK_END)
            efi_image.seek(0)
            iso.add_fp(efi_image, efi_size, EFI_IMAGE, joliet_path="/EFIBOOT.IMG")
        # pycdlib compares the partition geometry with the image size rounded up to a CD
        # sector, and warns whenever the disk is not a whole number of CD sectors: noise.
        pycdlib_log = logging.getLogger("pycdlib")
        level = pycdlib_log.level
        pycdlib_log.setLevel(logging.ERROR)
        try:
            iso.add_eltorito(BOOT_IMAGE, bootcatfile=BOOT_CATALOG, joliet_bootcatfile="/BOOT.CAT", media_name=emulation)
            if efi_image is not None:
                # A section of its own, platform EF; the BIOS entry stays the initial one.
                iso.add_eltorito(EFI_IMAGE, efi=True, media_name="noemul")
        finally:
            pycdlib_log.setLevel(level)
        iso.write_fp(out)
        to_512 = ISO_SECTOR // SECTOR
        extent = iso.get_record(iso_path=BOOT_IMAGE).extent_location()
        esp = (iso.get_record(iso_path=EFI_IMAGE).extent_location() * to_512, efi_size // SECTOR) if efi_image else None
        iso.close()
    if hybrid is not None:
        start = extent * to_512 + hybrid.start
        out.seek(0)
        out.write(bootcode.mbr(partition_table(start, hybrid.params, esp), hybrid.disk_signature))
