"""Floppy images: a standard 1.44 MB or 2.88 MB FAT12 volume with our boot sector."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import BinaryIO

from mkrescue.errors import MediumFullError
from mkrescue.fat import FLOPPY_1440, FLOPPY_2880, FatParams, extend, required_clusters, write_volume

FLOPPIES = {1440: FLOPPY_1440, 2880: FLOPPY_2880}


def fits(params: FatParams, files: list[tuple[str, bytes]]) -> bool:
    return required_clusters(params, files) <= params.cluster_count


def fitting_floppy(files: list[tuple[str, bytes]], kib: int | None) -> FatParams | None:
    """The requested floppy size, else the smallest that holds the files; None if none does."""
    candidates = [FLOPPIES[kib]] if kib else list(FLOPPIES.values())
    return next((params for params in candidates if fits(params, files)), None)


def choose_floppy(files: list[tuple[str, bytes]], kib: int | None) -> FatParams:
    params = fitting_floppy(files, kib)
    if params is None:
        total = sum(len(data) for _, data in files)
        raise MediumFullError(
            f"the files ({total // 1024} KiB) do not fit a {kib or 2880} KiB floppy: "
            f"{'drop --floppy-size 1.44, or ' if kib == 1440 else ''}build a CD (-o rescue.iso) or a USB image (--format usb)"
        )
    return params


def volume_id(files: list[tuple[str, bytes]], moment: datetime) -> int:
    """A serial number derived from the content, so equal inputs give equal images."""
    digest = hashlib.sha256(moment.isoformat().encode())
    for path, data in files:
        digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    return int.from_bytes(digest.digest()[:4], "little")


def write_floppy(out: BinaryIO, files: list[tuple[str, bytes]], params: FatParams, label: str, serial: int,
                 moment: datetime) -> None:
    extend(out, params.size)
    write_volume(out, 0, params, files, label, serial, moment)
