"""`mkrescue boot-test` on images built by mkrescue with the stub kernel."""

import subprocess
import sys

import pytest

from build_fixtures import build_with_stub_kernel
from build_fixtures import run_mkrescue as mkrescue


@pytest.fixture
def stub_image(tmp_path, user_files, stub_kernel):
    def build(name):
        return build_with_stub_kernel(tmp_path, stub_kernel, user_files, name, "--force")
    return build


@pytest.mark.parametrize("name, drive", [("r.img", "00"), ("r.iso", "00"), ("r.usb.img", "80")])
def test_boot_test_shows_the_screen_of_each_kind(stub_image, require_qemu, name, drive):
    result = mkrescue("boot-test", stub_image(name), "--expect", "MKRESCUE-STUB", "--timeout", "60")
    assert result.returncode == 0, result.stderr
    assert f"MKRESCUE-STUB OK DRIVE={drive}" in result.stdout


def test_keys_reach_the_booted_system_and_screenshot_is_a_png(stub_image, require_qemu, tmp_path):
    png = tmp_path / "screen.png"
    result = mkrescue("boot-test", stub_image("r.img"), "--expect", "MKRESCUE-STUB OK", "--keys", "k",
                      "--screenshot", png)
    assert result.returncode == 0, result.stderr
    assert "KEY=k" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_disk_without_a_boot_sector_fails_clearly(tmp_path, require_qemu):
    blank = tmp_path / "blank.img"
    blank.write_bytes(bytes(1474560))
    result = mkrescue("boot-test", blank, "--media", "floppy", "--timeout", "20")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("mkrescue: error:")]
    assert len(errors) == 1 and "did not boot" in errors[0], result.stderr


def test_an_unrecognised_file_is_refused_before_qemu(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello" * 100)
    result = mkrescue("boot-test", junk)
    assert result.returncode == 1 and "nothing a PC could boot" in result.stderr


def test_expected_text_that_never_comes_fails(stub_image, require_qemu):
    result = mkrescue("boot-test", stub_image("r.img"), "--expect", "NEVER-SHOWN", "--timeout", "8")
    assert result.returncode == 1 and "'NEVER-SHOWN' did not appear within 8 s" in result.stderr
    assert "MKRESCUE-STUB OK" in result.stdout  # the screen is still shown


def test_screenshot_into_a_missing_folder_is_refused_before_booting(tmp_path):
    image = tmp_path / "r.img"
    image.write_bytes(bytes(1474560))
    result = mkrescue("boot-test", image, "--media", "floppy", "--screenshot", tmp_path / "nope" / "s.png")
    assert result.returncode == 2 and "for the screenshot does not exist" in result.stderr
    result = mkrescue("boot-test", image, "--media", "floppy", "--screenshot", tmp_path)
    assert result.returncode == 2 and f"is a folder: give a file name such as {tmp_path / 'screen.png'}" in result.stderr


def test_a_screenshot_the_system_refuses_is_one_line(stub_image, require_qemu):
    # /proc takes no new files, whoever asks: the save fails after the boot.
    result = mkrescue("boot-test", stub_image("r.img"), "--expect", "MKRESCUE-STUB OK",
                      "--screenshot", "/proc/mkrescue-screen.png")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("mkrescue: error: cannot save the screenshot as /proc/mkrescue-screen.png: ")
    assert "choose a folder you can write to" in result.stderr


def test_steps_rehearse_a_visit_and_a_bad_step_is_one_line(stub_image, require_qemu):
    image = stub_image("r.img")
    result = mkrescue("boot-test", image, "--step", "MKRESCUE-STUB OK=>1", "--step", "KEY=1=>dot", "--expect", "KEY=.")
    assert result.returncode == 0, result.stderr
    result = mkrescue("boot-test", image, "--step", "no arrow here")
    assert result.returncode == 2 and "--step 'no arrow here' is not TEXT=>KEYS" in result.stderr


def test_a_misspelt_key_is_refused_before_any_step_is_waited_for(stub_image, require_qemu):
    # The first step's text never comes: a run that reached it would wait out the 3000 s
    # (a bound, not a timing assert) and end in exit 1, not 2.
    result = subprocess.run([sys.executable, "-m", "mkrescue", "boot-test", str(stub_image("r.img")),
                             "--step", "NEVER SHOWN=>1", "--step", "MKRESCUE-STUB=>shift-retrun", "--keys", "y",
                             "--timeout", "3000"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == ("mkrescue: error: QEMU has no key named 'retrun' (in"
                                                      " 'shift-retrun'): use QEMU key names such as 1, y, ret, spc,"
                                                      " dot, esc, shift-a")


def test_with_expect_an_unbootable_disk_fails_without_waiting_out_the_timeout(tmp_path, require_qemu):
    blank = tmp_path / "blank.img"
    blank.write_bytes(bytes(1474560))
    # A bound, not a timing assert: waiting out --timeout would take 3000 s, and the test fail.
    result = subprocess.run([sys.executable, "-m", "mkrescue", "boot-test", str(blank), "--media", "floppy",
                             "--expect", "NEVER", "--timeout", "3000"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1 and "the image did not boot" in result.stderr, result.stderr
