import pytest

from mkrescue.dosname import is_valid_83, short_name
from mkrescue.errors import UsageError


@pytest.mark.parametrize("name", ["BINFLASH.EXE", "A", "ND1300A.BIN", "FW_1-0.B~N", "X.Y"])
def test_valid_names(name):
    assert is_valid_83(name)


@pytest.mark.parametrize("name", ["", "TOOLONGNAME.EXE", "A.BINX", "A.B.C", "CON", "LPT1.TXT", "A B.EXE", "a.exe", "A."])
def test_invalid_names(name):
    assert not is_valid_83(name)


def test_short_name_keeps_valid_names_upper_cased():
    assert short_name("binflash.exe", set()) == "BINFLASH.EXE"


def test_short_name_squeezes_long_names():
    assert short_name("ND1300A-firmware 1.07.bin", set()) == "ND1300A-.BIN"


def test_short_name_resolves_collisions_with_tails():
    taken = {"FIRMWARE.BIN"}
    first = short_name("firmware-old.bin", taken)
    assert first == "FIRMWA~1.BIN"
    taken.add(first)
    assert short_name("firmware-new.bin", taken) == "FIRMWA~2.BIN"


def test_short_name_refuses_names_without_usable_characters():
    with pytest.raises(UsageError, match="8.3"):
        short_name("....", set())
    with pytest.raises(UsageError, match="8.3"):
        short_name("con.exe", set())
