"""Independent judges of the images we write: pyfatfs (a FAT implementation that is not
ours), fsck.fat, mtools and xorriso. Tests use them to read our output back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pyfatfs.PyFat import PyFat


def read_fat_files(image: Path, offset: int = 0) -> dict[str, bytes]:
    """Every file of a FAT volume as {"DIR/NAME.EXT": bytes}, read by pyfatfs."""
    fat = PyFat(offset=offset)
    fat.open(str(image), read_only=True)
    try:
        files: dict[str, bytes] = {}
        for directory, _dirs, entries in fat.root_dir.walk():
            prefix = str(directory).strip("/")
            for entry in entries:
                data = b"".join(fat.read_cluster_contents(c) for c in fat.get_cluster_chain(entry.get_cluster()))
                files[f"{prefix}/{entry}".lstrip("/")] = data[: entry.filesize]
        return files
    finally:
        fat.close()


def cluster_chain(image: Path, path: str, offset: int = 0) -> list[int]:
    fat = PyFat(offset=offset)
    fat.open(str(image), read_only=True)
    try:
        entry = fat.root_dir.get_entry(path)
        return list(fat.get_cluster_chain(entry.get_cluster()))
    finally:
        fat.close()


def need(tool: str) -> str:
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if not found:
        pytest.skip(f"{tool} is not installed (CI installs it)")
    return found


def fsck_fat(image: Path, offset: int = 0) -> subprocess.CompletedProcess:
    """fsck.fat -n on the volume (cut out of the image when it sits at an offset)."""
    target = image
    if offset:
        target = image.with_suffix(".partition")
        with image.open("rb") as src, target.open("wb") as dst:
            src.seek(offset)
            shutil.copyfileobj(src, dst)
    return subprocess.run([need("fsck.fat"), "-n", "-v", str(target)], capture_output=True, text=True)


def mtype(image: Path, path: str, offset: int = 0) -> bytes:
    spec = f"{image}@@{offset}" if offset else str(image)
    done = subprocess.run([need("mtype"), "-i", spec, "::" + path], capture_output=True, check=True,
                          env={"MTOOLS_SKIP_CHECK": "0", "PATH": "/usr/bin:/bin"})
    return done.stdout


def iso_file(image: Path, iso_path: str) -> bytes:
    """A file of an ISO image (e.g. the El Torito boot image "/BOOT.IMG;1"), read by pycdlib."""
    import io

    import pycdlib

    iso = pycdlib.PyCdlib()
    iso.open(str(image))
    try:
        data = io.BytesIO()
        iso.get_file_from_iso_fp(data, iso_path=iso_path)
        return data.getvalue()
    finally:
        iso.close()
