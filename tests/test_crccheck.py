"""CRCCHECK.COM, our DOS tool that verifies the RAM disk's copies against CRC-32s made at
build time, run on the emulated CPU (tests/dos_emulator.py): the exit codes AUTOEXEC.BAT
relies on, for good, damaged, missing and malformed input."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from dos_emulator import run_com

CRCCHECK = (Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm" / "CRCCHECK.COM").read_bytes()
SHELL = b"MZ shell " * 7000  # several 8 KiB reads
TOOL = bytes(range(256)) * 40


def listing(*entries: tuple[str, bytes]) -> bytes:
    return b"".join(f"{zlib.crc32(data):08X} {name}\r\n".encode() for name, data in entries)


@pytest.fixture
def ram_disk() -> dict[str, bytes]:
    files = {"D:\\COMMAND.COM": SHELL, "D:\\FREEDOS\\CHOICE.EXE": TOOL, "D:\\FLASH\\FW.BIN": b"\xff" * 5000}
    entries = [(name[3:], data) for name, data in files.items()]
    return {**files, "D:\\FREEDOS\\FILES.CRC": listing(*entries)}


def check(files: dict[str, bytes], arguments: str = "D: D:\\FREEDOS\\FILES.CRC"):
    return run_com(CRCCHECK, arguments, files)


@pytest.mark.parametrize("directory", ["D:", "D:\\"])
def test_good_copies_pass_quietly(ram_disk, directory):
    result = check(ram_disk, f"{directory} D:\\FREEDOS\\FILES.CRC")
    assert (result.errorlevel, result.output) == (0, "")


def test_the_crc_is_zlibs_in_either_case_of_hex(ram_disk):
    ram_disk["D:\\FREEDOS\\FILES.CRC"] = ram_disk["D:\\FREEDOS\\FILES.CRC"].lower()
    assert check(ram_disk).errorlevel == 0


def test_a_copy_in_a_subfolder_is_found_below_the_folder_given(ram_disk):
    moved = {f"D:\\MKRESCUE\\{name[3:]}": data for name, data in ram_disk.items()}
    assert check(moved, "D:\\MKRESCUE D:\\MKRESCUE\\FREEDOS\\FILES.CRC").errorlevel == 0


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit
    lambda data: data[:-1],  # one byte short
    lambda data: data + b"\0",  # one byte more
    lambda data: b"",
])
def test_a_damaged_copy_is_named_and_fails_with_errorlevel_1(ram_disk, damage):
    ram_disk["D:\\FREEDOS\\CHOICE.EXE"] = damage(TOOL)
    result = check(ram_disk)
    assert result.errorlevel == 1
    assert result.output == "CRCCHECK: this copy differs from the boot disk: D:\\FREEDOS\\CHOICE.EXE\r\n"


def test_a_missing_copy_fails_with_errorlevel_2(ram_disk):
    del ram_disk["D:\\FLASH\\FW.BIN"]
    result = check(ram_disk)
    assert (result.errorlevel, result.output) == (2, "CRCCHECK: cannot read D:\\FLASH\\FW.BIN\r\n")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"1234", b"1234567 COMMAND.COM\r\n", b"XYZ45678 COMMAND.COM\r\n",
                                     b"12345678COMMAND.COM\r\n", b"12345678 \r\n", b"12345678 " + b"A" * 200 + b"\r\n"])
def test_an_empty_or_malformed_list_never_passes(ram_disk, content):
    ram_disk["D:\\FREEDOS\\FILES.CRC"] = content
    assert check(ram_disk).errorlevel == 2


def test_a_list_longer_than_the_tool_reads_is_refused_not_checked_in_part(ram_disk):
    line = listing(("COMMAND.COM", SHELL))
    ram_disk["D:\\FREEDOS\\FILES.CRC"] = line * (16384 // len(line) + 1)
    result = check(ram_disk)
    assert (result.errorlevel, result.output) == (2, "CRCCHECK: cannot read the list, or it is too long\r\n")


@pytest.mark.parametrize("arguments", ["", "D:", "D:\\" + "X" * 70 + " D:\\FREEDOS\\FILES.CRC", "D: D:\\NO.CRC"])
def test_bad_arguments_or_no_list_fail_with_errorlevel_2(ram_disk, arguments):
    assert check(ram_disk, arguments).errorlevel == 2


def test_many_files_close_their_handles(ram_disk):
    files = {f"D:\\FLASH\\F{n}.BIN": bytes([n]) * 10 for n in range(250)}
    files["D:\\LIST.CRC"] = listing(*[(name[3:], data) for name, data in files.items()])
    assert check(files, "D: D:\\LIST.CRC").errorlevel == 0
