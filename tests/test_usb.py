"""USB hard-disk images and El Torito hard-disk emulation for payloads too big for a floppy."""

import json
import os
import struct
import subprocess

import pytest

from judges import fsck_fat, iso_file, need, read_fat_files
from build_fixtures import run_mkrescue as run
from test_build import build_args, error_lines
from mkrescue.fat import fat16_params
from mkrescue.media.usb import CYLINDER, partition_table
from mkrescue.spec import parse_size

SECTOR = 512


def partitions(image):
    table = subprocess.run([need("sfdisk"), "--json", str(image)], capture_output=True, text=True, check=True)
    return json.loads(table.stdout)["partitiontable"]["partitions"]


def test_usb_image_has_one_active_fat16_partition(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    assert "USB hard-disk image" in result.stdout
    size = out.stat().st_size
    assert size % (CYLINDER * SECTOR) == 0
    [part] = partitions(out)
    assert part["start"] == 63 and part["bootable"] and part["type"] in ("4", "6")
    assert part["start"] + part["size"] == size // SECTOR
    offset = 63 * SECTOR
    fsck = fsck_fat(out, offset)
    assert fsck.returncode == 0, fsck.stdout
    files = read_fat_files(out, offset)
    flasher, firmware = user_files
    assert files["FLASH/ND1300A-.BIN"] == firmware.read_bytes()
    boot = out.read_bytes()[offset : offset + SECTOR]
    assert struct.unpack_from("<HHI", boot, 0x18) == (63, 255, 63) and boot[0x24] == 0x80


def test_usb_image_leaves_room_for_backups_and_is_sparse(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(4 * 1024 * 1024))
    out = tmp_path / "rescue.img"
    assert run(*build_args(user_files, dos_dir, out, "--format", "usb")).returncode == 0
    free = subprocess.run([need("minfo"), "-i", f"{out}@@{63 * SECTOR}", "::"], capture_output=True, text=True)
    assert free.returncode == 0, free.stderr
    assert out.stat().st_blocks * 512 < out.stat().st_size  # unused space is never written


def test_requested_size_is_rounded_down_to_whole_cylinders_and_says_so(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out, "--size", "64M"))
    assert result.returncode == 0, result.stderr
    size = out.stat().st_size
    assert 64 * 2**20 - CYLINDER * SECTOR < size <= 64 * 2**20  # fits a 64 MiB stick
    assert f"--size 64M: the image is {size} bytes ({size / 2**20:.1f} MiB), rounded down" in result.stderr


def test_too_small_size_is_one_clear_line(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(b"x" * 20_000_000)
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out, "--size", "16M"))
    assert result.returncode == 1
    [error] = error_lines(result.stderr)
    assert "do not fit a 15.7 MiB USB image" in error  # 16M rounded down to two cylinders
    assert not out.exists()


@pytest.mark.parametrize("text, expected", [("64M", 64 * 2**20), ("1G", 2**30), ("512MiB", 512 * 2**20), ("1000", 1000)])
def test_parse_size(text, expected):
    assert parse_size(text, "--size") == expected


@pytest.mark.parametrize("extra, output, message", [
    (("--size", "64M"), "r.iso", "--size sets the size of a USB image"),
    (("--floppy-size", "1.44"), "r.usb.img", "--floppy-size is for floppy and CD images"),
    (("--ramdisk-size", "\u00b2"), "r.iso", "is not a size"),
])
def test_options_that_do_not_apply_are_refused(tmp_path, user_files, dos_dir, extra, output, message):
    result = run(*build_args(user_files, dos_dir, tmp_path / output, *extra))
    assert result.returncode == 2
    [error] = error_lines(result.stderr)
    assert message in error


def test_an_asked_for_floppy_size_is_not_traded_for_hard_disk_emulation(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(1_600_000))
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.iso", "--floppy-size", "1.44"))
    assert result.returncode == 1
    [error] = error_lines(result.stderr)
    assert "do not fit a 1440 KiB floppy" in error


def test_partition_entry_chs_matches_lba():
    entry = partition_table(63, fat16_params(2 * CYLINDER - 63, 63))[:16]
    assert entry[0] == 0x80 and entry[1:4] == bytes((1, 1, 0))  # head 1, sector 1, cylinder 0
    assert entry[5:8] == bytes((254, 63, 1))  # last sector of cylinder 1
    assert struct.unpack_from("<II", entry, 8) == (63, 2 * CYLINDER - 63)


def test_big_payload_iso_uses_hard_disk_emulation(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(20_000_000))
    out = tmp_path / "rescue.iso"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    assert "hard-disk emulation" in result.stdout
    report = subprocess.run([need("xorriso"), "-indev", str(out), "-report_el_torito", "plain"],
                            capture_output=True, text=True)
    assert " hd " in report.stdout, report.stdout
    image = tmp_path / "disk.img"
    image.write_bytes(iso_file(out, "/BOOT.IMG;1"))
    assert read_fat_files(image, 63 * SECTOR)["FLASH/ND1300A-.BIN"] == firmware.read_bytes()


@pytest.mark.parametrize("firmware_size", [100_000, 20_000_000], ids=["floppy-emulation", "hd-emulation"])
def test_hybrid_iso_has_a_partition_on_the_boot_volume(tmp_path, user_files, dos_dir, firmware_size):
    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(firmware_size))
    out = tmp_path / "rescue.iso"
    assert run(*build_args(user_files, dos_dir, out)).returncode == 0
    [part] = partitions(out)
    assert part["bootable"] and part["start"] + part["size"] <= out.stat().st_size // SECTOR
    offset = part["start"] * SECTOR
    assert fsck_fat(out, offset).returncode == 0
    assert read_fat_files(out, offset)["FLASH/ND1300A-.BIN"] == firmware.read_bytes()


def test_no_hybrid_leaves_the_system_area_empty(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.iso"
    assert run(*build_args(user_files, dos_dir, out, "--no-hybrid")).returncode == 0
    assert out.read_bytes()[:32768] == bytes(32768)


@pytest.mark.parametrize("name, media, drive", [
    ("big.iso", "cdrom", "80"),  # El Torito hard-disk emulation
    ("big.iso", "hdd", "80"),  # the same hybrid ISO written to a USB stick
    ("big.usb.img", "usb", "80"),
])
def test_big_payloads_build_and_boot(tmp_path, user_files, stub_kernel, require_qemu, name, media, drive):
    from build_fixtures import make_dos_dir
    from mkrescue.boottest import boot

    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(20_000_000))
    dos = make_dos_dir(tmp_path / "stubdos", kernel=stub_kernel)
    out = tmp_path / name
    assert run(*build_args(user_files, dos, out)).returncode == 0
    result = boot(out, media, expect="MKRESCUE-STUB", timeout=60)
    assert f"MKRESCUE-STUB OK DRIVE={drive}" in result.serial, result.screen
