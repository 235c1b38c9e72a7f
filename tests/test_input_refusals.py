"""What users (and their systems) can get wrong gives one clear line, never "internal
error": unreadable and huge inputs, impossible names and numbers, a closed or full
standard output; and what the options promise holds (--size never exceeds what was asked)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from build_fixtures import run_mkrescue as run
from judges import read_fat_files
from mkrescue.errors import DosFilesError, InputFileError, WriteError
from mkrescue.freedos.dosdir import locate
from mkrescue.payload import MAX_INPUT_BYTES, read_input
from test_check_fuzz import with_peak_memory

HUGE = 3 * 2**30  # sparse files: they take no room, but are far too big to read


def build_args(user_files, dos_dir, output, *extra):
    flasher, firmware = user_files
    return ("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", output, *extra)


def the_error(result) -> str:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert "Exception ignored" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("mkrescue: error:")]
    return line


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.truncate(size)
    return path


def unreadable(path: Path) -> Path:
    """A file that exists and cannot be read, even by root (who ignores chmod)."""
    if os.geteuid() != 0:
        path.write_bytes(b"MZ" + bytes(100))
        path.chmod(0)
        return path
    write_only = Path("/sys/bus/pci/rescan")  # sysfs refuses reading a write-only attribute to everyone
    try:
        write_only.open("rb").close()
    except PermissionError:
        path.symlink_to(write_only)
        return path
    except OSError:
        pass
    pytest.skip("running as root without a file root cannot read")


def test_an_unreadable_file_in_dos_dir_is_one_line(tmp_path, user_files, dos_dir):
    bad = dos_dir / "BIN" / "CHOICE.EXE"
    bad.unlink()
    unreadable(bad)
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.img"))
    assert result.returncode == 1
    assert f"cannot read {bad} (permission denied)" in the_error(result)
    assert not (tmp_path / "r.img").exists()


def test_an_unreadable_firmware_is_one_line(tmp_path, user_files, dos_dir):
    firmware = unreadable(tmp_path / "locked.bin")
    result = run("--flasher", user_files[0], "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img")
    assert result.returncode == 2 and "cannot be read (permission denied)" in the_error(result)


@pytest.mark.parametrize("which", ["--fw", "--flasher", "-o", "--dos-dir", "--add"])
def test_a_name_longer_than_the_system_allows_is_one_line(tmp_path, user_files, dos_dir, which):
    long_name = tmp_path / ("n" * 300 + ".bin")
    args = {"--fw": ("--flasher", user_files[0], "--fw", long_name, "--dos-dir", dos_dir, "-o", tmp_path / "r.img"),
            "--flasher": ("--flasher", long_name, "--fw", user_files[1], "--dos-dir", dos_dir, "-o", tmp_path / "r.img"),
            "-o": build_args(user_files, dos_dir, tmp_path / ("n" * 300 + ".img")),
            "--dos-dir": build_args(user_files, long_name, tmp_path / "r.img"),
            "--add": build_args(user_files, dos_dir, tmp_path / "r.img", "--add", long_name)}[which]
    result = run(*args)
    assert result.returncode in (1, 2)
    assert "file name too long" in the_error(result)


@pytest.mark.parametrize("option", ["--size", "--ramdisk-size"])
def test_a_size_with_thousands_of_digits_is_one_line(tmp_path, user_files, dos_dir, option):
    out = tmp_path / ("r.usb.img" if option == "--size" else "r.img")
    result = run(*build_args(user_files, dos_dir, out, option, "9" * 5000 + "M"))
    assert result.returncode == 2 and "has 5000 digits: far too big" in the_error(result)


def refusal(error_type, function, *args) -> str:
    with pytest.raises(error_type) as error:
        function(*args)
    return str(error.value)


def test_a_huge_firmware_is_refused_before_it_is_read(tmp_path):
    firmware = sparse(tmp_path / "huge.bin", HUGE)
    message, peak = with_peak_memory(refusal, InputFileError, read_input, firmware, "firmware")
    assert f"is {HUGE} bytes, more than the {MAX_INPUT_BYTES // 2**20} MiB" in message
    assert peak < 2**20, f"peak {peak} bytes"


@pytest.mark.parametrize("name, message", [("KERNL386.SYS", "more than a FreeDOS kernel can be"),
                                           ("HIMEMX.EXE", "far more than a FreeDOS program")])
def test_a_huge_file_in_dos_dir_is_refused_before_it_is_read(dos_dir, name, message):
    sparse(dos_dir / "BIN" / name, HUGE)
    text, peak = with_peak_memory(refusal, DosFilesError, locate, dos_dir)
    assert f"is {HUGE} bytes, {message}" in text
    assert peak < 2**20, f"peak {peak} bytes"


@pytest.mark.parametrize("stdout", ["closed pipe", "full disk"])
def test_a_closed_or_full_stdout_after_the_image_was_written_is_one_line(tmp_path, user_files, dos_dir, stdout):
    out = tmp_path / "r.img"
    if stdout == "closed pipe":
        read_end, target = os.pipe()
        os.close(read_end)
    else:
        target = os.open("/dev/full", os.O_WRONLY)
    try:
        result = subprocess.run([sys.executable, "-m", "mkrescue", *map(str, build_args(user_files, dos_dir, out))],
                                stdout=target, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(target)
    assert result.returncode == 1
    assert "cannot write to standard output" in the_error(result)
    assert out.stat().st_size == 1474560  # the image itself was written, and is whole
    assert read_fat_files(out)["FLASH/BINFLASH.EXE"] == user_files[0].read_bytes()


@pytest.mark.parametrize("size", ["0", "1", "1M", "15M"])
def test_a_size_below_the_smallest_usb_image_is_refused(tmp_path, user_files, dos_dir, size):
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.usb.img", "--size", size))
    assert result.returncode == 2
    assert f"--size {size} is smaller than the smallest USB image mkrescue makes (15.7 MiB)" in the_error(result)


def test_size_2g_fits_2_gib_and_3g_names_the_largest(tmp_path, user_files, dos_dir):
    out = tmp_path / "r.usb.img"
    built = run(*build_args(user_files, dos_dir, out, "--size", "2G"))
    assert built.returncode == 0, built.stderr
    assert out.stat().st_size <= 2 * 2**30 and "rounded down" in built.stderr
    refused = run(*build_args(user_files, dos_dir, tmp_path / "big.usb.img", "--size", "3G"))
    assert refused.returncode == 2
    assert "--size 3G is more than a FAT16 USB image can be (2047.3 MiB at most)" in the_error(refused)


@pytest.mark.parametrize("model", ["ND>1300A", "ND|1300A", "ND<1300A", "ND%1300A", 'ND"1300A'])
def test_expect_model_with_batch_metacharacters_is_refused(tmp_path, user_files, dos_dir, model):
    user_files[1].write_bytes(b"_NEC " + model.encode() + bytes(range(256)) * 100)
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.img", "--expect-model", model))
    assert result.returncode == 2
    assert "which the DOS menu cannot show safely" in the_error(result)
    assert not (tmp_path / "r.img").exists()


def test_a_negative_source_date_epoch_is_refused(tmp_path, user_files, dos_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "-1")
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.img"))
    assert result.returncode == 2 and "SOURCE_DATE_EPOCH=-1 is before 1970" in the_error(result)


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_boot_test_of_a_directory_or_a_fifo_says_what_it_is(tmp_path, kind):
    target = tmp_path / "thing"
    target.mkdir() if kind == "directory" else os.mkfifo(target)
    result = run("boot-test", target, "--media", "floppy")
    assert result.returncode == 2
    assert ("is a directory" if kind == "directory" else "is not a regular file (a pipe or a device)") in the_error(result)
    assert "no such image file" not in result.stderr


@pytest.mark.parametrize("timeout", ["nan", "-5", "0", "inf"])
def test_boot_test_timeout_must_be_a_positive_number_of_seconds(tmp_path, timeout):
    image = tmp_path / "r.img"
    image.write_bytes(bytes(1474560))
    result = run("boot-test", image, "--media", "floppy", "--timeout", timeout)
    assert result.returncode == 2 and "is not a number of seconds from above 0" in the_error(result)


def test_a_hard_disk_emulation_iso_does_not_need_tmpdir(tmp_path, user_files, dos_dir, monkeypatch):
    """Its temporary disk image is written next to the output, so a full TMPDIR cannot fail the
    build with a message about the output's folder."""
    from mkrescue.cli import main

    user_files[1].write_bytes(os.urandom(3_000_000))  # too big for a floppy: hard-disk emulation
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-tmpdir"))
    out = tmp_path / "r.iso"
    main(list(map(str, build_args(user_files, dos_dir, out))))  # returns only on success
    assert out.stat().st_size > 3_000_000


def test_boot_test_names_tmpdir_when_it_cannot_make_its_folder(tmp_path, monkeypatch, require_qemu):
    from mkrescue.boottest import boot

    image = tmp_path / "r.img"
    image.write_bytes(bytes(1474560))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-tmpdir"))
    with pytest.raises(WriteError, match=f"cannot make a temporary folder in {tmp_path / 'no-such-tmpdir'} .*TMPDIR"):
        boot(image, "floppy", timeout=5)


@pytest.mark.parametrize("option, name", [("--add", "CHOICE.COM"), ("--add", "askdev.com"), ("--add", "DEVICE.BAT"),
                                          ("--add", "CHOICE.EXE"), ("--flasher", "REBOOT.COM")])
def test_a_user_file_the_menu_would_run_instead_of_its_tool_is_refused(tmp_path, user_files, dos_dir, option, name):
    """MENU.BAT works in \\FLASH and runs CHOICE, ASKDEV, CALLs DEVICE by bare name: DOS looks
    in the current folder first, so a CHOICE.COM there would answer the flash questions.
    (binflash asks the device, so ASKDEV.COM and DEVICE.BAT are on the medium.)"""
    flasher, firmware = user_files
    user = tmp_path / "user" / name
    user.parent.mkdir()
    user.write_bytes(b"\xb4\x4c\xcd\x21")  # mov ah,4Ch; int 21h: exits at once with errorlevel 0
    flasher = user if option == "--flasher" else flasher
    extra = ("--add", user) if option == "--add" else ()
    output = tmp_path / "out.img"
    result = run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", output, "--profile", "binflash",
                 *extra)
    stem = name.upper().split(".")[0]
    assert result.returncode == 2 and f"\\FREEDOS\\{stem}." in the_error(result), result.stderr
    assert "rename it" in the_error(result) and not output.exists()


def test_a_same_stem_that_dos_does_not_run_is_taken(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    notes = tmp_path / "CHOICE.TXT"
    notes.write_text("not a program")
    output = tmp_path / "out.img"
    result = run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", output, "--add", notes)
    assert result.returncode == 0, result.stderr
    assert read_fat_files(output)["FLASH/CHOICE.TXT"] == b"not a program"
