"""XMSFREE.COM, our DOS tool that tells AUTOEXEC.BAT whether the RAM disk fits the XMS
memory that is really free, run on the emulated CPU (tests/dos_emulator.py) against a
stand-in XMS driver: exit codes and words for each case. On real FreeDOS under a CSM
wrapper it runs in test_menu_qemu.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from dos_emulator import Xms, run_com

DOSASM = Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm"
XMSFREE = (DOSASM / "XMSFREE.COM").read_bytes()


@pytest.mark.parametrize("version3", [True, False])
def test_enough_for_the_size_asked_for_is_quiet(version3):
    result = run_com(XMSFREE, "8192 2048", {}, xms=Xms(500_000 if version3 else 60_000, version3))
    assert (result.errorlevel, result.output) == (0, "")


def test_too_little_for_the_size_asked_for_gives_the_files_size():
    result = run_com(XMSFREE, "8192 2048", {}, xms=Xms(6912))
    assert result.errorlevel == 1
    assert result.output == "Only 6912 KiB of XMS memory are free: the RAM disk gets 2048 KiB.\r\n"


def test_too_little_for_the_files_says_both_figures():
    result = run_com(XMSFREE, "8192 7168", {}, xms=Xms(6912))
    assert result.errorlevel == 2
    assert result.output == "Only 6912 KiB of XMS memory are free, too little: the RAM disk needs 7168 KiB.\r\n"


def test_sizes_past_64_mib_use_the_32_bit_function():
    big = 1_500_000  # KiB: a RAM disk for a big payload
    assert run_com(XMSFREE, f"{big} {big}", {}, xms=Xms(big)).errorlevel == 0
    assert run_com(XMSFREE, f"{big} {big}", {}, xms=Xms(big - 1)).errorlevel == 2
    # An XMS 2.0 driver sees at most 64 MiB: a bigger RAM disk cannot be promised.
    assert run_com(XMSFREE, f"{big} 4096", {}, xms=Xms(big, version3=False)).errorlevel == 1


def test_nothing_free_at_all():
    result = run_com(XMSFREE, "8192 1024", {}, xms=Xms(0))
    assert result.errorlevel == 2 and result.output.startswith("Only 0 KiB")


def test_no_xms_driver():
    result = run_com(XMSFREE, "8192 1024", {})
    assert (result.errorlevel, result.output) == (3, "No XMS driver is loaded.\r\n")


@pytest.mark.parametrize("arguments", ["", "8192", "8192 x", "12345678 1", "-1 5"])
def test_bad_arguments(arguments):
    result = run_com(XMSFREE, arguments, {}, xms=Xms(100_000))
    assert result.errorlevel == 4 and "XMSFREE WANT NEED" in result.output

