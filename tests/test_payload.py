import pytest

from mkrescue.errors import InputFileError
from mkrescue.payload import check_dos_program, read_input


def test_read_input_refuses_missing_empty_and_directories(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_input(tmp_path / "nope.bin", "firmware")
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(InputFileError, match="is empty"):
        read_input(tmp_path / "empty.bin", "firmware")
    with pytest.raises(InputFileError, match="is a directory"):
        read_input(tmp_path, "firmware")


def test_flasher_must_be_a_dos_program():
    with pytest.raises(InputFileError, match="not a DOS program"):
        check_dos_program("FLASH.BIN", b"MZ", "flasher")
    with pytest.raises(InputFileError, match="Linux"):
        check_dos_program("FLASH.EXE", b"\x7fELF....", "flasher")
    with pytest.raises(InputFileError, match="no DOS EXE header"):
        check_dos_program("FLASH.EXE", b"\x00\x00\x00", "flasher")
    assert check_dos_program("FLASH.COM", b"\xb4\x4c\xcd\x21", "flasher") == []
    assert check_dos_program("FLASH.BAT", b"@ECHO OFF\r\n", "flasher") == []


def test_windows_program_is_a_warning():
    pe = bytearray(b"MZ" + bytes(0x100))
    pe[0x3C:0x40] = (0x80).to_bytes(4, "little")
    pe[0x80:0x84] = b"PE\0\0"
    assert "Windows" in check_dos_program("FLASH.EXE", bytes(pe), "flasher")[0]
