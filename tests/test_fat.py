import io
import struct
from datetime import datetime

import pytest

from judges import cluster_chain, fsck_fat, mtype, read_fat_files
from mkrescue.errors import MediumFullError
from mkrescue.fat import FLOPPY_1440, FLOPPY_2880, dos_timestamp, fat16_params, required_clusters, write_volume

MOMENT = datetime(2024, 5, 17, 13, 45, 30)


def sample_files():
    return [
        ("KERNEL.SYS", b"K" * 45_000),
        ("COMMAND.COM", b"C" * 66_000),
        ("AUTOEXEC.BAT", b"@ECHO OFF\r\n"),
        ("EMPTY.TXT", b""),
        ("FREEDOS/HIMEMX.EXE", b"MZ" + b"H" * 30_000),
        ("FREEDOS/LICENSES/KERNEL.TXT", b"GPL\r\n" * 100),
        ("FLASH/BINFLASH.EXE", b"MZ" + b"F" * 200_000),
        ("FLASH/ND1300A.BIN", bytes(range(256)) * 4096),
    ]


def write(tmp_path, params, files, name="vol.img"):
    image = tmp_path / name
    with image.open("w+b") as out:
        out.truncate(params.size)
        write_volume(out, 0, params, files, "MKRESCUE", 0x1234ABCD, MOMENT)
    return image


@pytest.mark.parametrize("params", [FLOPPY_1440, FLOPPY_2880], ids=["1.44", "2.88"])
def test_floppy_reads_back_with_pyfatfs_and_mtools(tmp_path, params):
    files = sample_files()
    image = write(tmp_path, params, files)
    assert image.stat().st_size == params.size
    assert read_fat_files(image) == dict(files)
    assert mtype(image, "/FLASH/ND1300A.BIN") == dict(files)["FLASH/ND1300A.BIN"]


@pytest.mark.parametrize("params", [FLOPPY_1440, FLOPPY_2880], ids=["1.44", "2.88"])
def test_floppy_passes_fsck(tmp_path, params):
    result = fsck_fat(write(tmp_path, params, sample_files()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "12 files" in result.stdout  # 8 files, 3 folders and the label: nothing lost


def test_floppy_bpb_is_the_standard_one(tmp_path):
    boot = write(tmp_path, FLOPPY_1440, sample_files()).read_bytes()[:512]
    (bps, spc, reserved, fats, root, total, media, spf, spt, heads, hidden) = struct.unpack_from("<HBHBHHBHHHI", boot, 11)
    assert (bps, spc, reserved, fats, root, total, media, spf, spt, heads, hidden) == (512, 1, 1, 2, 224, 2880, 0xF0, 9, 18, 2, 0)
    assert boot[0x24] == 0x00 and boot[0x26] == 0x29
    assert struct.unpack_from("<I", boot, 0x27)[0] == 0x1234ABCD
    assert boot[0x2B:0x3E] == b"MKRESCUE   FAT12   "
    assert boot[510:512] == b"\x55\xaa"


def test_fat12_media_and_end_markers(tmp_path):
    image = write(tmp_path, FLOPPY_1440, sample_files()).read_bytes()
    assert image[512:515] == b"\xf0\xff\xff"
    assert image[512 + 9 * 512 : 512 + 9 * 512 + 3] == b"\xf0\xff\xff"  # second FAT copy


def test_kernel_is_first_and_contiguous(tmp_path):
    image = write(tmp_path, FLOPPY_1440, sample_files())
    chain = cluster_chain(image, "/KERNEL.SYS")
    assert chain == list(range(2, 2 + len(chain)))
    assert len(chain) == (45_000 + 511) // 512


def test_timestamps_come_from_the_given_moment(tmp_path):
    image = write(tmp_path, FLOPPY_1440, sample_files()).read_bytes()
    root = image[19 * 512 : 19 * 512 + 64]
    assert root[0:11] == b"MKRESCUE   " and root[11] == 0x08
    kernel = root[32:64]
    assert kernel[0:11] == b"KERNEL  SYS"
    date, time = dos_timestamp(MOMENT)
    assert struct.unpack_from("<HH", kernel, 22) == (time, date)
    assert date == ((2024 - 1980) << 9) | (5 << 5) | 17


def test_same_input_gives_same_bytes(tmp_path):
    a = write(tmp_path, FLOPPY_1440, sample_files(), "a.img").read_bytes()
    b = write(tmp_path, FLOPPY_1440, sample_files(), "b.img").read_bytes()
    assert a == b


def test_full_volume_is_refused_before_writing(tmp_path):
    out = io.BytesIO()
    files = [("KERNEL.SYS", b"K" * 1000), ("FLASH/BIG.BIN", b"x" * 1_500_000)]
    assert required_clusters(FLOPPY_1440, files) > FLOPPY_1440.cluster_count
    with pytest.raises(MediumFullError, match="too many"):
        write_volume(out, 0, FLOPPY_1440, files, "MKRESCUE", 1, MOMENT)
    assert out.getvalue() == b""


def test_exactly_full_volume_fits(tmp_path):
    capacity = FLOPPY_1440.cluster_count * 512
    files = [("KERNEL.SYS", b"K" * 512), ("BIG.BIN", b"x" * (capacity - 512))]
    image = write(tmp_path, FLOPPY_1440, files)
    assert read_fat_files(image)["BIG.BIN"] == files[1][1]
    assert fsck_fat(image).returncode == 0


def test_fat16_partition_at_an_offset(tmp_path):
    offset_sectors = 2048
    params = fat16_params(64 * 2048 - offset_sectors, offset_sectors)
    assert params.fat_bits == 16 and 4085 <= params.cluster_count <= 65524
    image = tmp_path / "disk.img"
    files = sample_files()
    with image.open("w+b") as out:
        out.truncate(offset_sectors * 512 + params.size)
        write_volume(out, offset_sectors * 512, params, files, "MKRESCUE", 7, MOMENT)
    assert read_fat_files(image, offset=offset_sectors * 512) == dict(files)
    result = fsck_fat(image, offset=offset_sectors * 512)
    assert result.returncode == 0, result.stdout
    boot = image.read_bytes()[offset_sectors * 512 :][:512]
    assert struct.unpack_from("<HHI", boot, 0x18) == (63, 255, offset_sectors)
    assert boot[0x24] == 0x80 and boot[0x36:0x3E] == b"FAT16   "


def test_fat16_cluster_size_grows_with_the_volume():
    small, large = fat16_params(20_000, 63), fat16_params(1_000_000, 2048)
    assert small.sectors_per_cluster < large.sectors_per_cluster
    with pytest.raises(ValueError):
        fat16_params(4000, 63)
