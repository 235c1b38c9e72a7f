"""--keyboard on real FreeDOS in QEMU: KEYB, DISPLAY and MODE load the layout, and QEMU's
`sendkey`, which presses physical keys (US names), types the layout's characters: on the
German layout the physical "z" key, labelled Y there, gives "y".

Runs when MKRESCUE_FREEDOS_DIR names a folder of real FreeDOS files (as test_menu_qemu.py)
and MKRESCUE_KEYB_DIR (default: the same folder) holds KEYB.EXE, KEYBOARD.SYS, DISPLAY.EXE,
MODE.COM and EGA.CPX from FreeDOS 1.4's keyb, keyb_lay, display, mode and cpidos packages."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from build_fixtures import run_mkrescue
from test_menu_qemu import FREEDOS, MENU, assemble, vm_of  # noqa: F401  (vm_of: a fixture)

KEYB_DIR = os.environ.get("MKRESCUE_KEYB_DIR") or FREEDOS
NEEDED = ("KEYB.EXE", "KEYBOARD.SYS", "DISPLAY.EXE", "MODE.COM", "EGA.CPX")
pytestmark = pytest.mark.skipif(
    not FREEDOS or not all((Path(KEYB_DIR) / name).is_file() for name in NEEDED),
    reason="set MKRESCUE_FREEDOS_DIR (and MKRESCUE_KEYB_DIR) to folders of real FreeDOS files with "
           + ", ".join(NEEDED))


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keyboard-images")
    dos = tmp / "freedos"
    shutil.copytree(FREEDOS, dos)
    for name in os.listdir(KEYB_DIR):
        if name.upper().endswith((".EXE", ".SYS", ".COM", ".CPX")) and not (dos / name).exists():
            shutil.copy(Path(KEYB_DIR) / name, dos / name)
    flasher = tmp / "FAKEFLSH.COM"
    assemble("fakeflash.asm", flasher)
    firmware = tmp / "FW.BIN"
    firmware.write_bytes(b"firmware" + bytes(range(256)) * 64)
    built = {}
    for name, layout in {"gr.iso": "gr", "cz.img": "cz", "fr.iso": "fr"}.items():
        built[name] = tmp / name
        result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos, "-o", built[name],
                              "--keyboard", layout, "--flash-cmd", "{flasher} -flash {firmware}",
                              "--identify-cmd", "{flasher} -scan",
                              "--no-backup-required")
        assert result.returncode == 0, result.stderr
    return built


def screen_bytes(vm) -> list[bytes]:
    """The text screen's rows as the code page's bytes (Vm.screen() keeps ASCII only)."""
    dump = vm.command("xp /2000hx 0xb8000").split("\n", 1)[1]
    cells = [int(w, 16) & 0xFF for w in re.findall(r"0x([0-9a-f]{4})\b", dump)][:2000]
    return [bytes(cells[i : i + 80]).rstrip(b" \0") for i in range(0, 2000, 80)]


def keys(vm, *names: str) -> None:
    for name in names:
        vm.command(f"sendkey {name}")


def test_german_the_key_labelled_y_confirms_the_flash(images, vm_of):
    vm = vm_of("-cdrom", str(images["gr.iso"]), "-boot", "d")
    vm.start("1")
    assert " Keyboard: German (gr)" in vm.wait(MENU)
    vm.type("3")
    vm.wait(r"Flash this firmware now\[N,Y\]\?")
    # The key labelled Y on a German keyboard, where a US keyboard has Z: with the US layout
    # CHOICE would take it for "z" and wait on, and this test would fail at the next line.
    keys(vm, "z")
    vm.wait(r"Start flashing\[N,F\]\?")
    keys(vm, "f")
    flashed = vm.wait("Press any key")
    assert "FAKEFLASH ran with: -flash FW.BIN" in flashed


# At the DOS prompt start, as the layout's characters in its code page: German in 437
# (y z sharp-s / o-umlaut), Czech in 852 loaded by DISPLAY and MODE (y e-caron s-caron c-caron 2).
@pytest.mark.parametrize("image, media, typed, shown", [
    ("gr.iso", ("-cdrom", "-boot", "d"), ("z", "y", "minus", "shift-7", "semicolon"), b">yz\xe1/\x94"),
    ("cz.img", ("-fda", "-boot", "a"), ("z", "2", "3", "4", "shift-2"), b">y\xd8\xe7\x9f2"),
])
def test_the_dos_prompt_start_types_what_the_keys_say(images, vm_of, image, media, typed, shown):
    vm = vm_of(media[0], str(images[image]), *media[1:])
    vm.start("3")
    vm.wait("Type MENU")
    keys(vm, *typed)
    deadline = time.monotonic() + 30
    while not screen_bytes(vm)[-1].endswith(shown):  # the guest echoes the keys in its own time
        assert time.monotonic() < deadline, f"{shown!r} never showed; the last row: {screen_bytes(vm)[-1]!r}"
        time.sleep(0.3)


def test_german_clean_start_names_the_layout(images, vm_of):
    vm = vm_of("-cdrom", str(images["gr.iso"]), "-boot", "d")
    vm.start("2")
    assert " Keyboard: German (gr)" in vm.wait(MENU)


def test_french_the_unshifted_digit_row_chooses_menu_items(images, vm_of):
    """On AZERTY the key labelled 1 types "&" unless shifted; MENUKEY takes it as 1 all the same.
    The keys before it type "a-grave" and "q" there: no menu item, the menu waits on."""
    vm = vm_of("-cdrom", str(images["fr.iso"]), "-boot", "d")
    vm.start("1")
    assert " Keyboard: French (fr)" in vm.wait(MENU)
    keys(vm, "0", "a", "1")
    assert "FAKEFLASH ran with: -scan" in vm.wait("Press any key")
