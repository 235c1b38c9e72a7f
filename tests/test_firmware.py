"""Firmware sanity at build time: the model string, implausible sizes and contents, and the
SHA-256 that the build prints and the menu shows."""

import hashlib

import pytest

from build_fixtures import run_mkrescue as run
from judges import read_fat_files
from mkrescue.firmware import firmware_warnings


def build(user_files, dos_dir, tmp_path, *extra):
    flasher, firmware = user_files
    return run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img", *extra)


def test_the_right_model_passes_and_the_hash_is_printed_and_shown(user_files, dos_dir, tmp_path):
    result = build(user_files, dos_dir, tmp_path, "--expect-model", "ND-1300A")
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(user_files[1].read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in result.stdout
    menu = read_fat_files(tmp_path / "r.img")["FREEDOS/MENU.BAT"].decode()
    assert f"SHA-256:  {digest}" in menu and "bytes, for ND-1300A\r\n" in menu


def test_another_models_firmware_is_refused(user_files, dos_dir, tmp_path):
    """The seed case: an ND-1300A must not get an ND-3540A's firmware."""
    result = build(user_files, dos_dir, tmp_path, "--expect-model", "ND-3540A")
    assert result.returncode == 2
    assert "does not contain the model name 'ND-3540A'" in result.stderr
    assert not (tmp_path / "r.img").exists()


def test_a_model_in_another_letter_case_is_refused_with_a_hint(user_files, dos_dir, tmp_path):
    result = build(user_files, dos_dir, tmp_path, "--expect-model", "nd-1300a")
    assert result.returncode == 2 and "another letter case" in result.stderr


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\x12" * 100 + b"abc", "only 103 bytes"),
        (b"PK\x03\x04" + bytes(range(256)) * 200, "a ZIP archive"),
        (b"MZ" + bytes(range(256)) * 200, "a DOS or Windows program"),
        (b"\xff" * 65536, "one byte (0xFF) repeated"),
    ],
)
def test_implausible_firmware_is_warned_about(data, words):
    assert any(words in note for note in firmware_warnings("FW.BIN", data))


def test_a_plausible_firmware_has_no_warning():
    assert firmware_warnings("FW.BIN", bytes(range(256)) * 4096) == []


def test_a_huge_firmware_is_warned_about_but_built(user_files, dos_dir, tmp_path):
    assert any("large for a flash chip" in n for n in firmware_warnings("FW.BIN", b"\x01\x02" * (17 * 1024 * 1024)))


def test_warnings_reach_the_user(user_files, dos_dir, tmp_path):
    user_files[1].write_bytes(b"\xff" * 70000)
    result = build(user_files, dos_dir, tmp_path)
    assert result.returncode == 0 and "note: firmware ND1300A-.BIN is one byte (0xFF) repeated" in result.stderr
