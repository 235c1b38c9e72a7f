"""UEFI-only PCs: --uefi-app puts a CSM wrapper on an EFI System Partition (USB image
partition 2) and behind an El Torito EFI entry (ISO, and partition 2 of its hybrid MBR).

A stand-in EFI application of our own (fixtures/efistub.asm, it prints a marker)
proves the layout under OVMF without the wrapper; with the real CSMWrap from
../shared/uefi, OVMF boots the stub kernel the BIOS way through it."""

from __future__ import annotations

import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

from build_fixtures import build_with_stub_kernel
from build_fixtures import run_mkrescue as run
from conftest import FIXTURES
from judges import fsck_fat, iso_file, need, read_fat_files
from test_menu_qemu import assemble
from test_build import build_args, error_lines
from mkrescue import efiapp
from mkrescue.boottest import OVMF_CODE, OVMF_VARS, boot
from mkrescue.check import check_image

SECTOR = 512
REPO = Path(__file__).resolve().parent.parent
# ../shared/uefi beside the clone, or MKRESCUE_UEFI_DIR (a git worktree lives elsewhere).
UEFI_DIR = Path(os.environ.get("MKRESCUE_UEFI_DIR") or REPO.parent / "shared" / "uefi")
CSMWRAP = UEFI_DIR / "csmwrap-1.2.3-9b4f696.efi"
EFI_MARKER = "MKRESCUE-EFISTUB OK"
STUB_MARKER = "MKRESCUE-STUB OK"
UEFI_TIMEOUT = 240  # OVMF under TCG on a loaded machine; a boot takes 15-40 s


@pytest.fixture(scope="session")
def efi_stub(require_nasm, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("efi") / "efistub.efi"
    subprocess.run([require_nasm, "-f", "bin", "-o", str(out), str(FIXTURES / "efistub.asm")], check=True)
    return out


@pytest.fixture
def require_ovmf(require_qemu) -> None:
    need("qemu-system-x86_64")
    if not (OVMF_CODE.is_file() and OVMF_VARS.is_file()):
        pytest.skip(f"OVMF is not installed ({OVMF_CODE}; apt-get install ovmf)")


@pytest.fixture
def csmwrap() -> Path:
    if not CSMWRAP.is_file():
        pytest.skip(f"no CSM wrapper for the test at {CSMWRAP} (../shared/uefi/README.md; or set MKRESCUE_UEFI_DIR)")
    return CSMWRAP


def partitions(image: Path) -> list[dict]:
    table = subprocess.run([need("sfdisk"), "--json", str(image)], capture_output=True, text=True, check=True)
    return json.loads(table.stdout)["partitiontable"]["partitions"]


def test_stand_in_is_what_the_validator_accepts(efi_stub):
    assert efiapp.problem(efi_stub.read_bytes()) is None


@pytest.mark.parametrize("patch, reason", [
    (lambda d: b"ZZ" + d[2:], "MZ"),
    (lambda d: d[:0x40] + b"NE\0\0" + d[0x44:], "no PE header"),
    (lambda d: d[:0x44] + struct.pack("<H", 0x14C) + d[0x46:], "not x86-64"),
    (lambda d: d[:0x58] + struct.pack("<H", 0x10B) + d[0x5A:], "not PE32+"),
    (lambda d: d[:0x58 + 0x44] + struct.pack("<H", 3) + d[0x58 + 0x46:], "subsystem is 3"),
    (lambda d: d[:600], "cut short"),
    (lambda d: d[:100], "too few"),
])
def test_wrong_uefi_app_is_refused_in_one_line(tmp_path, user_files, dos_dir, efi_stub, patch, reason):
    bad = tmp_path / "bad.efi"
    bad.write_bytes(patch(efi_stub.read_bytes()))
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out, "--uefi-app", bad))
    assert result.returncode == 2
    [line] = error_lines(result.stderr)
    assert "is not an x86-64 EFI application" in line and reason in line
    assert not out.exists() and not list(tmp_path.glob(".*"))  # nothing left behind


def test_huge_uefi_app_is_refused_before_reading(tmp_path, user_files, dos_dir):
    huge = tmp_path / "huge.efi"
    with huge.open("wb") as f:
        f.truncate(efiapp.MAX_SIZE + 1)  # sparse: nothing of it is ever read
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.iso", "--uefi-app", huge))
    assert result.returncode == 2
    [line] = error_lines(result.stderr)
    assert "more than an EFI boot application needs" in line


def test_floppy_with_uefi_app_is_refused(tmp_path, user_files, dos_dir, efi_stub):
    result = run(*build_args(user_files, dos_dir, tmp_path / "rescue.img", "--uefi-app", efi_stub))
    assert result.returncode == 2
    [line] = error_lines(result.stderr)
    assert "--uefi-app is for USB images and CDs" in line
    assert not (tmp_path / "rescue.img").exists()


def test_usb_image_keeps_partition_1_and_adds_an_esp(tmp_path, user_files, dos_dir, efi_stub):
    plain, with_esp = tmp_path / "plain.usb.img", tmp_path / "esp.usb.img"
    assert run(*build_args(user_files, dos_dir, plain)).returncode == 0
    result = run(*build_args(user_files, dos_dir, with_esp, "--uefi-app", efi_stub))
    assert result.returncode == 0, result.stderr
    assert "EFI System Partition" in result.stdout
    [p1_plain] = partitions(plain)
    p1, p2 = partitions(with_esp)
    assert p1 == {**p1_plain, "node": p1["node"]}  # the FreeDOS partition: same place, size, type, active
    assert p2["type"] == "ef" and not p2.get("bootable") and p2["start"] == p1["start"] + p1["size"]
    assert (p2["start"] + p2["size"]) * SECTOR == with_esp.stat().st_size
    assert plain.read_bytes()[:0x1B8] == with_esp.read_bytes()[:0x1B8]  # the same MBR code
    offset = p2["start"] * SECTOR
    fsck = fsck_fat(with_esp, offset)
    assert fsck.returncode == 0, fsck.stdout
    esp = read_fat_files(with_esp, offset)
    assert esp["EFI/BOOT/BOOTX64.EFI"] == efi_stub.read_bytes()
    assert b"CSMWrap" in esp["README.TXT"] and b"LGPL" in esp["README.TXT"].replace(b"Lesser General Public License", b"LGPL")
    assert b"\\EFI\\BOOT\\BOOTX64.EFI" in esp["MANIFEST.TXT"]
    dos = read_fat_files(with_esp, p1["start"] * SECTOR)
    assert b"EFI" in dos["README.TXT"] and "KERNEL.SYS" in dos


@pytest.mark.parametrize("size", ["64M", "18M"])
def test_size_holds_the_esp_too_so_the_image_never_exceeds_it(tmp_path, user_files, dos_dir, efi_stub, size):
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub, "--size", size))
    assert result.returncode == 0, result.stderr
    asked = int(size[:-1]) * 1024 * 1024
    p1, p2 = partitions(out)
    assert out.stat().st_size == (p2["start"] + p2["size"]) * SECTOR <= asked
    assert asked - out.stat().st_size < 255 * 63 * SECTOR  # less than one cylinder is left over
    assert p1["size"] + p1["start"] == p2["start"] and (p1["start"] + p1["size"]) % (255 * 63) == 0
    assert check_image(out).ok and "holds the EFI System Partition" in result.stderr


def test_size_too_small_for_both_partitions_is_one_line_and_no_file(tmp_path, user_files, dos_dir, efi_stub):
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub, "--size", "17M"))
    assert result.returncode == 1 and not out.exists()
    assert error_lines(result.stderr) == ["mkrescue: error: the FreeDOS partition would get 14.9 MiB, less than"
                                          " the 15.7 MiB it needs: choose a bigger image size"]


def test_check_passes_the_esp_and_finds_a_damaged_app(tmp_path, user_files, dos_dir, efi_stub):
    out = tmp_path / "rescue.usb.img"
    assert run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub)).returncode == 0
    report = check_image(out)
    assert report.ok and not report.warnings
    codes = {(f.code, f.where) for f in report.findings}
    assert ("esp.app", "partition 2") in codes and ("manifest", "partition 2") in codes
    # Break the application's PE magic on the image: check must say so, and the manifest too.
    data = bytearray(out.read_bytes())
    at = data.find(efi_stub.read_bytes()[:0x100], 63 * SECTOR + 1)
    data[at + 0x58] = 0x0B  # PE32 instead of PE32+
    data[at + 0x59] = 0x01
    out.write_bytes(data)
    report = check_image(out)
    assert {f.code for f in report.errors} == {"esp.app-invalid", "manifest.hash"}


def test_check_finds_a_missing_app(tmp_path, user_files, dos_dir, efi_stub):
    out = tmp_path / "rescue.usb.img"
    assert run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub)).returncode == 0
    p2 = partitions(out)[1]
    data = bytearray(out.read_bytes())
    root = data.find(b"BOOTX64 EFI", p2["start"] * SECTOR)
    data[root] = 0xE5  # deleted, as a user who cleaned the ESP would leave it
    out.write_bytes(data)
    codes = {f.code for f in check_image(out).errors}
    assert "esp.no-app" in codes and "manifest.missing" in codes


def test_iso_has_an_el_torito_efi_entry_and_a_hybrid_esp(tmp_path, user_files, dos_dir, efi_stub):
    out = tmp_path / "rescue.iso"
    result = run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub))
    assert result.returncode == 0, result.stderr
    report = subprocess.run([need("xorriso"), "-indev", str(out), "-report_el_torito", "plain"],
                            capture_output=True, text=True, check=True)
    entries = [line for line in report.stdout.splitlines() if line.startswith("El Torito boot img :")]
    assert len(entries) == 2
    assert " BIOS " in entries[0] and " UEFI " in entries[1] and " none " in entries[1]  # no emulation
    efi_image = iso_file(out, "/EFIBOOT.IMG;1")
    p1, p2 = partitions(out)
    assert p1.get("bootable") and p2["type"] == "ef"
    assert out.read_bytes()[p2["start"] * SECTOR:(p2["start"] + p2["size"]) * SECTOR] == efi_image
    image = tmp_path / "efiboot.img"
    image.write_bytes(efi_image)
    assert read_fat_files(image)["EFI/BOOT/BOOTX64.EFI"] == efi_stub.read_bytes()
    checked = check_image(out)
    assert checked.ok and not checked.warnings
    codes = {f.code for f in checked.findings}
    assert {"eltorito.efi-entry", "esp.app", "hybrid.same-esp", "hybrid.same-volume"} <= codes


def test_same_inputs_same_bytes(tmp_path, user_files, dos_dir, efi_stub, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for name in ("a.usb.img", "b.usb.img", "a.iso", "b.iso"):
        assert run(*build_args(user_files, dos_dir, tmp_path / name, "--uefi-app", efi_stub)).returncode == 0
    assert (tmp_path / "a.usb.img").read_bytes() == (tmp_path / "b.usb.img").read_bytes()
    assert (tmp_path / "a.iso").read_bytes() == (tmp_path / "b.iso").read_bytes()


@pytest.mark.parametrize("name, media", [("rescue.usb.img", "hdd"), ("rescue.iso", "cdrom"), ("rescue.iso", "hdd")])
def test_ovmf_starts_the_stand_in_from_the_esp(tmp_path, user_files, dos_dir, efi_stub, require_ovmf, name, media):
    out = tmp_path / name
    assert run(*build_args(user_files, dos_dir, out, "--uefi-app", efi_stub)).returncode == 0
    result = boot(out, media, expect=EFI_MARKER, timeout=UEFI_TIMEOUT, firmware="uefi")
    assert result.matched, result.serial[-2000:]


def test_uefi_boot_test_of_a_plain_image_does_not_pass(tmp_path, stub_kernel, user_files, require_ovmf):
    """Without the ESP, a UEFI-only PC finds nothing to start: boot-test says so."""
    out = build_with_stub_kernel(tmp_path, stub_kernel, user_files, "plain.usb.img")
    result = run("boot-test", "--firmware", "uefi", out, "--expect", STUB_MARKER, "--timeout", str(UEFI_TIMEOUT))
    assert result.returncode == 1
    [line] = error_lines(result.stderr)
    assert "did not boot" in line and "found no EFI boot loader" in line


@pytest.mark.parametrize("name, media", [("rescue.usb.img", "hdd"), ("rescue.iso", "cdrom"), ("rescue.iso", "hdd")])
def test_bios_boots_exactly_as_before(tmp_path, stub_kernel, user_files, efi_stub, require_qemu, name, media):
    out = build_with_stub_kernel(tmp_path, stub_kernel, user_files, name, "--uefi-app", efi_stub)
    result = boot(out, media, expect=STUB_MARKER, timeout=60)
    assert result.matched and result.failure is None, result.screen
    assert "DRIVE=" + ("00" if media == "cdrom" else "80") in result.serial


@pytest.mark.parametrize("name, media", [
    ("rescue.usb.img", "hdd"),  # an IDE disk
    ("rescue.usb.img", "usb2"),  # a USB 2 stick (EHCI)
    ("rescue.iso", "cdrom"),  # a CD
    ("rescue.iso", "hdd"),  # the hybrid ISO written to a disk
])
def test_csm_wrapper_boots_the_stub_kernel_on_a_uefi_only_pc(tmp_path, stub_kernel, user_files, csmwrap, require_ovmf,
                                                             name, media):
    out = build_with_stub_kernel(tmp_path, stub_kernel, user_files, name, "--uefi-app", csmwrap)
    result = run("boot-test", "--firmware", "uefi", "--media", media, out, "--expect", STUB_MARKER,
                 "--timeout", str(UEFI_TIMEOUT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SeaBIOS" in result.stdout and STUB_MARKER in result.stdout


FREEDOS = os.environ.get("MKRESCUE_FREEDOS_DIR")
MENU = "Choose 1 to 5"


@pytest.fixture(scope="module")
def freedos_images(tmp_path_factory):
    """A USB image and an ISO with real FreeDOS and the real CSM wrapper, built once."""
    if not FREEDOS:
        pytest.skip("set MKRESCUE_FREEDOS_DIR to a folder of real FreeDOS files")
    if not CSMWRAP.is_file():
        pytest.skip(f"no CSM wrapper for the test at {CSMWRAP} (../shared/uefi/README.md; or set MKRESCUE_UEFI_DIR)")
    tmp = tmp_path_factory.mktemp("uefi-freedos")
    flasher, firmware = tmp / "FAKEFLSH.COM", tmp / "ND1300A.BIN"
    assemble("fakeflash.asm", flasher)
    firmware.write_bytes(b"_NEC DVD_RW ND-1300A 1.07" + bytes(range(256)) * 1024)
    built = {}
    for name in ("rescue.usb.img", "rescue.iso"):
        built[name] = tmp / name
        result = run("--flasher", flasher, "--fw", firmware, "--dos-dir", FREEDOS, "--uefi-app", CSMWRAP,
                     "--flash-cmd", "{flasher} -flash {firmware}", "--no-backup-required", "-o", built[name])
        assert result.returncode == 0, result.stderr
        assert check_image(built[name]).ok
    return built


@pytest.mark.parametrize("firmware, name, media", [
    ("uefi", "rescue.usb.img", "hdd"),
    ("uefi", "rescue.usb.img", "usb2"),
    ("uefi", "rescue.iso", "cdrom"),
    ("uefi", "rescue.iso", "hdd"),
    ("bios", "rescue.usb.img", "hdd"),
    ("bios", "rescue.iso", "cdrom"),
])
def test_real_freedos_reaches_the_menu_with_a_ram_disk(freedos_images, require_ovmf, firmware, name, media):
    result = boot(freedos_images[name], media, expect=MENU, timeout=UEFI_TIMEOUT, firmware=firmware)
    assert result.matched and result.failure is None, result.screen
    assert "The boot disk is no longer needed" in result.screen, result.screen
