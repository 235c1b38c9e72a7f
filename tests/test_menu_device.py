"""The menu with a {device} in its commands and the backup check, run through the model of
FreeCOM (freecom_model.py) with our real ASKDEV.COM and CHKBAK.COM on the emulated CPU:
asked once, validated, shown, changeable; a backup that is blank, of another size or
another model does not pass silently. The real thing: test_menu_qemu.py."""

from __future__ import annotations

import pytest

from freecom_model import boot, lines_of, model_pc
from test_menu import PCS, SCREEN_HEIGHT, SCREEN_WIDTH, build

IDENTIFY = "{flasher} -scan"
BACKUP = "{flasher} -dump {backup} {device}"
FLASH = "{flasher} -flash {firmware} {device}"
PROMPT = "Choose 1 to 6:"
ASKED = " Device (the device id that Identify (1) printed)"


@pytest.fixture
def image(tmp_path, user_files, dos_dir):
    return build(tmp_path, user_files, dos_dir, "--identify-cmd", IDENTIFY, "--backup-cmd", BACKUP, "--flash-cmd", FLASH,
                 "--expect-model", "ND-1300A")


def menu_run(image, keys, current_firmware=None, pc_name="floppy, 2 hard disks and a CD drive"):
    pc = model_pc(image, **PCS[pc_name])
    if current_firmware is not None:
        pc.current_firmware = current_firmware
    return boot(image, pc, "1", keys=keys), pc


def shown(run) -> str:
    return "\n".join("\n".join(screen) for screen in run.screens)


def test_the_device_is_asked_right_after_identify_and_shown_in_the_header(image):
    run, _ = menu_run(image, ["1", "1.0.0\r", " "])
    asking, paused = run.screens[-3:-1]
    assert asking[-2:] == [ASKED, " Type it and press Enter. Letters, digits and . : - only; Esc: no change."]
    assert " The command ended with errorlevel 0." in asking, "asked below what the scan printed"
    assert run.commands[-2:] == ["BINFLASH.EXE -scan", "ASKDEV MKDEV"]
    assert paused[-3:] == ["1.0.0", " Device: 1.0.0", "Press any key to continue . . ."]
    assert run.screens[-1][-1] == PROMPT and " Device:   1.0.0" in run.screens[-1]


def test_backup_asks_once_then_flash_uses_the_same_device_after_two_questions(image, user_files):
    run, pc = menu_run(image, ["2", "0:1:0\r", " ", "3", "Y", "F", " "])
    assert [c for c in run.commands if c.startswith("BINFLASH")] == [
        "BINFLASH.EXE -dump A:\\FWBACK1.BIN 0:1:0", "BINFLASH.EXE -flash ND1300A-.BIN 0:1:0"]
    assert run.commands.count("ASKDEV MKDEV") == 1
    text = shown(run)
    assert "The drive's current firmware names ND-1300A, like the new file." in text
    assert f"It has the new firmware's size, {user_files[1].stat().st_size} bytes, and is not blank." in text
    assert "WARNING" not in text and " Device:   0:1:0" in run.screens[-3]


def test_only_letters_digits_and_dot_colon_dash_reach_the_command(image):
    run, _ = menu_run(image, ["2", "1 0/0%>x.y\r", " "])
    assert "BINFLASH.EXE -dump A:\\FWBACK1.BIN 100x.y" in run.commands


def test_no_device_typed_runs_nothing(image):
    run, _ = menu_run(image, ["2", "\x1b", " "])
    assert not [c for c in run.commands if c.startswith("BINFLASH")]
    assert " No device was chosen, so nothing was run. Identify (1) lists the devices." in run.screens[-2]
    assert run.screens[-1][-1] == PROMPT


def test_another_models_firmware_warns_and_asks_a_third_time(image):
    size = len(model_pc(image, **PCS["floppy, no hard disk"]).current_firmware)
    other = (b"_NEC ND-3500A 1.06" + bytes(range(256)) * 1024)[:size]
    run, _ = menu_run(image, ["2", "1.0.0\r", " ", "3", "Y", "F", "N"], current_firmware=other)
    text = shown(run)
    assert "It does not name ND-1300A, as the new file does:" in text and "another drive, or one crossflashed" in text
    assert not any("-flash" in c for c in run.commands), "N at the third question flashes nothing"
    assert run.screens[-2][-1].startswith("Third question: press C to flash anyway")
    assert run.screens[-2][0].startswith(" ****") and run.screens[-1][-1] == PROMPT
    run, _ = menu_run(image, ["2", "1.0.0\r", " ", "3", "Y", "F", "C", " "], current_firmware=other)
    assert "BINFLASH.EXE -flash ND1300A-.BIN 1.0.0" in run.commands


def test_a_backup_of_another_size_warns_too(image):
    run, _ = menu_run(image, ["2", "1.0.0\r", " ", "3", "Y", "F"], current_firmware=b"_NEC ND-1300A" + b"\x01" * 1000)
    assert "Its size differs from the new firmware's" in shown(run)
    assert run.screens[-1][-1].startswith("Third question")


@pytest.mark.parametrize("blank", [b"\xff", b"\x00"])
def test_a_blank_backup_does_not_count(image, blank):
    run, pc = menu_run(image, ["2", "1.0.0\r", " ", "3", " "], current_firmware=blank * 262162)
    assert pc.drives["A"].files["\\FWBACK1.BIN"] == blank * 262162, "kept: it may still help someone"
    text = shown(run)
    assert "is empty or all 00 or all FF bytes: the flasher read nothing." in text
    assert "does not count as a backup" in text and "Flashing is locked until a backup" in text
    assert not any("-flash" in c for c in run.commands)


def test_changing_the_device_after_the_backup_locks_the_flash(image):
    run, _ = menu_run(image, ["2", "1.0.0\r", " ", "6", "0.1.0\r", " ", "3", " "])
    text = shown(run)
    assert "The backup A:\\FWBACK1.BIN is of device 1.0.0;" in text
    assert "Flashing is locked: A:\\FWBACK1.BIN is a backup of device 1.0.0," in text
    assert "not of 0.1.0. Back up device 0.1.0 first (2)." in text
    assert not any("-flash" in c for c in run.commands)
    run, _ = menu_run(image, ["2", "1.0.0\r", " ", "6", "0.1.0\r", " ", "2", " ", "3", "Y", "F", " "])
    assert "BINFLASH.EXE -flash ND1300A-.BIN 0.1.0" in run.commands


def test_screens_fit_80_by_25_with_the_longest_device_and_warnings(image):
    longest = "D" * 16
    run, _ = menu_run(image, ["1", longest + "\r", " ", "2", " ", "6", "E" * 16 + "\r", " ", "3", " ", "2", " ", "3", "Y", "F", "C", " "],
                      current_firmware=b"\x01" * 5000, pc_name="CD (read-only A:), 1 hard disk")
    assert len(run.screens) >= 10 and "BINFLASH.EXE -flash ND1300A-.BIN " + "E" * 16 in run.commands
    for screen in run.screens:
        assert len(screen) <= SCREEN_HEIGHT - 1, screen
        for line in screen:
            assert len(line) < SCREEN_WIDTH, line


def test_the_batch_files_stay_within_dos_lines(image):
    for name in ("FREEDOS/MENU.BAT", "FREEDOS/DEVICE.BAT"):
        for line in lines_of(image[name]):
            assert len(line) <= 127, line
    assert "FREEDOS/ASKDEV.COM" in image and "FREEDOS/CHKBAK.COM" in image


def test_without_device_no_device_files_and_the_old_menu(tmp_path, user_files, dos_dir):
    files = build(tmp_path, user_files, dos_dir, "--backup-cmd", "{flasher} -dump {backup}", "--flash-cmd", "{flasher} -w {firmware}")
    assert "FREEDOS/DEVICE.BAT" not in files and "FREEDOS/ASKDEV.COM" not in files and "FREEDOS/CHKBAK.COM" in files
    assert "CHOICE /C:12345 /N  Choose 1 to 5:" in lines_of(files["FREEDOS/MENU.BAT"])
