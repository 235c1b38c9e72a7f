"""Measure mkrescue against the plain shell pipeline doing the same job.

Run by hand (not part of the test suite):  python benchmarks/bench.py [--runs N] [--before CHECKOUT]
Needs mkfs.fat, mtools (mmd, mcopy) and xorriso for the pipeline side. Prints a
Markdown table; copy it into benchmarks/README.md."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Stand-ins with the sizes of the real FreeDOS 1.3 files, a 1 MB flasher and a 512 KB firmware.
STAND_INS = {
    "BIN/KERNL386.SYS": 45_000,
    "BIN/COMMAND.COM": 66_000,
    "BIN/CHOICE.EXE": 11_000,
    "BIN/HIMEMX.EXE": 30_000,
    "BIN/SHSURDRV.EXE": 10_000,
    "LICENSES/KERNEL.TXT": 18_000,
}
# The installed console script, as a user runs it; python -m would add runpy's cost.
MKRESCUE = [str(Path(sys.executable).with_name("mkrescue"))]
# The build repeated inside one Python whose imports are done: the work itself.
WARM_BUILD = """
import statistics, sys, time
from mkrescue.cli import main
def once():
    start = time.perf_counter()
    try:
        main(sys.argv[2:])
    except SystemExit as exc:
        if exc.code:
            raise
    return time.perf_counter() - start
once()
print(statistics.median(once() for _ in range(int(sys.argv[1]))))
"""


def make_inputs(root: Path) -> tuple[Path, Path, Path]:
    dos = root / "freedos"
    for name, size in STAND_INS.items():
        path = dos / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((b"MZ" if name.endswith(".EXE") else b"") + os.urandom(size))
    flasher, firmware = root / "FLASH.EXE", root / "FW.BIN"
    flasher.write_bytes(b"MZ" + os.urandom(1024 * 1024 - 2))
    firmware.write_bytes(os.urandom(512 * 1024))
    return dos, flasher, firmware


def run_measured(command: list[str], **kwargs) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of one command (its children
    included), from its own rusage."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def side_by_side(runs: int, *jobs) -> list[tuple[float, float, int, float]]:
    """(median, fastest, peak RSS, median CPU seconds) of each job, the jobs run in turns so
    that a change in the machine's load falls on all of them alike."""
    for job in jobs:  # once first: Python compiles a checkout's modules on its first run
        job()
    turns = [[job() for job in jobs] for _ in range(runs)]
    results = []
    for results_of_job in zip(*turns):
        times = [seconds for seconds, _, _ in results_of_job]
        results.append((statistics.median(times), min(times), max(rss for _, rss, _ in results_of_job),
                        statistics.median(cpu for _, _, cpu in results_of_job)))
    return results


def median_of(runs: int, job) -> tuple[float, int]:
    results = [job() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def pipeline_floppy(dos: Path, flasher: Path, firmware: Path, out: Path) -> list[str]:
    """The same floppy by hand: format, make folders, copy every file."""
    copies = [
        f"mcopy -i {out} {dos}/BIN/KERNL386.SYS ::KERNEL.SYS",
        f"mcopy -i {out} {dos}/BIN/COMMAND.COM ::",
        f"mcopy -i {out} {dos}/BIN/CHOICE.EXE {dos}/BIN/HIMEMX.EXE {dos}/BIN/SHSURDRV.EXE ::FREEDOS",
        f"mcopy -i {out} {dos}/LICENSES/KERNEL.TXT ::FREEDOS/LICENSES",
        f"mcopy -i {out} {flasher} {firmware} ::FLASH",
    ]
    script = "; ".join([f"rm -f {out}", f"mkfs.fat -C {out} 2880 >/dev/null", f"mmd -i {out} ::FREEDOS ::FREEDOS/LICENSES ::FLASH", *copies])
    return ["sh", "-ec", script]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path,
                        help="also build with the mkrescue in this checkout (its src/), in the same turns")
    args = parser.parse_args()
    for tool in ("mkfs.fat", "mcopy", "xorriso"):
        if not shutil.which(tool) and not shutil.which(tool, path="/usr/sbin:/sbin"):
            raise SystemExit(f"{tool} is missing: apt-get install dosfstools mtools xorriso")
    env = {**os.environ, "PATH": os.environ["PATH"] + ":/usr/sbin:/sbin", "SOURCE_DATE_EPOCH": "1700000000"}
    # A user's Python keeps compiled modules (.pyc); measuring without them would time the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dos, flasher, firmware = make_inputs(work)
        common = ["--flasher", str(flasher), "--fw", str(firmware), "--dos-dir", str(dos), "--force"]

        def ours(output: str, *extra: str, source: Path | None = None):
            job_env = env if source is None else {**env, "PYTHONPATH": str(source.resolve() / "src")}
            return lambda: run_measured([*MKRESCUE, *common, "-o", str(work / output), *extra], env=job_env)

        def theirs(command):
            return lambda: run_measured(command, env=env)

        floppy_pipe = pipeline_floppy(dos, flasher, firmware, work / "pipe.img")
        iso_dir = work / "isoroot"
        iso_dir.mkdir()
        iso_pipe = ["sh", "-ec", " ".join(floppy_pipe[2:]) + f"; cp {work}/pipe.img {iso_dir}/BOOT.IMG; "
                    f"xorriso -as mkisofs -quiet -J -b BOOT.IMG -c BOOT.CAT -o {work}/pipe.iso {iso_dir}"]
        python = str(Path(sys.executable))
        for label, output, pipeline, goal in [
            ("floppy (2.88 MB: the files need it)", "ours.img", floppy_pipe, ""),
            ("ISO (floppy emulation)", "ours.iso", iso_pipe, " (goal 1.5x)"),
        ]:
            jobs = [theirs(pipeline), ours(output)]
            if args.before:
                jobs.append(ours("before-" + output, source=args.before))
            (t_pipe, fast_pipe, _, cpu_pipe), *builds = side_by_side(args.runs, *jobs)
            for (t_ours, fast_ours, rss_ours, cpu_ours), version in zip(builds, ("", f", before ({args.before})")):
                rows.append((f"build {label}{version}",
                             f"{t_ours * 1000:.0f} ms (fastest {fast_ours * 1000:.0f}, CPU {cpu_ours * 1000:.0f})",
                             f"{t_pipe * 1000:.0f} ms (fastest {fast_pipe * 1000:.0f}, CPU {cpu_pipe * 1000:.0f})",
                             f"{t_ours / t_pipe:.2f}x, fastest {fast_ours / fast_pipe:.2f}x{goal}", f"{rss_ours // 1024} MB"))
            warm = subprocess.run([python, "-c", WARM_BUILD, str(args.runs), *common, "-o", str(work / output)],
                                  env=env, capture_output=True, text=True, check=True)
            t_warm = float(warm.stdout.split()[-1])  # after the builds' own "wrote ..." lines
            rows.append(("  the same build, its own work (in a warm Python)", f"{t_warm * 1000:.0f} ms", f"{t_pipe * 1000:.0f} ms",
                         f"{t_warm / t_pipe:.2f}x", ""))

        # What any Python program with these libraries pays before its own code runs.
        for label, code in [("`python -c pass`", "pass"), ("`import click, jinja2`", "import click, jinja2"),
                            ("`import click, jinja2, pycdlib`", "import click, jinja2, pycdlib")]:
            t_floor, rss_floor = median_of(args.runs, lambda: run_measured([python, "-c", code], env=env))
            rows.append((f"floor: {label}", f"{t_floor * 1000:.0f} ms", "", "", f"{rss_floor // 1024} MB"))

        t_help, rss_help = median_of(args.runs, lambda: run_measured([*MKRESCUE, "--help"], env=env))
        rows.append(("`mkrescue --help`", f"{t_help * 1000:.0f} ms", "", "goal < 150 ms", f"{rss_help // 1024} MB"))

        ours("usb256.usb.img", "--size", "256M")()
        usb512 = ours("usb512.usb.img", "--size", "512M")
        t_usb, rss_usb = median_of(3, usb512)
        big = work / "big.bin"
        with big.open("wb") as handle:
            handle.truncate(512 * 1024 * 1024)
            handle.seek(0)
            handle.write(os.urandom(1024 * 1024))
        t_cp, _ = median_of(3, theirs(["cp", "--sparse=never", str(big), str(work / "copy.bin")]))
        rows.append(("build 512 MB USB image", f"{t_usb * 1000:.0f} ms", f"cp: {t_cp * 1000:.0f} ms", f"{t_usb / t_cp:.2f}x", f"{rss_usb // 1024} MB"))

        for image in ("ours.img", "ours.iso", "usb256.usb.img"):
            t_check, rss_check = median_of(args.runs, lambda: run_measured([*MKRESCUE, "check", str(work / image)], env=env))
            rows.append((f"check {image}", f"{t_check * 1000:.0f} ms", "", "goal < 1 s, < 64 MB", f"{rss_check // 1024} MB"))

    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} at the end, medians of {args.runs} runs"
          + (": a busy machine, the times are not those of an idle one" if load > (os.cpu_count() or 1) / 2 else ""))
    print()
    print("| job | mkrescue | shell pipeline | ratio / goal | peak RSS (mkrescue) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
