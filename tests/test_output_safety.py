"""No data loss: an output never replaces an input, nor a file that appeared during the
build, nor anything without --force; a killed build leaves no temporary file behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from build_fixtures import build_with_stub_kernel
from build_fixtures import run_mkrescue as run
from mkrescue.cli import main


def build_args(user_files, dos_dir, output, *extra):
    flasher, firmware = user_files
    return ("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", output, "--format", "floppy", *extra)


def the_error(result):
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("mkrescue: error:")]
    return line


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("force", [(), ("--force",)])
@pytest.mark.parametrize("which", ["flasher", "firmware"])
def test_an_output_that_is_an_input_is_refused_with_or_without_force(tmp_path, user_files, dos_dir, which, force):
    target = user_files[0] if which == "flasher" else user_files[1]
    before = target.read_bytes()
    result = run(*build_args(user_files, dos_dir, target, *force))
    assert result.returncode == 2
    assert "already exists" in the_error(result) or f"is the {which}" in the_error(result)
    assert target.read_bytes() == before


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_an_output_that_links_to_an_input_is_refused_even_with_force(tmp_path, user_files, dos_dir, link):
    firmware = user_files[1]
    before = firmware.read_bytes()
    out = tmp_path / "rescue.img"
    (os.link if link == "hard" else os.symlink)(firmware, out)
    result = run(*build_args(user_files, dos_dir, out, "--force"))
    assert result.returncode == 2
    assert f"is the firmware {firmware}" in the_error(result)
    assert firmware.read_bytes() == before and os.path.samefile(out, firmware)


def test_an_output_that_is_a_freedos_input_is_refused_even_with_force(tmp_path, user_files, dos_dir):
    shell = dos_dir / "BIN" / "COMMAND.COM"
    before = shell.read_bytes()
    result = run(*build_args(user_files, dos_dir, shell, "--force"))
    assert result.returncode == 2 and f"is the FreeDOS file {shell}" in the_error(result)
    assert shell.read_bytes() == before


def test_a_dangling_symlink_at_the_output_needs_force(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.img"
    out.symlink_to(tmp_path / "nowhere")
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 2 and "already exists" in the_error(result)
    assert out.is_symlink() and os.readlink(out) == str(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()
    assert run(*build_args(user_files, dos_dir, out, "--force")).returncode == 0
    assert not out.is_symlink() and out.stat().st_size == 1474560


def test_a_file_that_appears_during_the_build_is_not_replaced(tmp_path, user_files, dos_dir, monkeypatch):
    import mkrescue.build as build

    out = tmp_path / "rescue.img"
    real_write = build._write

    def another_build_finishes_first(spec, file, files):
        out.write_bytes(b"the other build's image")
        return real_write(spec, file, files)

    monkeypatch.setattr(build, "_write", another_build_finishes_first)
    with pytest.raises(SystemExit) as exit_info:
        main(list(map(str, build_args(user_files, dos_dir, out))))
    assert exit_info.value.code == 2
    assert out.read_bytes() == b"the other build's image"
    assert leftovers(tmp_path) == []


def test_force_replaces_a_file_that_appeared_during_the_build(tmp_path, user_files, dos_dir, monkeypatch):
    import mkrescue.build as build

    out = tmp_path / "rescue.img"
    real_write = build._write
    monkeypatch.setattr(build, "_write", lambda spec, file, files: (out.write_bytes(b"old"), real_write(spec, file, files))[1])
    main(list(map(str, build_args(user_files, dos_dir, out, "--force"))))
    assert out.stat().st_size == 1474560 and leftovers(tmp_path) == []


# A build that stops where its image is complete but not yet named, so a test can kill it there.
STALLING_BUILD = """
import sys, time, pathlib
import mkrescue.build, mkrescue.outfile
ready = pathlib.Path(sys.argv[1])
def stall(path):
    written = ready.with_suffix(".tmp")  # renamed into place, so the test never reads it half-written
    written.write_text(str(pathlib.Path(path).stat().st_size))
    written.rename(ready)
    time.sleep(120)
mkrescue.build.check_image = stall
if sys.argv[2] == "named":  # as on a system or filesystem without O_TMPFILE
    mkrescue.outfile._open_unnamed = lambda folder: None
from mkrescue.cli import main
main(sys.argv[3:])
"""


def start_stalled_build(tmp_path, user_files, dos_dir, how):
    ready = tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", STALLING_BUILD, str(ready), how,
                                *map(str, build_args(user_files, dos_dir, tmp_path / "out" / "rescue.img"))],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), process.communicate()
    assert int(ready.read_text()) == 1474560  # the whole image was written when the signal comes
    return process


@pytest.mark.parametrize("how", ["unnamed", "named"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_killed_build_leaves_nothing_behind(tmp_path, user_files, dos_dir, signum, how):
    (tmp_path / "out").mkdir()
    process = start_stalled_build(tmp_path, user_files, dos_dir, how)
    if how == "named":
        assert len(leftovers(tmp_path / "out")) == 1  # the named part really is there while it runs
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode in (-signum, 128 + signum)
    if signum != signal.SIGKILL:
        assert process.returncode == 128 + signum and "Traceback" not in stderr
        assert f"stopped by {signal.Signals(signum).name}" in stderr
    left = leftovers(tmp_path / "out")
    if how == "named" and signum == signal.SIGKILL:
        # Nothing can run at kill -9: the next build removes the dead writer's part.
        assert len(left) == 1
        assert run(*build_args(user_files, dos_dir, tmp_path / "out" / "rescue.img")).returncode == 0
        left = leftovers(tmp_path / "out")
    assert left == []


@pytest.mark.parametrize("thread_started", [False, True])
@pytest.mark.parametrize("unnamed", [True, False])
def test_a_signal_while_the_image_is_being_synced_leaves_nothing(tmp_path, monkeypatch, thread_started, unnamed):
    # Ctrl-C (or SIGTERM, which cli.main raises as an exception) inside Thread.start(),
    # before or after the thread began: the output is discarded as for any other stop.
    import threading

    from mkrescue import outfile

    if not unnamed:
        monkeypatch.setattr(outfile, "_open_unnamed", lambda folder: None)  # the .part file way
    real_start = threading.Thread.start

    def interrupted_start(thread):
        if thread_started:
            real_start(thread)
        raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", interrupted_start)
    with pytest.raises(KeyboardInterrupt):
        with outfile.pending(tmp_path / "r.iso", force=False) as out:
            out.file.write(b"image")
            out.start_sync()
    assert os.listdir(tmp_path) == []


def test_parts_of_a_running_build_and_old_style_parts_are_told_apart(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.img"
    alive = tmp_path / f".rescue.img.mkrescue-{os.getpid()}-0000.part"  # this test process is alive
    old = tmp_path / ".rescue.img.k2j4_x9q.part"  # mkstemp's names before, two days old
    recent = tmp_path / ".rescue.img.a1b2c3d4.part"
    for part in (alive, old, recent):
        part.write_bytes(b"part")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert run(*build_args(user_files, dos_dir, out)).returncode == 0
    assert leftovers(tmp_path) == sorted([alive.name, recent.name])


def test_a_screenshot_never_replaces_the_image_even_with_force(tmp_path):
    image = tmp_path / "r.img"
    image.write_bytes(b"\xeb\x3c" + bytes(1474558))
    for args in ((), ("--force",)):
        result = run("boot-test", image, "--media", "floppy", "--screenshot", image, *args)
        assert result.returncode == 2 and "is the image under test" in the_error(result)
    assert image.read_bytes() == b"\xeb\x3c" + bytes(1474558)


def test_an_existing_screenshot_is_kept_without_force(tmp_path):
    image = tmp_path / "r.img"
    image.write_bytes(bytes(1474560))
    png = tmp_path / "menu.png"
    png.write_bytes(b"my own picture")
    result = run("boot-test", image, "--media", "floppy", "--screenshot", png)
    assert result.returncode == 2 and "already exists" in the_error(result) and "--force" in the_error(result)
    assert png.read_bytes() == b"my own picture"


def test_force_replaces_a_screenshot(tmp_path, user_files, stub_kernel, require_qemu):
    image = build_with_stub_kernel(tmp_path, stub_kernel, user_files, "r.img")
    png = tmp_path / "menu.png"
    png.write_bytes(b"old")
    result = run("boot-test", image, "--expect", "MKRESCUE-STUB OK", "--screenshot", png, "--force")
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and leftovers(tmp_path) == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_boot_test_stops_qemu_and_removes_its_folder(tmp_path, user_files, stub_kernel, require_qemu, signum):
    image = build_with_stub_kernel(tmp_path, stub_kernel, user_files, "r.img")
    process = subprocess.Popen([sys.executable, "-m", "mkrescue", "boot-test", str(image), "--expect", "NEVER-SHOWN",
                                "--timeout", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    qemu = []
    while not qemu and time.monotonic() < deadline:
        qemu = [c for c in _children(process.pid) if b"qemu" in Path(f"/proc/{c}/cmdline").read_bytes()]
        time.sleep(0.1)
    assert qemu, process.communicate()
    command = Path(f"/proc/{qemu[0]}/cmdline").read_bytes().split(b"\0")
    work = Path(os.fsdecode(next(a for a in command if a.startswith(b"unix:")))[5:].split(",")[0]).parent
    assert work.is_dir() and work.name.startswith("mkrescue-boot-")
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum and "Traceback" not in stderr, stderr
    assert not Path(f"/proc/{qemu[0]}").exists()  # killed and reaped, not orphaned
    assert not work.exists()
