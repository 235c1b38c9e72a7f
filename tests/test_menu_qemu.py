"""The boot menu and the flash menu on real FreeDOS in QEMU: every start, on floppy, CD and
USB images, with and without hard disks, XMS and the boot CD.

FreeDOS is not in the repository, so these tests run only when MKRESCUE_FREEDOS_DIR names
a folder of real FreeDOS files (kernel, FreeCOM, HIMEMX, CHOICE, SHSURDRV), e.g. the one
`mkrescue fetch` assembles. The flasher is a stand-in, tests/fixtures/fakeflash.asm, which
prints what it was asked to do and writes the backup; the --driver is one too,
tests/fixtures/stubdrv.asm, a drive that is never ready."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from build_fixtures import run_mkrescue
from judges import need

FREEDOS = os.environ.get("MKRESCUE_FREEDOS_DIR")
pytestmark = pytest.mark.skipif(not FREEDOS, reason="set MKRESCUE_FREEDOS_DIR to a folder of real FreeDOS files")
FIXTURES = Path(__file__).parent / "fixtures"
COMMANDS = ("--identify-cmd", "{flasher} -scan", "--backup-cmd", "{flasher} -dump {backup} 1.0.0",
            "--flash-cmd", "{flasher} -flash {firmware} 1.0.0", "--expect-model", "ND-1300A")
MENU = "Choose 1 to 5"
KEY_NAMES = {" ": "spc", "\n": "ret", ":": "shift-semicolon", "\\": "backslash", "-": "minus", ".": "dot", "/": "slash", "%": "shift-5",
             "\x1b": "esc"}
DOSASM = Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm"


class Vm:
    """QEMU with its human monitor on a socket: read the text screen, type, eject."""

    def __init__(self, tmp: Path, args: list[str]) -> None:
        self.socket_path = tmp / "monitor"
        self.process = subprocess.Popen(
            [need("qemu-system-i386"), "-display", "none", "-nic", "none", "-snapshot", "-m", "32",
             "-monitor", f"unix:{self.socket_path},server=on,wait=off", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.socket_path.exists():
            assert time.monotonic() < deadline and self.process.poll() is None, "QEMU did not start"
            time.sleep(0.05)
        self.monitor = socket.socket(socket.AF_UNIX)
        self.monitor.connect(str(self.socket_path))
        self._reply()

    def _reply(self) -> str:
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.monitor.recv(65536)
            assert chunk, "QEMU's monitor closed"
            data += chunk
        return data.decode("latin-1")

    def command(self, line: str) -> str:
        self.monitor.sendall(line.encode() + b"\n")
        return self._reply()

    def screen(self) -> str:
        dump = self.command("xp /2000hx 0xb8000").split("\n", 1)[1]
        cells = [int(w, 16) & 0xFF for w in re.findall(r"0x([0-9a-f]{4})\b", dump)][:2000]
        text = "".join(chr(c) if 32 <= c < 127 else " " for c in cells)
        return "\n".join(text[i : i + 80].rstrip() for i in range(0, 2000, 80))

    def wait(self, pattern: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if re.search(pattern, shown):
                return shown
            assert time.monotonic() < deadline, f"{pattern!r} never showed; the screen:\n{shown}"
            time.sleep(0.3)

    def type(self, text: str) -> None:
        for ch in text:
            key = KEY_NAMES.get(ch) or (f"shift-{ch.lower()}" if ch.isupper() else ch)
            self.command(f"sendkey {key}")
            time.sleep(0.08)

    def answer_flash(self) -> None:
        """Menu item 3 and its two questions, yes to both."""
        self.type("3")
        self.wait(r"\[N,Y\]\?")
        self.type("y")
        self.wait(r"\[N,F\]\?")
        self.type("f")

    def start(self, choice: str) -> None:
        """Answer FreeDOS's boot menu (FDCONFIG.SYS)."""
        self.wait("Select from Menu")
        self.type(choice)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        self.monitor.close()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Floppy, CD, USB images (and some with --flasher-dir-a or --driver) and a FAT hard disk, built once."""
    tmp = tmp_path_factory.mktemp("qemu-images")
    flasher, driver = tmp / "FAKEFLSH.COM", tmp / "STUBDRV.SYS"
    for out, source in ((flasher, "fakeflash.asm"), (driver, "stubdrv.asm")):
        assemble(source, out)
    firmware = tmp / "ND1300A.BIN"
    firmware.write_bytes(FIRMWARE)
    built = {}
    for name, extra in {"floppy.img": (), "cd.iso": (), "stick.usb.img": (), "disk.usb.img": ("--size", "32M"),
                        "dir-a.img": ("--flasher-dir-a",), "driver.usb.img": ("--driver", str(driver)),
                        "driver.iso": ("--driver", str(driver))}.items():
        built[name] = tmp / name
        result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", FREEDOS, "-o", built[name],
                              *COMMANDS, *extra)
        assert result.returncode == 0, result.stderr
    return built


FIRMWARE = b"_NEC DVD_RW ND-1300A 1.07" + bytes(range(256)) * 1024


def assemble(source: str, out: Path, *defines: str) -> None:
    subprocess.run([need("nasm"), "-f", "bin", "-i", f"{DOSASM}/", *defines, "-o", str(out), str(FIXTURES / source)],
                   check=True)


@pytest.fixture
def vm_of(tmp_path):
    started = []

    def start(*args: str) -> Vm:
        started.append(Vm(tmp_path, list(args)))
        return started[-1]

    yield start
    for vm in started:
        vm.close()


def test_floppy_normal_start_backup_before_flash_then_flash_and_reboot(images, vm_of):
    vm = vm_of("-fda", str(images["floppy.img"]), "-boot", "a")
    vm.start("1")
    menu = vm.wait(MENU)
    assert "The boot disk is no longer needed" in menu and "FAKEFLSH.COM in C:\\FLASH" in menu
    assert "ND1300A.BIN, 262169 bytes, for ND-1300A" in menu
    vm.type("3")
    assert "Flashing is locked until a backup" in vm.wait("Press any key")
    vm.type(" ")
    vm.wait(MENU)
    vm.type("2")
    backup = vm.wait("Press any key")
    assert "FAKEFLASH ran with: -dump A:\\FWBACK1.BIN 1.0.0" in backup and "saved as A:\\FWBACK1.BIN" in backup
    vm.type(" ")
    assert "Backup:   A:\\FWBACK1.BIN" in vm.wait(MENU)
    vm.type("3")
    vm.wait(r"Flash this firmware now\[N,Y\]\?")
    vm.type("y")
    vm.wait(r"Start flashing\[N,F\]\?")
    vm.type("f")
    flashed = vm.wait("Press any key")
    assert "FAKEFLASH ran with: -flash ND1300A.BIN 1.0.0" in flashed and "errorlevel 0" in flashed
    vm.type(" ")
    vm.wait(MENU)
    vm.type("5")
    vm.wait(r"Reboot now\[N,Y\]\?")
    vm.type("y")
    vm.wait("Booting from Floppy|how should DOS start")


def test_cd_with_a_hard_disk_goes_on_after_the_cd_is_taken_out(images, vm_of):
    vm = vm_of("-cdrom", str(images["cd.iso"]), "-hda", str(images["disk.usb.img"]), "-boot", "d")
    vm.start("1")
    assert "FAKEFLSH.COM in D:\\FLASH" in vm.wait(MENU), "C: is the hard disk, so the RAM disk is D:"
    vm.command("eject -f ide1-cd0")
    vm.type("2")
    assert "saved as C:\\FWBACK1.BIN" in vm.wait("Press any key"), "the backup goes to the hard disk"
    vm.type(" ")
    vm.wait(MENU)
    vm.answer_flash()
    assert "FAKEFLASH: firmware written" in vm.wait("Press any key")


@pytest.mark.parametrize("choice, shown", [
    ("2", "Clean start, running from the read-only boot disk"),
    ("3", "Type MENU for the flash menu"),
    ("0", "Clean start, running from the read-only boot disk"),
])
def test_cd_clean_and_prompt_starts(images, vm_of, choice, shown):
    vm = vm_of("-cdrom", str(images["cd.iso"]), "-boot", "d")
    vm.start(choice)
    screen = vm.wait(MENU + "|Type MENU")
    assert shown in screen
    if choice == "3":
        vm.type("MENU\n")
        assert "FAKEFLSH.COM in A:\\FLASH" in vm.wait(MENU)


def test_without_enough_xms_the_menu_runs_from_the_boot_disk(images, vm_of):
    vm = vm_of("-fda", str(images["floppy.img"]), "-boot", "a", "-m", "2")
    vm.start("1")
    assert "No RAM disk (too little XMS memory)" in vm.wait("Press any key")
    vm.type(" ")
    assert "FAKEFLSH.COM in A:\\FLASH" in vm.wait(MENU)


def test_usb_stick_boots_as_c_and_keeps_the_backup(images, vm_of):
    vm = vm_of("-hda", str(images["stick.usb.img"]), "-boot", "c")
    vm.start("1")
    assert "FAKEFLSH.COM in D:\\FLASH" in vm.wait(MENU)
    vm.type("2")
    backup = vm.wait("Press any key")
    assert "saved as C:\\FWBACK1.BIN" in backup and "Abort" not in backup, "the empty floppy drive A: is passed quietly"


def test_flasher_dir_a_runs_the_flasher_from_a(images, vm_of):
    vm = vm_of("-fda", str(images["dir-a.img"]), "-boot", "a")
    vm.start("1")
    assert "FAKEFLSH.COM in A:\\" in vm.wait(MENU)
    vm.type("2")
    backup = vm.wait("Press any key")
    assert "FAKEFLASH ran with: -dump" in backup and "saved as C:\\FWBACK1.BIN" in backup, "never to the mapped A:"
    vm.type(" ")
    vm.wait(MENU)
    vm.type("4")
    vm.wait("EXIT")
    vm.type("TRUENAME A:\\\n")
    assert "C:\\FLASH" in vm.wait(r"C:\\FLASH\s*\n")


@pytest.mark.parametrize("arguments, mapped", [
    ("D: A:\\FLASH", True),  # the control: these inputs map
    ("D: A:\\NOPE", False),  # no such folder
    ("A: A:\\FLASH", False),  # a drive onto itself
    ("1: A:\\FLASH", False),  # no drive letter
    ("D: A:\\FLASH\\", False),  # a trailing backslash
    ("D: A:\\FLASH\\ND1300A.BIN", False),  # a file, not a folder
    ("D:", False),  # no folder given
])
def test_mksubst_maps_a_folder_or_refuses_and_changes_nothing(images, vm_of, arguments, mapped):
    vm = vm_of("-fda", str(images["floppy.img"]), "-boot", "a")
    vm.start("3")  # DOS prompt: no RAM disk, so the boot floppy A: holds \FLASH
    vm.wait("Type MENU")
    vm.type(f"MKSUBST {arguments}\nIF ERRORLEVEL 1 ECHO SAID-NO\nIF NOT ERRORLEVEL 1 ECHO SAID-YES\n"
            "IF EXIST D:\\FAKEFLSH.COM ECHO D-IS-FLASH\nIF EXIST A:\\KERNEL.SYS ECHO A-IS-BOOT\nECHO DONE-ALL\n")
    shown = vm.wait(r"\nDONE-ALL")
    answers = [line for line in shown.splitlines() if line in ("SAID-NO", "SAID-YES", "D-IS-FLASH", "A-IS-BOOT")]
    assert answers == (["SAID-YES", "D-IS-FLASH", "A-IS-BOOT"] if mapped else ["SAID-NO", "A-IS-BOOT"]), shown


def _build(tmp_path: Path, name: str, *extra: str) -> Path:
    flasher, firmware = tmp_path / "FAKEFLSH.COM", tmp_path / "ND1300A.BIN"
    assemble("fakeflash.asm", flasher)
    firmware.write_bytes(b"_NEC DVD_RW ND-1300A 1.07" + bytes(range(256)) * 1024)
    out = tmp_path / name
    result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", FREEDOS, "-o", out, *COMMANDS, *extra)
    assert result.returncode == 0, result.stderr
    return out


def test_ram_disk_shrinks_to_the_files_when_the_size_asked_for_does_not_fit(tmp_path, vm_of):
    """32 MB of memory leave about 31 MB of XMS: a 64 MB RAM disk does not fit, the files do."""
    vm = vm_of("-hda", str(_build(tmp_path, "big.usb.img", "--ramdisk-size", "64M")), "-boot", "c")
    vm.start("1")
    assert "The boot disk is no longer needed" in vm.wait(MENU)
    vm.type("4")
    vm.wait("EXIT")
    vm.type("echo %MKRAMK%\n")
    size = int(re.search(r"(?m)^(\d+)$", vm.wait(r"(?m)^\d+$")).group(1))
    assert 1024 <= size < 31 * 1024 and size % 1024 == 0


def test_too_little_xms_for_the_files_says_so_with_the_figures(tmp_path, vm_of):
    big = tmp_path / "BIG.DAT"
    big.write_bytes(bytes(range(256)) * (33 * 4096))  # 33 MiB: more than 32 MB of memory can hold
    vm = vm_of("-hda", str(_build(tmp_path, "huge.usb.img", "--add", str(big))), "-boot", "c")
    vm.start("1")
    shown = vm.wait("Press any key")
    assert re.search(r"Only \d+ KiB of XMS memory are free, too little: the RAM disk needs \d+ KiB", shown), shown
    assert "No RAM disk" in shown
    vm.type(" ")
    assert "FAKEFLSH.COM in C:\\FLASH" in vm.wait(MENU)


# ---------------------------------------------------------------------------------------
# The binflash profile, picked by the flasher's name, with the device typed at run time:
# the stand-in NECFLASH.EXE is fakeflash.asm as a DOS .EXE; it knows device 1.0.0 only,
# and its dump copies CURRENT.BIN when a test adds one (else a good same-model image).
DEVICE_MENU = "Choose 1 to 6"
DEVICE_PROMPT = "Device (the Device line that Identify printed, like 1.0.0)"


@pytest.fixture(scope="module")
def necflash_images(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("necflash")
    flasher, firmware = tmp / "NECFLASH.EXE", tmp / "ND1300A.BIN"
    assemble("fakeflash.asm", flasher, "-DEXE")
    firmware.write_bytes(FIRMWARE)
    other, blank = tmp / "other" / "CURRENT.BIN", tmp / "blank" / "CURRENT.BIN"
    for path, data in ((other, FIRMWARE.replace(b"ND-1300A 1.07", b"ND-3500A 2.1A")), (blank, b"\xff" * len(FIRMWARE))):
        path.parent.mkdir()
        path.write_bytes(data)
    built = {}
    for name, extra in {"done.iso": (), "other.iso": ("--expect-model", "ND-1300A", "--add", str(other)),
                        "blank.iso": ("--add", str(blank))}.items():
        built[name] = tmp / name
        result = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", FREEDOS, "-o", built[name], *extra)
        assert result.returncode == 0, result.stderr
        assert "uses the binflash profile (chosen by its name)" in result.stderr
    return built


def test_the_done_criterion_as_a_boot_test_script(necflash_images):
    """`mkrescue --flasher NECFLASH.EXE --fw ND1300A.BIN -o rescue.iso` (no other option but
    where FreeDOS is) identifies, asks for the device, backs up to FWBACK1.BIN, checks it,
    and flashes with the profile's command after two questions: rehearsed by boot-test."""
    steps = ["Choose 1 to 6=>1", "Type it and press Enter=>1 dot 0 dot 0 ret", "Press any key=>spc",
             "Choose 1 to 6=>2", "and is not blank=>", "Press any key=>spc",
             "Choose 1 to 6=>3", "Flash this firmware now=>y", "Start flashing=>f"]
    result = run_mkrescue("boot-test", necflash_images["done.iso"], "--timeout", "120",
                          *[arg for step in steps for arg in ("--step", step)], "--expect", "firmware written")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Device:   1.0.0" in result.stdout and "Backup:   C:\\FWBACK1.BIN" in result.stdout
    assert "FAKEFLASH ran with: -flash ND1300A.BIN 1.0.0\nFAKEFLASH: firmware written" in result.stdout


def test_identify_asks_the_device_keeps_only_valid_characters_then_backup_is_checked(necflash_images, vm_of):
    vm = vm_of("-cdrom", str(necflash_images["done.iso"]), "-boot", "d")
    vm.start("1")
    assert "Device:   not chosen yet" in vm.wait(DEVICE_MENU)
    vm.type("1")
    asked = vm.wait("Type it and press Enter")
    assert "FAKEFLASH ran with: -scan" in asked and "Device : 1.0.0  _NEC DVD_RW ND-1300A" in asked
    assert DEVICE_PROMPT in asked, "asked below what the scan printed"
    vm.type("1 /.0%.0\n")  # the blank, / and % beep and are left out
    assert " Device: 1.0.0\n" in vm.wait("Press any key")
    vm.type(" ")
    assert "Device:   1.0.0" in vm.wait(DEVICE_MENU)
    vm.type("2")
    backup = vm.wait("Press any key")
    assert "FAKEFLASH ran with: -dump C:\\FWBACK1.BIN 1.0.0" in backup
    assert "It has the new firmware's size, 262169 bytes, and is not blank." in backup and "*** WARNING ***" not in backup


def choose_with_device(vm: Vm, item: str, typed: str) -> str:
    """From the menu: `item`, then `typed` at the Device prompt; the screen that follows."""
    vm.wait(DEVICE_MENU)
    vm.type(item)
    vm.wait(re.escape(DEVICE_PROMPT))
    vm.type(typed)
    return vm.wait("Press any key" if item != "6" else DEVICE_MENU)


def test_another_models_backup_warns_loudly_and_asks_a_third_time(necflash_images, vm_of):
    vm = vm_of("-cdrom", str(necflash_images["other.iso"]), "-boot", "d")
    vm.start("1")
    backup = choose_with_device(vm, "2", "1.0.0\n")
    assert "It does not name ND-1300A, as the new file does:" in backup and "*** WARNING ***" in backup
    assert "The drive's current firmware names" not in backup
    vm.type(" ")
    vm.wait(DEVICE_MENU)
    vm.answer_flash()
    third = vm.wait(r"Third question.*\[N,C\]\?")
    assert "it does not name ND-1300A" in third and "FAKEFLASH ran with: -flash" not in third
    vm.type("n")
    vm.wait(DEVICE_MENU)
    vm.answer_flash()
    vm.wait(r"Third question.*\[N,C\]\?")
    vm.type("c")
    assert "FAKEFLASH ran with: -flash ND1300A.BIN 1.0.0" in vm.wait("Press any key")


def test_a_wrong_device_and_a_blank_backup_never_unlock_the_flash(necflash_images, vm_of):
    vm = vm_of("-cdrom", str(necflash_images["blank.iso"]), "-boot", "d")
    vm.start("1")
    assert "No device was chosen, so nothing was run." in choose_with_device(vm, "2", "\x1b")
    vm.type(" ")
    wrong = choose_with_device(vm, "2", "9.9.9\n")
    assert "FAKEFLASH: no device 9.9.9" in wrong and "did not create C:\\FWBACK1.BIN" in wrong
    vm.type(" ")
    assert "Device:   1.0.0" in choose_with_device(vm, "6", "1.0.0\n")
    vm.type("2")
    blank = vm.wait("Press any key")
    assert "is empty or all 00 or all FF bytes: the flasher read nothing." in blank
    assert "does not count as a backup" in blank
    vm.type(" ")
    vm.wait(DEVICE_MENU)
    vm.type("3")
    assert "Flashing is locked until a backup" in vm.wait("Press any key")
