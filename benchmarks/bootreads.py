"""Bytes read from the boot medium until the flash menu shows, against the bytes of the
files on it, for each kind of medium, before and after a change, side by side.

Run by hand (not part of the test suite), with real FreeDOS files and a checkout of the
older version to compare with:

    git worktree add /tmp/old 6f9407e
    python benchmarks/bootreads.py --dos-dir /work/freedos-local/dos --before /tmp/old

Each image is booted in QEMU (mkrescue.boottest, which counts every read QEMU's block
layer makes: the `blk_co_preadv` trace event) until "Choose 1 to" shows. The reads are
then laid over the image's FAT volume to say what was read how often: the FAT, the
directories, each file. Needs qemu-system-i386. Prints Markdown tables."""

from __future__ import annotations

import argparse
import os
import random
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from mkrescue.boottest import boot
from mkrescue.check.bpb import SECTOR, Bpb
from mkrescue.check.fatvolume import read_fat, walk
from mkrescue.check.region import Region
from mkrescue.check.report import Findings

MENU = "Choose 1 to"
ISO_SECTOR = 2048
# (label, output name, QEMU media, firmware size, hard-disk emulation forced). mkrescue
# makes a hard-disk-emulation CD for a payload too big for a 2.88 MB floppy; to compare
# the two CD modes on the same payload, one build is made to skip floppy emulation.
MEDIA = [
    ("floppy", "rescue.img", "floppy", 512 * 1024, False),
    ("USB", "rescue.usb.img", "usb", 512 * 1024, False),
    ("CD, floppy emulation", "rescue.iso", "cdrom", 512 * 1024, False),
    ("CD, hard-disk emulation, same payload", "hdemul.iso", "cdrom", 512 * 1024, True),
    ("CD, hard-disk emulation, 3 MB firmware", "big.iso", "cdrom", 3 * 1024 * 1024, False),
]
# Makes build.py find no floppy the files fit: what a too-big payload does, so the build
# takes the hard-disk-emulation path (this leans on build.py's names; both versions have them).
NO_FLOPPY = ("import mkrescue.build as b; b.fitting_floppy = lambda files, size: None; "
             "import runpy; runpy.run_module('mkrescue', run_name='__main__')")
FLASHER_SIZE = 100 * 1000


def make_payload(root: Path, firmware_size: int) -> tuple[Path, Path]:
    """A stand-in flasher (an MZ header and noise: the menu never runs it) and firmware;
    the same bytes on every run."""
    noise = random.Random(firmware_size)
    flasher, firmware = root / "FLASH.EXE", root / f"FW{firmware_size // 1024}.BIN"
    flasher.write_bytes(b"MZ" + noise.randbytes(FLASHER_SIZE - 2))
    firmware.write_bytes(noise.randbytes(firmware_size))
    return flasher, firmware


def build(source: Path | None, out: Path, dos_dir: Path, flasher: Path, firmware: Path, hdemul: bool) -> None:
    """Build with the mkrescue in `source`/src (None: the installed one)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    command = [sys.executable, *(["-c", NO_FLOPPY] if hdemul else ["-m", "mkrescue"]), "build",
               "--flasher", str(flasher), "--fw", str(firmware), "--dos-dir", str(dos_dir),
               "--boot-timeout", "0", "--force", "-o", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"building {out} failed: {done.stderr.strip()}")
    if hdemul and "hard-disk emulation" not in done.stdout:
        raise SystemExit(f"{out} was not made with hard-disk emulation: {done.stdout.strip()}")


def volume_start(fp, kind: str) -> int:
    """Where the FAT volume DOS boots from starts in the image, in bytes."""
    if kind == "cdrom":
        fp.seek(17 * ISO_SECTOR + 0x47)  # the El Torito boot record names the catalogue
        catalogue = struct.unpack("<I", fp.read(4))[0]
        fp.seek(catalogue * ISO_SECTOR + 32)  # its initial entry
        entry = fp.read(32)
        start = struct.unpack_from("<I", entry, 8)[0] * ISO_SECTOR
        return _partition_start(fp, start) if entry[1] == 4 else start  # 4: hard-disk emulation
    return _partition_start(fp, 0) if kind == "usb" else 0


def _partition_start(fp, disk: int) -> int:
    fp.seek(disk + 446 + 8)
    return disk + struct.unpack("<I", fp.read(4))[0] * SECTOR


class Volume:
    """Which part of the FAT volume each byte of the image is."""

    def __init__(self, image: Path, kind: str) -> None:
        with image.open("rb") as fp:
            self.start = volume_start(fp, kind)
            fp.seek(self.start)
            bpb = Bpb.parse(fp.read(SECTOR))
            region = Region(fp, self.start, bpb.total_sectors * SECTOR)
            findings = Findings()
            volume = walk(region, bpb, read_fat(region, bpb, findings), findings)
        self.end = self.start + bpb.total_sectors * SECTOR
        self.files = {path: node.size for path, node in volume.files.items()}
        self.files_bytes = sum(self.files.values())
        self.owner: dict[int, str] = {}  # volume sector -> what it holds
        for sector in range(bpb.first_root_sector):
            self.owner[sector] = "boot sector" if sector == 0 else "FAT"
        for sector in range(bpb.first_root_sector, bpb.first_data_sector):
            self.owner[sector] = "root directory"
        for nodes, label in ((volume.files.values(), None), (volume.dirs.values(), "directories")):
            for node in nodes:
                for cluster in node.chain:
                    first = volume.cluster_offset(cluster) // SECTOR
                    for sector in range(first, first + bpb.sectors_per_cluster):
                        self.owner[sector] = label or node.path

    def tally(self, reads) -> Counter:
        """Bytes read of each part: a file's path, "FAT", "root directory", ... ."""
        counts: Counter = Counter()
        for offset, length in reads:
            for at in range(offset - offset % SECTOR, offset + length, SECTOR):
                if self.start <= at < self.end:
                    counts[self.owner.get((at - self.start) // SECTOR, "free space")] += SECTOR
                else:
                    counts["outside the volume (ISO 9660, MBR)"] += SECTOR
        return counts


def measure(image: Path, kind: str, runs: int) -> dict:
    """The boot with the median bytes read of `runs` boots, and the range."""
    boots = []
    for _ in range(runs):
        result = boot(image, kind, expect=MENU, timeout=300)
        if not result.matched:
            raise SystemExit(f"{image}: the menu did not show: {result.problem(MENU, 300)}\n{result.screen}")
        boots.append(result)
    boots.sort(key=lambda result: result.bytes_read)
    result, volume = boots[len(boots) // 2], Volume(image, kind)
    return {"read": result.bytes_read, "low": boots[0].bytes_read, "high": boots[-1].bytes_read,
            "files": volume.files_bytes, "sizes": volume.files, "parts": volume.tally(result.reads),
            "requests": len(result.reads)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dos-dir", type=Path, required=True, help="real FreeDOS files (KERNEL.SYS, COMMAND.COM, ...)")
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the version to compare with")
    parser.add_argument("--runs", type=int, default=3, help="boots of each image; the median counts")
    parser.add_argument("--details", action="store_true", help="also print what was read, part by part")
    args = parser.parse_args()
    versions = [("before", args.before.resolve()), ("after", None)]
    results: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="bootreads-") as tmp:
        work = Path(tmp)
        for label, name, kind, firmware_size, hdemul in MEDIA:
            flasher, firmware = make_payload(work, firmware_size)
            for version, source in versions:
                image = work / version / name
                image.parent.mkdir(exist_ok=True)
                build(source, image, args.dos_dir, flasher, firmware, hdemul)
                results[label, version] = measure(image, kind, args.runs)
                print(f"{label}, {version}: {results[label, version]['read']} bytes read", file=sys.stderr)

    print(f"Bytes read until the menu shows (median of {args.runs} boots; the range when they differ).\n")
    print("| medium | files before | read before | ratio | files after | read after | ratio |")
    print("|---|---|---|---|---|---|---|")
    for label, *_ in MEDIA:
        cells = []
        for version in ("before", "after"):
            result = results[label, version]
            spread = f" ({result['low']:,} to {result['high']:,})" if result["low"] != result["high"] else ""
            cells += [f"{result['files']:,}", f"{result['read']:,}{spread}", f"{result['read'] / result['files']:.2f}x"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.details:
        for (label, version), result in results.items():
            print(f"\n{label}, {version}: {result['read']:,} bytes in {result['requests']} reads")
            print("| part | size | bytes read | times |")
            print("|---|---|---|---|")
            for part, count in result["parts"].most_common():
                size = result["sizes"].get(part)
                times = f"{count / size:.2f}" if size else ""
                print(f"| {part} | {size or ''} | {count:,} | {times} |")


if __name__ == "__main__":
    main()
