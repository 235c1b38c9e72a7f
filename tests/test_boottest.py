"""The QEMU runner: what it reads back, typing, timeouts, errors, and that it leaves
neither the image changed nor QEMU running."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
from pathlib import Path

import pytest

from judges import need
from mkrescue import boottest, bootcode
from mkrescue.boottest import BootResult, QemuMissing, boot
from mkrescue.errors import BootTestFailed, InputFileError, MkrescueError, UsageError

OK = "MKRESCUE-STUB OK DRIVE=80"


@pytest.fixture
def disk(tmp_path, stub_kernel) -> Path:
    """A small hard-disk image that boots the stub kernel: our MBR, one FAT16 partition."""
    volume = tmp_path / "volume.img"
    volume.write_bytes(bytes(16 * 1024 * 1024))
    subprocess.run([need("mkfs.fat"), "-F", "16", "-S", "512", "-h", "2048", "-g", "255/63", str(volume)],
                   check=True, capture_output=True)
    (tmp_path / "KERNEL.SYS").write_bytes(stub_kernel)
    subprocess.run([need("mcopy"), "-i", str(volume), str(tmp_path / "KERNEL.SYS"), "::KERNEL.SYS"], check=True,
                   env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    data = bytearray(volume.read_bytes())
    data[:512] = bootcode.fat_boot_sector(bytes(data[3:0x3E]))
    sectors = len(data) // 512
    entry = b"\x80" + chs(2048) + b"\x04" + chs(2048 + sectors - 1) + struct.pack("<II", 2048, sectors)
    image = tmp_path / "disk.img"
    image.write_bytes(bootcode.mbr(entry + bytes(48), 1).ljust(2048 * 512, b"\0") + data)
    return image


def chs(lba: int) -> bytes:
    """A partition entry's CHS bytes for 255 heads and 63 sectors per track."""
    cylinder, rest = divmod(lba, 255 * 63)
    head, sector = divmod(rest, 63)
    return bytes((head, sector + 1 | (cylinder >> 2) & 0xC0, cylinder & 0xFF))


def our_qemus(image: Path) -> list[int]:
    """Processes whose command line names the image (Linux /proc)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if str(image.resolve()).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_reads_screen_and_serial_and_types_keys(disk, require_qemu):
    result = boot(disk, "hdd", expect=OK, timeout=30, keys=["m", "shift-k", "ret"])
    assert isinstance(result, BootResult) and result.matched
    lines = result.screen.split("\n")
    assert len(lines) == 25 and all(len(line) <= 80 and line == line.rstrip() for line in lines)
    for text in (result.screen, result.serial):
        assert OK in text
        assert "KEY=m" in text and "KEY=K" in text and "KEY=#0D" in text  # Enter is 0Dh
    assert "\r" not in result.serial


def test_without_expect_waits_for_the_screen_to_settle(disk, require_qemu):
    result = boot(disk, "usb", timeout=30)
    assert result.matched and OK in result.screen


@pytest.mark.parametrize("media", ["hdd", "usb"])
def test_counts_what_the_pc_read_from_the_image(disk, stub_kernel, media, require_qemu):
    result = boot(disk, media, expect=OK, timeout=30)
    read = {sector for offset, length in result.reads for sector in range(offset // 512, (offset + length + 511) // 512)}
    assert 0 in read and 2048 in read  # the MBR, then the partition's boot sector
    assert result.bytes_read >= len(stub_kernel)  # the boot sector loaded the kernel, all of it
    assert max(read) < disk.stat().st_size // 512


def test_text_that_never_comes_is_no_match_not_an_error(disk, require_qemu):
    result = boot(disk, "hdd", expect="THIS NEVER APPEARS", timeout=3)
    assert not result.matched
    assert OK in result.screen  # what was there is still returned


def test_image_is_unchanged_and_qemu_is_gone(disk, require_qemu):
    before = hashlib.sha256(disk.read_bytes()).digest()
    boot(disk, "hdd", expect=OK, timeout=30)
    assert hashlib.sha256(disk.read_bytes()).digest() == before
    assert our_qemus(disk) == []


def test_qemu_is_stopped_when_something_fails(disk, require_qemu, monkeypatch):
    with pytest.raises(UsageError, match="QEMU has no key named 'no' \\(in 'no-such-key'\\)"):
        boot(disk, "hdd", expect=OK, timeout=30, keys=["no-such-key"])
    assert our_qemus(disk) == []
    # A QEMU whose schema does not list its key names: sendkey itself refuses, when the keys come.
    monkeypatch.setattr(boottest, "_key_names", lambda qmp: frozenset())
    with pytest.raises(BootTestFailed, match="cannot type 'no-such-key'"):
        boot(disk, "hdd", expect=OK, timeout=30, keys=["no-such-key"])
    assert our_qemus(disk) == []


def test_qemu_that_does_not_start_is_one_clear_error(disk, monkeypatch):
    monkeypatch.setattr(boottest, "QEMU", "false")  # exits at once, as QEMU does on bad options
    with pytest.raises(BootTestFailed, match="QEMU stopped at start"):
        boot(disk, "hdd", timeout=5)


def test_missing_qemu_says_how_to_install_it(disk, monkeypatch):
    monkeypatch.setattr(boottest, "QEMU", "qemu-system-i386-not-installed")
    with pytest.raises(QemuMissing) as caught:
        boot(disk, "hdd")
    assert isinstance(caught.value, MkrescueError)
    message = str(caught.value)
    assert "\n" not in message and "apt-get install qemu-system-x86" in message


def test_bad_arguments(tmp_path):
    with pytest.raises(InputFileError):
        boot(tmp_path / "nothing.img", "hdd")
    (tmp_path / "x.img").write_bytes(bytes(512))
    with pytest.raises(ValueError, match="floppy, cdrom, hdd, usb"):
        boot(tmp_path / "x.img", "tape")


def test_screen_text_from_vga_memory():
    memory = bytearray(b"\x00\x07" * 80 * 25)
    memory[0:8] = b"A\x07\xdb\x07 \x07 \x07"  # "A", a CP437 block, two blanks
    memory[160:162] = b"B\x07"
    text = boottest._screen_text(bytes(memory))
    assert text.split("\n")[:3] == ["A\u2588", "B", ""] and text.count("\n") == 24


def test_a_step_is_text_then_key_names():
    from mkrescue.boottest import Step, parse_step
    from mkrescue.errors import UsageError

    assert parse_step("Choose 1 to 6=>2") == Step("Choose 1 to 6", ("2",))
    assert parse_step("Device (the=>x) =>1 dot 0 ret") == Step("Device (the=>x)", ("1", "dot", "0", "ret"))
    assert parse_step("Press any key=>") == Step("Press any key", ())
    for bad in ("no arrow", "=>ret", "  =>ret"):
        with pytest.raises(UsageError, match="is not TEXT=>KEYS"):
            parse_step(bad)


def test_a_screen_that_says_the_pc_cannot_boot_ends_the_wait_at_once():
    looks = []

    def look():
        looks.append(1)
        return "SeaBIOS\nBooting from Floppy...\nBoot failed: could not read the boot disk\n", ""

    assert boottest._wait(look, "never", deadline=float("inf")) is False
    assert len(looks) == 1


def test_a_steps_text_must_come_on_a_changed_screen(monkeypatch):
    monkeypatch.setattr(boottest, "POLL_SECONDS", 0)
    screens = iter([("Choose 1 to 6:", ""), ("Choose 1 to 6:", ""), ("Choose 1 to 6: 1", ""), ("menu again", "")])
    assert boottest._wait(lambda: next(screens), "Choose", deadline=float("inf"), changed_from=("Choose 1 to 6:", ""))
    assert next(screens) == ("menu again", ""), "matched on the third look, the first that changed"


def test_steps_wait_then_type_in_order(disk, require_qemu):
    from mkrescue.boottest import Step

    result = boot(disk, "hdd", steps=[Step(OK, ("a",)), Step("KEY=a", ("shift-b",))], expect="KEY=B", timeout=30)
    assert result.matched and result.missed_step is None
    assert result.screen.index("KEY=a") < result.screen.index("KEY=B")


def test_a_step_that_never_comes_stops_there(disk, require_qemu):
    from mkrescue.boottest import Step

    result = boot(disk, "hdd", steps=[Step(OK, ("a",)), Step("NEVER", ("b",)), Step("KEY=b", ("c",))], expect=OK,
                  timeout=4, keys=["d"])
    assert not result.matched and "KEY=a" in result.screen and "KEY=b" not in result.screen and "KEY=d" not in result.screen
    assert result.problem(OK, 4) == "step 2, 'NEVER', did not appear within 4 s"


def test_key_names_are_checked_whole_and_briefly():
    from mkrescue.boottest import MAX_KEY_LENGTH, _check_key_names

    names = frozenset({"a", "shift", "ctrl", "alt", "delete", "ret"})
    _check_key_names(["a", "shift-a", "ctrl-alt-delete", "0x1e", "<", "0xE01C"], names)
    with pytest.raises(UsageError, match=r"^QEMU has no key named '0x12345' \(in '0x12345'\)"):
        _check_key_names(["0x12345"], names)  # no scan code has more than 4 hex digits
    with pytest.raises(UsageError) as caught:
        _check_key_names(["shift-" * 200 + "a"], names)  # known names, but a line QEMU's monitor refuses
    assert len(str(caught.value)) < 200 and f"has at most {MAX_KEY_LENGTH}" in str(caught.value)
    with pytest.raises(UsageError) as caught:
        _check_key_names(["x" * 100_000], names)
    assert len(str(caught.value)) < 200
    _check_key_names(["anything"], frozenset())  # a QEMU that hides its names: sendkey judges

