"""The EFI System Partition of a medium for UEFI-only PCs: a small FAT16 volume with the
CSM wrapper as EFI/BOOT/BOOTX64.EFI, the path UEFI firmware boots from removable media.
The same volume is partition 2 (type EF) of a USB image, and the El Torito EFI boot
image of an ISO (also partition 2 of its hybrid MBR)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import BinaryIO

from mkrescue.fat import FatParams, extend, fat16_params, required_clusters, write_volume

PARTITION_TYPE_ESP = 0xEF
LABEL = "EFI"
# The smallest FAT16 volume of one-sector clusters: FAT16 keeps every firmware's FAT
# driver on the path it tests most, and 2 MiB is nothing on a stick or a CD.
_MIN_SECTORS = 4200
# The ESP's volume serial differs from the FreeDOS volume's: tools that tell volumes
# apart by serial (Windows does) must not take the two for one.
_SERIAL_FLIP = 0xEFEFEFEF


def esp_params(files: list[tuple[str, bytes]], hidden_sectors: int) -> FatParams:
    """The smallest FAT16 volume (one-sector clusters) that holds `files`."""
    total = _MIN_SECTORS
    while True:
        params = fat16_params(total, hidden_sectors)
        short = required_clusters(params, files) - params.cluster_count
        if short <= 0:
            return params
        total += short * params.sectors_per_cluster + params.sectors_per_cluster


def write_esp(out: BinaryIO, offset: int, params: FatParams, files: list[tuple[str, bytes]], serial: int,
              moment: datetime) -> None:
    """The volume at `offset`; the caller has sized `out` to hold it. `serial` is the
    medium's, which the ESP varies."""
    write_volume(out, offset, params, files, LABEL, serial ^ _SERIAL_FLIP, moment)


def esp_image(files: list[tuple[str, bytes]], serial: int, moment: datetime) -> io.BytesIO:
    """The ESP as a file of its own: the El Torito EFI boot image of a CD."""
    params = esp_params(files, 0)
    image = io.BytesIO()
    extend(image, params.size)
    write_esp(image, 0, params, files, serial, moment)
    return image
