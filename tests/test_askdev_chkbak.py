"""ASKDEV.COM (reads the device id into the shell's environment) and CHKBAK.COM (checks a
backup before the flash), our DOS tools for MENU.BAT, run on the emulated CPU
(tests/dos_emulator.py): what they accept, what they leave in the environment, the exit
codes the menu relies on. Their run on real FreeDOS is in test_menu_qemu.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from dos_emulator import run_com

DOSASM = Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm"
ASKDEV = (DOSASM / "ASKDEV.COM").read_bytes()
CHKBAK = (DOSASM / "CHKBAK.COM").read_bytes()
# A shell's block: its variables, the empty string, one string after them (its path).
SHELL_ENV = b"COMSPEC=D:\\COMMAND.COM\0PATH=D:\\FREEDOS\0\0\x01\0D:\\COMMAND.COM\0"
ESC, BACKSPACE, ENTER = "\x1b", "\x08", "\r"


def variables(block: bytes) -> tuple[list[bytes], bytes]:
    """The NAME=VALUE strings of an environment block, and the count and strings after them."""
    names, at = [], 0
    while block[at]:
        end = block.index(b"\0", at)
        names.append(block[at:end])
        at = end + 1
    count = int.from_bytes(block[at + 1 : at + 3], "little")
    tail_end = at + 3
    for _ in range(count):
        tail_end = block.index(b"\0", tail_end) + 1
    return names, block[at + 1 : tail_end]


def ask(keys: str, environment: bytes = SHELL_ENV, name: str = "MKDEV", size: int = 256):
    return run_com(ASKDEV, name, {}, keys=keys, environment=environment, environment_size=size)


def test_the_typed_id_lands_in_the_shells_environment_and_the_tail_survives():
    result = ask("1.0.0" + ENTER)
    assert (result.errorlevel, result.output) == (0, "1.0.0\r\n")
    names, tail = variables(result.environment)
    assert names == [b"COMSPEC=D:\\COMMAND.COM", b"PATH=D:\\FREEDOS", b"MKDEV=1.0.0"]
    assert tail == b"\x01\0D:\\COMMAND.COM\0"


def test_a_new_id_replaces_the_old_one_wherever_it_was():
    first = ask("0:1:0" + ENTER).environment
    second = ask("D:" + ENTER, environment=first)
    names, tail = variables(second.environment)
    assert names == [b"COMSPEC=D:\\COMMAND.COM", b"PATH=D:\\FREEDOS", b"MKDEV=D:"]
    middle = b"A=1\0MKDEV=old-value\0Z=2\0\0\0\0"
    names, tail = variables(ask("x" + ENTER, environment=middle).environment)
    assert names == [b"A=1", b"Z=2", b"MKDEV=x"] and tail == b"\0\0"


def test_only_letters_digits_and_dot_colon_dash_are_taken_others_beep():
    result = ask("1 /0%\"<>.|0" + ENTER)
    assert result.errorlevel == 0
    assert result.output == "1\a\a0\a\a\a\a.\a0\r\n"
    assert variables(result.environment)[0][-1] == b"MKDEV=10.0"


def test_sixteen_characters_at_most_and_backspace_erases():
    result = ask("A" * 20 + BACKSPACE + "b" + ENTER)
    assert variables(result.environment)[0][-1] == b"MKDEV=" + b"A" * 15 + b"b"
    assert result.output == "A" * 16 + "\a" * 4 + "\b \bb\r\n"
    assert ask(BACKSPACE + "x" + ENTER).output == "\ax\r\n"


def test_function_keys_are_dropped_whole():
    result = ask("\x00\x3b" + "1" + ENTER)  # F1, then 1
    assert (result.errorlevel, variables(result.environment)[0][-1]) == (0, b"MKDEV=1")


@pytest.mark.parametrize("keys", [ENTER, "1.0" + ESC, "1.0\x03", "1" + BACKSPACE + ENTER])
def test_esc_ctrl_c_or_an_empty_line_change_nothing(keys):
    before = b"MKDEV=keep\0\0\0\0"
    result = ask(keys, environment=before)
    assert result.errorlevel == 1
    assert result.environment[: len(before)] == before


def test_a_full_environment_changes_nothing():
    # 41 bytes used, MKDEV=1 and its NUL take 8: one byte more than the block's 48.
    full = b"X=" + b"y" * 35 + b"\0\0\0\0"
    result = ask("1" + ENTER, environment=full, size=48)
    assert result.errorlevel == 2 and result.environment == full.ljust(48, b"\xee")
    fits = ask("1" + ENTER, environment=b"X=" + b"y" * 34 + b"\0\0\0\0", size=48)
    assert fits.errorlevel == 0 and variables(fits.environment)[0][-1] == b"MKDEV=1"


def test_a_damaged_environment_changes_nothing():
    unended = b"A=" + b"b" * 46  # no NUL in the whole block
    assert ask("1" + ENTER, environment=unended, size=48).errorlevel == 2
    many = b"A=1\0\0\xff\x00"  # a count of strings no DOS writes
    assert ask("1" + ENTER, environment=many).errorlevel == 2


@pytest.mark.parametrize("name", ["", "TOO-LONG", "NINECHARS", "A=B"])
def test_a_bad_variable_name_is_refused_before_asking(name):
    assert ask("", name=name).errorlevel == 3


def test_the_name_is_upper_cased_as_set_does():
    result = ask("7" + ENTER, name="mkdev")
    assert variables(result.environment)[0][-1] == b"MKDEV=7"


FIRMWARE = b"\x00" * 100 + b"_NEC DVD_RW ND-1300A 1.07" + bytes(range(256)) * 200


def check(backup: bytes, model: str = "ND-1300A", firmware: bytes = FIRMWARE):
    files = {"C:\\FW.BIN": firmware, "D:\\FWBACK1.BIN": backup}
    return run_com(CHKBAK, f"D:\\FWBACK1.BIN C:\\FW.BIN {model}".rstrip(), files).errorlevel


def test_a_good_backup_passes():
    assert check(FIRMWARE) == 0
    assert check(FIRMWARE, model="") == 0


def test_the_model_is_found_across_read_boundaries():
    for where in (16384 - 4, 16384 - 8, 16384, 2 * 16384 - 1):
        backup = bytearray(b"\x5a" * 40000)
        backup[where : where + 8] = b"ND-1300A"
        assert check(bytes(backup), firmware=b"\x11" * 40000) == 0, where


@pytest.mark.parametrize(
    "backup, model, code",
    [
        (FIRMWARE.replace(b"ND-1300A", b"ND-3500A"), "ND-1300A", 1),  # another drive's firmware
        (FIRMWARE.replace(b"ND-1300A", b"nd-1300a"), "ND-1300A", 1),  # the case counts
        (FIRMWARE[:-1], "ND-1300A", 2),
        (FIRMWARE[:-1].replace(b"ND-1300A", b"XX"), "ND-1300A", 3),
        (b"\xff" * len(FIRMWARE), "", 4),
        (b"\x00" * len(FIRMWARE), "ND-1300A", 5),
        (b"\xff" * 1000, "ND-1300A", 7),
        (b"", "", 6),
        (b"\x00" * 16384 + b"\x01" + b"\x00" * (len(FIRMWARE) - 16385), "", 0),  # one byte set: not blank
        (b"\x01" * len(FIRMWARE), "", 0),  # uniform, but not an erased chip's 00 or FF
    ],
)
def test_wrong_size_model_or_blank_are_told_apart(backup, model, code):
    assert check(backup, model) == code


def test_a_model_with_spaces_is_the_rest_of_the_line():
    assert check(FIRMWARE, model="DVD_RW ND-1300A  ") == 0
    assert check(FIRMWARE, model="DVD_RW  ND-1300A") == 1


@pytest.mark.parametrize("arguments", ["", "D:\\FWBACK1.BIN", "D:\\NONE.BIN C:\\FW.BIN", "D:\\FWBACK1.BIN C:\\NONE.BIN",
                                       "D:\\FWBACK1.BIN C:\\FW.BIN " + "M" * 33])
def test_unreadable_files_or_bad_arguments_are_8(arguments):
    files = {"C:\\FW.BIN": FIRMWARE, "D:\\FWBACK1.BIN": FIRMWARE}
    assert run_com(CHKBAK, arguments, files).errorlevel == 8
