"""Our boot sector and MBR: the committed binaries are the sources assembled, the Python
API puts them together right, and they boot the stub kernel in QEMU from every kind of
medium mkrescue writes, loading it whole even when its clusters are scattered.

The FAT volumes here are made by mkfs.fat and mtools, not by mkrescue's own writer, so
the boot code is judged on volumes laid out by someone else."""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest

from build_fixtures import build_with_stub_kernel
from judges import cluster_chain, need
from mkrescue import bootcode
from mkrescue.boottest import boot

SECTOR = 512
BOOTCODE = Path(bootcode.__file__).parent
OK_FLOPPY = "MKRESCUE-STUB OK DRIVE=00"
OK_DISK = "MKRESCUE-STUB OK DRIVE=80"
BOOT_TIMEOUT = 30
FLOPPY_1440 = (2880, "-F", "12", "-s", "1", "-r", "224", "-g", "2/18", "-M", "0xF0")
FLOPPY_2880 = (5760, "-F", "12", "-s", "2", "-r", "240", "-g", "2/36", "-M", "0xF0")
PARTITION_START = 2048
MTOOLS_ENV = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}


# --- the binaries and the Python API -------------------------------------------------

@pytest.mark.parametrize("name", ["fatboot", "mbr"])
def test_committed_binary_is_the_assembled_source(tmp_path, require_nasm, name):
    out = tmp_path / f"{name}.bin"
    subprocess.run([require_nasm, "-f", "bin", "-i", f"{BOOTCODE}/", "-o", str(out), str(BOOTCODE / f"{name}.asm")],
                   check=True)
    assert out.read_bytes() == (BOOTCODE / f"{name}.bin").read_bytes()


def floppy_bpb(changes: dict[int, bytes] | None = None) -> bytearray:
    """Bytes 03h..3Dh of a 1.44 MB floppy, with `changes` as {offset in the sector: bytes}."""
    bpb = bytearray(b"MKRESCUE" + struct.pack("<HBHBHHBHHHIIBBBI11s8s", 512, 1, 1, 2, 224, 2880, 0xF0, 9, 18, 2,
                                                0, 0, 0, 0, 0x29, 0x1234ABCD, b"RESCUE     ", b"FAT12   "))
    for offset, value in (changes or {}).items():
        bpb[offset - 3 : offset - 3 + len(value)] = value
    return bpb


def test_boot_sector_is_our_code_around_the_volumes_bpb():
    bpb = floppy_bpb()
    sector = bootcode.fat_boot_sector(bytes(bpb))
    assert len(sector) == bootcode.BOOT_SECTOR_SIZE == SECTOR
    assert sector[:3] == b"\xeb\x3c\x90" and sector[3:0x3E] == bpb and sector[-2:] == b"\x55\xaa"
    assert bootcode.is_our_boot_sector(sector)
    assert bootcode.is_our_boot_sector(bootcode.fat_boot_sector(bytes(floppy_bpb({0x27: b"\0\0\0\0"}))))


def test_boot_sector_refuses_what_its_code_cannot_boot():
    with pytest.raises(ValueError, match="59 bytes"):
        bootcode.fat_boot_sector(bytes(58))
    with pytest.raises(ValueError, match="512-byte sectors"):
        bootcode.fat_boot_sector(bytes(floppy_bpb({0x0B: struct.pack("<H", 1024)})))
    with pytest.raises(ValueError, match="FAT12"):  # 2847 clusters, but says FAT16
        bootcode.fat_boot_sector(bytes(floppy_bpb({0x36: b"FAT16   "})))
    with pytest.raises(ValueError, match="no FAT12/FAT16 volume"):
        bootcode.fat_boot_sector(bytes(floppy_bpb({0x13: b"\0\0"})))


def test_mbr_layout():
    table = bytes(range(64))
    sector = bootcode.mbr(table, 0xA1B2C3D4)
    assert len(sector) == SECTOR
    assert sector[0x1B8:0x1BC] == struct.pack("<I", 0xA1B2C3D4) and sector[0x1BC:0x1BE] == b"\0\0"
    assert sector[0x1BE:0x1FE] == table and sector[-2:] == b"\x55\xaa"
    assert bootcode.is_our_mbr(sector)
    with pytest.raises(ValueError):
        bootcode.mbr(bytes(63), 0)
    with pytest.raises(ValueError):
        bootcode.mbr(table, 1 << 32)


def test_foreign_sectors_are_not_ours():
    ours = bootcode.fat_boot_sector(bytes(floppy_bpb()))
    changed = ours[:0x100] + b"\x90" + ours[0x101:]
    for sector in (changed, bytes(SECTOR), ours[:-1], b""):
        assert not bootcode.is_our_boot_sector(sector)
        assert not bootcode.is_our_mbr(sector)
    assert not bootcode.is_our_mbr(ours) and not bootcode.is_our_boot_sector(bootcode.mbr(bytes(64), 0))


# --- building test media with mkfs.fat and mtools -------------------------------------

def mkfs(path: Path, sectors: int, *options: str, hidden: int = 0) -> Path:
    path.write_bytes(bytes(sectors * SECTOR))
    subprocess.run([need("mkfs.fat"), "-S", "512", "-h", str(hidden), *options, str(path)], check=True, capture_output=True)
    return path


def mcopy(volume: Path, name: str, data: bytes) -> None:
    source = volume.with_name(name)
    source.write_bytes(data)
    subprocess.run([need("mcopy"), "-i", str(volume), str(source), "::" + name], check=True, env=MTOOLS_ENV)
    source.unlink()


def mdel(volume: Path, name: str) -> None:
    subprocess.run([need("mdel"), "-i", str(volume), "::" + name], check=True, env=MTOOLS_ENV)


def install_boot_sector(volume: Path) -> Path:
    """Our code around the BPB that mkfs.fat wrote."""
    with volume.open("r+b") as f:
        bpb = f.read(0x3E)[3:]
        f.seek(0)
        f.write(bootcode.fat_boot_sector(bpb))
    return volume


def floppy(tmp_path: Path, kernel: bytes | None, layout=FLOPPY_1440, name="floppy.img") -> Path:
    volume = mkfs(tmp_path / name, *layout)
    if kernel is not None:
        mcopy(volume, "KERNEL.SYS", kernel)
    return install_boot_sector(volume)


def chs(lba: int) -> bytes:
    cylinder, rest = divmod(lba, 255 * 63)
    head, sector = divmod(rest, 63)
    return bytes((head, sector + 1 | (cylinder >> 2) & 0xC0, cylinder & 0xFF))


def disk(tmp_path: Path, volume: Path, start: int = PARTITION_START, name="disk.img") -> Path:
    """Our MBR and one active FAT16 partition holding `volume` at LBA `start`."""
    sectors = volume.stat().st_size // SECTOR
    entry = b"\x80" + chs(start) + b"\x04" + chs(start + sectors - 1) + struct.pack("<II", start, sectors)
    image = tmp_path / name
    image.write_bytes(bootcode.mbr(entry + bytes(48), 0x4D4B5253).ljust(start * SECTOR, b"\0") + volume.read_bytes())
    return image


def fat16_volume(tmp_path: Path, kernel: bytes | None, hidden: int = PARTITION_START, sectors: int = 32768) -> Path:
    volume = mkfs(tmp_path / "fat16.img", sectors, "-F", "16", "-s", "4", "-g", "255/63", hidden=hidden)
    if kernel is not None:
        mcopy(volume, "KERNEL.SYS", kernel)
    return volume


def iso(tmp_path: Path, boot_image: Path, *emulation: str) -> Path:
    root = tmp_path / "iso-root"
    root.mkdir()
    (root / "BOOT.IMG").write_bytes(boot_image.read_bytes())
    out = tmp_path / "boot.iso"
    subprocess.run([need("xorriso"), "-as", "mkisofs", "-quiet", "-b", "BOOT.IMG", "-c", "BOOT.CAT", *emulation,
                    "-o", str(out), str(root)], check=True, capture_output=True)
    return out


def mcopy_many(volume: Path, names: list[str], data: bytes = b"") -> None:
    for name in names:
        volume.with_name(name).write_bytes(data)
    subprocess.run([need("mcopy"), "-i", str(volume), *(str(volume.with_name(name)) for name in names), "::"],
                   check=True, env=MTOOLS_ENV)


def fragment_then_copy_kernel(volume: Path, kernel: bytes, filler_clusters: int, cluster_size: int) -> None:
    """17 empty files, a filler file, then 20 one-cluster files of which every other one
    is deleted, then KERNEL.SYS: mtools fills the holes first, so the kernel is scattered,
    and its root entry is in the second sector of the root directory."""
    mcopy_many(volume, [f"EMPTY{i:02}.TXT" for i in range(17)])
    mcopy(volume, "FILLER.BIN", bytes(filler_clusters * cluster_size))
    for i in range(20):
        mcopy(volume, f"SMALL{i:02}.BIN", bytes([i]) * cluster_size)
    for i in range(0, 20, 2):
        mdel(volume, f"SMALL{i:02}.BIN")
    mcopy(volume, "KERNEL.SYS", kernel)


def root_entry_index(volume: Path, name: bytes) -> int:
    """Where the file `name` ("KERNEL  SYS") sits among the volume's root directory entries."""
    head = volume.read_bytes()[:SECTOR]
    reserved, fats, entries = struct.unpack_from("<HBH", head, 0x0E)
    per_fat, = struct.unpack_from("<H", head, 0x16)
    with volume.open("rb") as f:
        f.seek((reserved + fats * per_fat) * SECTOR)
        root = f.read(entries * 32)
    files = [root[i : i + 11] if not root[i + 11] & 0x18 else None for i in range(0, len(root), 32)]
    return files.index(name)


def assert_boots(image: Path, media: str, marker: str) -> None:
    result = boot(image, media, expect=marker, timeout=BOOT_TIMEOUT)
    assert result.matched, f"no {marker!r} on screen or serial:\n{result.screen}\n---\n{result.serial}"
    assert marker in result.serial
    assert marker in result.screen


def assert_shows(image: Path, media: str, message: str) -> None:
    result = boot(image, media, expect=message, timeout=BOOT_TIMEOUT)
    assert result.matched and message in result.screen, result.screen
    assert "MKRESCUE-STUB" not in result.screen


# --- booting ----------------------------------------------------------------------------

@pytest.mark.parametrize("layout", [FLOPPY_1440, FLOPPY_2880], ids=["1.44MB", "2.88MB"])
def test_boots_from_a_floppy(tmp_path, require_qemu, stub_kernel, layout):
    assert_boots(floppy(tmp_path, stub_kernel, layout), "floppy", OK_FLOPPY)


def test_boots_from_a_cd_with_floppy_emulation(tmp_path, require_qemu, stub_kernel):
    assert_boots(iso(tmp_path, floppy(tmp_path, stub_kernel)), "cdrom", OK_FLOPPY)


@pytest.mark.parametrize("media", ["hdd", "usb"])
def test_boots_from_a_hard_disk_through_our_mbr(tmp_path, require_qemu, stub_kernel, media):
    install_boot_sector(volume := fat16_volume(tmp_path, stub_kernel))
    assert_boots(disk(tmp_path, volume), media, OK_DISK)


def test_boots_from_a_cd_with_hard_disk_emulation(tmp_path, require_qemu, stub_kernel):
    # The whole emulated disk is whole cylinders, its partition at 0/1/1, as BIOSes expect.
    volume = fat16_volume(tmp_path, stub_kernel, hidden=63, sectors=2 * 255 * 63 - 63)
    install_boot_sector(volume)
    assert_boots(iso(tmp_path, disk(tmp_path, volume, start=63), "-hard-disk-boot"), "cdrom", OK_DISK)


def test_mbr_hands_the_real_partition_start_to_the_boot_sector(tmp_path, require_qemu, stub_kernel):
    # The BPB says the volume starts at sector 0, as in a hybrid ISO whose volume counts
    # from the boot image: only the start our MBR writes into the BPB finds the kernel.
    install_boot_sector(volume := fat16_volume(tmp_path, stub_kernel, hidden=0))
    assert_boots(disk(tmp_path, volume), "hdd", OK_DISK)


def test_loads_a_scattered_kernel_on_fat12_across_a_straddling_fat_entry(tmp_path, require_qemu, stub_kernel):
    volume = mkfs(tmp_path / "floppy.img", *FLOPPY_1440, "-n", "KERNEL  SYS")  # a label to skip
    fragment_then_copy_kernel(volume, stub_kernel, filler_clusters=329, cluster_size=SECTOR)
    chain = cluster_chain(volume, "KERNEL.SYS")
    assert chain != list(range(chain[0], chain[0] + len(chain))), "mtools laid the kernel out contiguously"
    assert 341 in chain  # its FAT12 entry is bytes 511 and 512 of the FAT: two sectors
    assert root_entry_index(volume, b"KERNEL  SYS") >= 16  # past the first directory sector
    assert_boots(install_boot_sector(volume), "floppy", OK_FLOPPY)


def test_loads_a_scattered_kernel_on_fat16_across_fat_sectors(tmp_path, require_qemu, stub_kernel):
    volume = fat16_volume(tmp_path, None)
    fragment_then_copy_kernel(volume, stub_kernel, filler_clusters=240, cluster_size=4 * SECTOR)
    chain = cluster_chain(volume, "KERNEL.SYS")
    assert chain != list(range(chain[0], chain[0] + len(chain)))
    assert min(chain) < 256 <= max(chain)  # 256 FAT16 entries per FAT sector
    assert root_entry_index(volume, b"KERNEL  SYS") >= 16
    assert_boots(disk(tmp_path, install_boot_sector(volume)), "hdd", OK_DISK)


def test_finds_a_kernel_beyond_the_first_64k_sectors(tmp_path, require_qemu, stub_kernel):
    volume = fat16_volume(tmp_path, None, sectors=128 * 1024)  # 64 MiB: 32-bit sector numbers
    mcopy(volume, "FILLER.BIN", bytes(40 * 1024 * 1024))
    mcopy(volume, "KERNEL.SYS", stub_kernel)
    assert cluster_chain(volume, "KERNEL.SYS")[0] * 4 > 0x10000
    assert_boots(disk(tmp_path, install_boot_sector(volume)), "hdd", OK_DISK)


def take_chs_paths(image: Path) -> None:
    """Make our MBR and the first partition's boot sector act as on a BIOS without INT 13h
    extensions: the jump to each one's CHS path becomes unconditional (one byte each)."""
    data = bytearray(image.read_bytes())
    mbr_jc = data.index(bytes.fromhex("b441 bbaa55 cd13 5a 72"), 0, SECTOR) + 8  # mov ah,41h .. jc .chs
    boot = struct.unpack_from("<I", data, 0x1BE + 8)[0] * SECTOR
    boot_jns = data.index(bytes.fromhex("84d2 79"), boot, boot + SECTOR) + 2  # test dl,dl; jns .chs
    assert data[boot_jns + 2 : boot_jns + 4] == b"\xb4\x41"  # ... then mov ah,41h
    data[mbr_jc] = data[boot_jns] = 0xEB  # jmp short
    image.write_bytes(data)


@pytest.mark.parametrize("media", ["hdd", "usb"])
def test_boots_by_chs_in_the_bios_geometry_not_the_bpbs(tmp_path, require_qemu, stub_kernel, media):
    # The BPB says 255 heads (whole cylinders, as mkrescue writes sticks); SeaBIOS gives a
    # disk this size 16. A kernel past head 15 loads only if the MBR hands the BIOS's
    # geometry to the boot sector.
    volume = fat16_volume(tmp_path, None, hidden=63, sectors=9 * 255 * 63 - 63)
    mcopy(volume, "FILLER.BIN", bytes(40 * 1024 * 1024))
    mcopy(volume, "KERNEL.SYS", stub_kernel)
    assert cluster_chain(volume, "KERNEL.SYS")[0] * 4 // 63 >= 16
    image = disk(tmp_path, install_boot_sector(volume), start=63)
    take_chs_paths(image)
    assert_boots(image, media, OK_DISK)


def test_no_kernel_says_so(tmp_path, require_qemu):
    assert_shows(floppy(tmp_path, None), "floppy", "KERNEL.SYS missing")


def test_a_full_root_directory_without_kernel_says_so(tmp_path, require_qemu):
    # No never-used entry ends the search: it must stop at the end of the root directory.
    volume = floppy(tmp_path, None)
    mcopy_many(volume, [f"FILE{i:03}.TXT" for i in range(224)], b"x")
    assert_shows(volume, "floppy", "KERNEL.SYS missing")


def test_a_directory_is_not_the_kernel(tmp_path, require_qemu):
    volume = mkfs(tmp_path / "floppy.img", *FLOPPY_1440)
    subprocess.run([need("mmd"), "-i", str(volume), "::KERNEL.SYS"], check=True, env=MTOOLS_ENV)
    assert_shows(install_boot_sector(volume), "floppy", "KERNEL.SYS missing")


def test_a_looping_fat_chain_stops_with_a_message(tmp_path, require_qemu, stub_kernel):
    volume = floppy(tmp_path, stub_kernel)
    chain = cluster_chain(volume, "KERNEL.SYS")
    fat = bytearray(volume.read_bytes()[SECTOR : 10 * SECTOR])
    set_fat12(fat, chain[-1], chain[0])  # the last cluster leads back to the first
    with volume.open("r+b") as f:
        f.seek(SECTOR)
        f.write(fat)
    assert_shows(volume, "floppy", "Bad FAT chain")


def test_unreadable_sectors_say_so(tmp_path, require_qemu, stub_kernel):
    # A BPB whose hidden sectors put the volume far beyond the end of the disk.
    volume = fat16_volume(tmp_path, stub_kernel)
    with volume.open("r+b") as f:
        bpb = bytearray(f.read(0x3E)[3:])
        bpb[0x1C - 3 : 0x20 - 3] = struct.pack("<I", 0x7000_0000)
        f.seek(0)
        f.write(bootcode.fat_boot_sector(bytes(bpb)))
    assert_shows(volume, "hdd", "Disk error")


def set_fat12(fat: bytearray, cluster: int, value: int) -> None:
    offset = cluster * 3 // 2
    word = struct.unpack_from("<H", fat, offset)[0]
    word = (word & 0x000F) | (value << 4) if cluster & 1 else (word & 0xF000) | value
    struct.pack_into("<H", fat, offset, word)


# --- images made by mkrescue itself ---------------------------------------------------------

@pytest.mark.parametrize("name, extra, media, marker", [
    ("rescue.img", (), "floppy", OK_FLOPPY),
    ("rescue.iso", (), "cdrom", OK_FLOPPY),
    ("rescue.iso", (), "hdd", OK_DISK),  # the hybrid ISO written to a USB stick
    ("rescue.usb.img", ("--format", "usb"), "usb", OK_DISK),
], ids=["floppy", "iso-as-cd", "iso-as-usb-stick", "usb-image"])
def test_mkrescue_images_boot(tmp_path, require_qemu, stub_kernel, user_files, name, extra, media, marker):
    assert_boots(build_with_stub_kernel(tmp_path, stub_kernel, user_files, name, *extra), media, marker)


@pytest.mark.parametrize("name, media", [("rescue.iso", "hdd"), ("rescue.usb.img", "usb")],
                         ids=["iso-as-usb-stick", "usb-image"])
def test_mkrescue_sticks_boot_on_a_bios_without_int13_extensions(tmp_path, require_qemu, stub_kernel, user_files,
                                                                 name, media):
    # A hybrid ISO's volume has a floppy's BPB geometry, a stick's 255 heads; CHS reads
    # must use the BIOS's own geometry, which our MBR hands on to the boot sector.
    out = build_with_stub_kernel(tmp_path, stub_kernel, user_files, name)
    take_chs_paths(out)
    assert_boots(out, media, OK_DISK)
