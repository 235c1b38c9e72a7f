"""One build, start to finish: spec -> files -> medium, written to a temporary file
next to the output and renamed into place only when complete."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkrescue.errors import UsageError
from mkrescue.layout import media_files
from mkrescue.media.floppy import choose_floppy, write_floppy
from mkrescue.media.iso import write_iso
from mkrescue.spec import VOLUME_LABEL, RescueSpec


@dataclass(frozen=True)
class BuildResult:
    output: Path
    media_format: str
    size: int
    description: str  # e.g. "ISO 9660, El Torito 1.44 MB floppy emulation"
    files: tuple[tuple[str, int], ...]  # (path on the medium, size)


def _write(spec: RescueSpec, out: io.BufferedRandom, files: list[tuple[str, bytes]]) -> str:
    params = choose_floppy(files, spec.floppy_kib)
    floppy = f"{params.size // 1024} KiB floppy"
    if spec.media_format == "floppy":
        write_floppy(out, files, params, VOLUME_LABEL, spec.build_time)
        return f"FAT12 {floppy}"
    buffer = io.BytesIO()
    write_floppy(buffer, files, params, VOLUME_LABEL, spec.build_time)
    write_iso(out, buffer.getvalue(), files, VOLUME_LABEL, spec.build_time)
    return f"ISO 9660 + Joliet, El Torito floppy emulation of a {floppy}"


def build(spec: RescueSpec) -> BuildResult:
    """Write the medium; the output appears complete or not at all."""
    if spec.media_format == "usb":
        raise UsageError("USB images are not built yet: use -o rescue.iso or -o rescue.img")
    files = media_files(spec)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.output.name}.", suffix=".part", dir=spec.output.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as out:
            description = _write(spec, out, files)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would surprise users; honour their umask
        os.replace(tmp, spec.output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BuildResult(
        output=spec.output,
        media_format=spec.media_format,
        size=spec.output.stat().st_size,
        description=description,
        files=tuple((path, len(data)) for path, data in files),
    )
