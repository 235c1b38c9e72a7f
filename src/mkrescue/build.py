"""One build, start to finish: spec -> files -> medium, written next to the output and
given its name only when complete and checked (outfile.py)."""

from __future__ import annotations

import errno
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mkrescue.check import check_image
from mkrescue.errors import CheckFailed, WriteError, os_reason
from mkrescue.layout import esp_files, media_files
from mkrescue.media import MediaFormat, usb
from mkrescue.media.esp import esp_image, esp_params
from mkrescue.media.floppy import choose_floppy, fitting_floppy, volume_id, write_floppy
from mkrescue.media.iso import Emulation, HybridVolume, write_iso
from mkrescue.outfile import pending
from mkrescue.spec import VOLUME_LABEL, RescueSpec


@dataclass(frozen=True)
class BuildResult:
    output: Path
    size: int
    description: str  # e.g. "ISO 9660 + Joliet, El Torito floppy emulation of a 1440 KiB floppy"
    check_warnings: tuple[str, ...]  # what the check of the written image warned about


Files = list[tuple[str, bytes]]


_EFI_NOTE = " and an EFI System Partition with the CSM wrapper"


def _write_usb(spec: RescueSpec, out: BinaryIO, files: Files, serial: int) -> str:
    efi = esp_files(spec) if spec.uefi_app else None
    # --size is the whole disk: the FreeDOS partition gets the whole cylinders that the ESP
    # (about 2 MiB, after it) leaves, so the image never exceeds the stick it was sized for.
    room = spec.disk_size
    if efi and room is not None:
        room -= esp_params(efi, 0).size
    params = usb.disk_params(files, room, usb.free_room_for(spec.firmware.size))
    esp = (esp_params(efi, params.hidden_sectors + params.total_sectors), efi) if efi else None
    usb.write_usb(out, files, params, VOLUME_LABEL, serial, spec.build_time, esp)
    mib = usb.disk_size(params, esp[0] if esp else None) // usb.MIB
    return f"USB hard-disk image, {mib} MiB, one FAT16 partition{_EFI_NOTE if efi else ''}"


def _write_floppy(spec: RescueSpec, out: BinaryIO, files: Files, serial: int) -> str:
    params = choose_floppy(files, spec.floppy_kib)
    write_floppy(out, files, params, VOLUME_LABEL, serial, spec.build_time)
    return f"FAT12 {params.size // 1024} KiB floppy"


def _write_iso(spec: RescueSpec, out: BinaryIO, files: Files, serial: int) -> str:
    """A CD that emulates a floppy when the files fit one, else a hard disk."""
    moment = spec.build_time
    hybrid_note = ", hybrid (also boots from a USB stick)" if spec.hybrid else ""
    efi_image = esp_image(esp_files(spec), serial, moment) if spec.uefi_app else None
    hybrid_note += ", EFI boot entry with the CSM wrapper" if efi_image else ""
    # An asked-for floppy size must be honoured, not quietly traded for hard-disk emulation.
    floppy = choose_floppy(files, spec.floppy_kib) if spec.floppy_kib else fitting_floppy(files, None)
    if floppy is not None:
        boot = io.BytesIO()
        write_floppy(boot, files, floppy, VOLUME_LABEL, serial, moment)
        hybrid = HybridVolume(0, floppy, serial) if spec.hybrid else None
        write_iso(out, boot, Emulation.FLOPPY, files, VOLUME_LABEL, moment, hybrid, efi_image)
        return f"ISO 9660 + Joliet, El Torito floppy emulation of a {floppy.size // 1024} KiB floppy{hybrid_note}"
    # Too big for any floppy: the CD emulates a hard disk instead. It is read-only
    # there, so it needs no room for backups.
    params = usb.disk_params(files, None, 0)
    # In the output's folder, not TMPDIR: a full disk is then the one the messages name.
    with tempfile.TemporaryFile(dir=spec.output.parent) as disk:
        usb.write_usb(disk, files, params, VOLUME_LABEL, serial, moment)
        hybrid = HybridVolume(params.hidden_sectors, params, serial) if spec.hybrid else None
        write_iso(out, disk, Emulation.HARD_DISK, files, VOLUME_LABEL, moment, hybrid, efi_image)
    return f"ISO 9660 + Joliet, El Torito hard-disk emulation of a {usb.disk_size(params) // usb.MIB} MiB disk{hybrid_note}"


# One writer per media format; each returns what it wrote, in words.
_WRITERS = {MediaFormat.USB: _write_usb, MediaFormat.FLOPPY: _write_floppy, MediaFormat.ISO: _write_iso}


def _write(spec: RescueSpec, out: BinaryIO, files: Files) -> str:
    # Hashes every file: computed once, for the volume serial and the MBR's disk signature.
    serial = volume_id(files, spec.build_time)
    return _WRITERS[spec.media_format](spec, out, files, serial)


def _cannot_write(output: Path, exc: OSError) -> WriteError:
    """The operating system refused the image: say so in its words, and what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return WriteError(f"no room left to write {output}: nothing was written; free space in {output.parent}"
                          " or write the image to another disk")
    return WriteError(f"cannot write {output}: {os_reason(exc)}; nothing was written: choose an output folder on a"
                      " disk you can write to")


def build(spec: RescueSpec) -> BuildResult:
    """Write the medium and check it; the output appears complete and checked, or not at all."""
    files = media_files(spec)
    try:
        with pending(spec.output, spec.force) as out:
            description = _write(spec, out.file, files)
            out.start_sync()
            report = check_image(out.path)
            if not report.ok:
                first = report.errors[0]
                raise CheckFailed(f"the image failed its own check ({first.code}: {first.message}); "
                                  "nothing was written: this is a bug in mkrescue, please report it")
            out.commit()
    except OSError as exc:
        raise _cannot_write(spec.output, exc) from exc
    return BuildResult(
        output=spec.output,
        size=spec.output.stat().st_size,
        description=description,
        check_warnings=tuple(f"{w.code}: {w.message}" for w in report.warnings),
    )
