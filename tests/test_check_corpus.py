"""A corpus of hand-broken images, each made from a good one by one precise change,
each asserting the finding that names the fault."""

import random
import struct

import pytest

from check_images import (ISO_SECTOR, SECTOR, FatEditor, broken, fix_validation_checksum,
                          iso_boot_entry, iso_boot_volume, partition_entry)
from mkrescue.check import check_image, format_text

USB_VOLUME = 63 * SECTOR


def fat(edit):
    """A change made through a FatEditor on the floppy."""
    return lambda data: edit(FatEditor(data))


def loop(e):
    chain = e.chain(e.start("KERNEL.SYS"))
    e.set(chain[-1], chain[0])


def cross_link(e):
    a, b = e.chain(e.start("COMMAND.COM")), e.chain(e.start("KERNEL.SYS"))
    e.set(a[-1], b[len(b) // 2])


def free_in_chain(e):
    e.set(e.chain(e.start("KERNEL.SYS"))[3], 0)


def bad_pointer(e):
    e.set(e.chain(e.start("KERNEL.SYS"))[3], 0xFF0)


def directory_cycle(e):
    e.set_start("FREEDOS/LICENSES", e.start("FREEDOS"))


def delete_kernel(e):
    e.data[e.entry("KERNEL.SYS")] = 0xE5


def rename_himemx(e):
    e.rename("FREEDOS/HIMEMX.EXE", b"HIMEMY  EXE")


def flip_firmware_byte(e):
    e.data[e.cluster_at(e.start("FLASH/FW.BIN")) + 100] ^= 0xFF


def rewrite_manifest_line(e):
    at = e.cluster_at(e.start("MANIFEST.TXT"))
    line_end = e.data.index(b"\r\n", at) + 2  # the first line is a comment: break the second
    e.data[line_end : line_end + 4] = b"zzzz"


def kernel_too_big(e):
    """Lengthen KERNEL.SYS's chain with free clusters past what the boot code loads (153 KiB)."""
    chain = e.chain(e.start("KERNEL.SYS"))
    free = [c for c in range(2, e.clusters + 2) if e.get(c) == 0][:310]
    for a, b in zip([chain[-1], *free], free):
        e.set(a, b)
    e.set(free[-1], 0xFFF)
    e.set_size("KERNEL.SYS", (len(chain) + len(free)) * SECTOR)


def set_byte(offset, value):
    def change(data):
        data[offset] = value
    return change


def pack(offset, fmt, *values):
    def change(data):
        struct.pack_into(fmt, data, offset, *values)
    return change


def iso_catalogue(edit):
    def change(data):
        edit(data, iso_boot_entry(data))
    return change


def efi_platform(data, catalogue):
    data[catalogue + 1] = 0xEF
    fix_validation_checksum(data, catalogue)


def iso_inner(edit):
    """A FAT change to the floppy image inside the ISO."""
    return lambda data: edit(FatEditor(data, iso_boot_volume(data)))


def second_active_partition(data):
    first = partition_entry(1)
    data[partition_entry(2) : partition_entry(2) + 16] = data[first : first + 16]


def partition_past_end(data):
    at = partition_entry(1) + 12
    struct.pack_into("<I", data, at, struct.unpack_from("<I", data, at)[0] + 1000)


CORPUS = [
    # (name, image, change, the error it must give)
    ("FAT loop", "floppy", fat(loop), "fat.loop"),
    ("cross-link", "floppy", fat(cross_link), "fat.cross-link"),
    ("lost cluster", "floppy", fat(lambda e: e.set(e.clusters, 0xFFF)), "fat.lost-clusters"),
    ("size beyond chain", "floppy", fat(lambda e: e.set_size("README.TXT", e.size("README.TXT") + 5000)), "fat.size-mismatch"),
    ("size short of chain", "floppy", fat(lambda e: e.set_size("KERNEL.SYS", 1)), "fat.size-mismatch"),
    ("free cluster in a chain", "floppy", fat(free_in_chain), "fat.free-in-chain"),
    ("chain points outside", "floppy", fat(bad_pointer), "fat.bad-pointer"),
    ("start cluster outside", "floppy", fat(lambda e: e.set_start("README.TXT", 4000)), "fat.bad-start"),
    ("FAT copies differ", "floppy", fat(lambda e: e.set(e.clusters - 3, 0xFFF, copies=(1,))), "fat.copies-differ"),
    ("directory cycle", "floppy", fat(directory_cycle), "fat.directory-cycle"),
    ("missing KERNEL.SYS", "floppy", fat(delete_kernel), "files.missing"),
    ("file named in FDCONFIG.SYS missing", "floppy", fat(rename_himemx), "refs.missing"),
    ("file differs from MANIFEST.TXT", "floppy", fat(flip_firmware_byte), "manifest.hash"),
    ("MANIFEST.TXT line garbled", "floppy", fat(rewrite_manifest_line), "manifest.bad-line"),
    ("no 55 AA", "floppy", set_byte(510, 0), "boot.signature"),
    ("0 sectors per cluster", "floppy", set_byte(13, 0), "bpb.sectors-per-cluster"),
    ("3 sectors per cluster", "floppy", set_byte(13, 3), "bpb.sectors-per-cluster"),
    ("0 FATs", "floppy", set_byte(16, 0), "bpb.fat-count"),
    ("0 reserved sectors", "floppy", pack(14, "<H", 0), "bpb.reserved-sectors"),
    ("FATs past the volume", "floppy", pack(22, "<H", 3000), "bpb.total-sectors"),
    ("volume bigger than the image", "floppy", pack(19, "<H", 2880 + 200), "volume.truncated"),
    ("FAT too small for the clusters", "floppy", pack(22, "<H", 1), "bpb.fat-size"),
    ("media byte", "floppy", set_byte(21, 0x12), "bpb.media"),
    ("type string our boot code reads", "floppy", lambda d: d.__setitem__(slice(0x36, 0x3E), b"FAT16   "), "bpb.fs-type"),
    ("KERNEL.SYS too big to load", "floppy", fat(kernel_too_big), "boot.kernel-too-big"),
    ("geometry of another floppy", "floppy", pack(24, "<H", 9), "bpb.geometry"),
    ("truncated floppy", "floppy", lambda d: d[:100_000], "volume.truncated"),
    ("truncated inside the boot sector", "floppy", lambda d: d[:300], "image.too-small"),
    ("empty file", "floppy", lambda d: b"", "image.empty"),
    ("random bytes", "floppy", lambda d: random.Random(1).randbytes(len(d)), None),
    ("random bytes of odd size", "floppy", lambda d: random.Random(2).randbytes(100_003), "image.unknown"),
    ("El Torito checksum", "iso", iso_catalogue(lambda d, c: d.__setitem__(c + 4, d[c + 4] ^ 0x20)), "eltorito.checksum"),
    ("El Torito key bytes", "iso", iso_catalogue(lambda d, c: d.__setitem__(c + 30, 0)), "eltorito.validation-entry"),
    ("El Torito for EFI", "iso", iso_catalogue(efi_platform), "eltorito.platform"),
    ("El Torito entry not bootable", "iso", iso_catalogue(lambda d, c: d.__setitem__(c + 32, 0)), "eltorito.not-bootable"),
    ("El Torito load segment", "iso", iso_catalogue(lambda d, c: struct.pack_into("<H", d, c + 34, 0x1000)), "eltorito.load-segment"),
    ("El Torito media type", "iso", iso_catalogue(lambda d, c: d.__setitem__(c + 33, 9)), "eltorito.media-type"),
    ("El Torito load RBA past the end", "iso", iso_catalogue(lambda d, c: struct.pack_into("<I", d, c + 40, 10**6)), "eltorito.image-beyond-end"),
    ("El Torito floppy runs past the end", "iso", iso_catalogue(lambda d, c: struct.pack_into("<I", d, c + 40, len(d) // ISO_SECTOR - 10)), "eltorito.image-beyond-end"),
    ("boot catalogue past the end", "iso", lambda d: struct.pack_into("<I", d, 17 * ISO_SECTOR + 0x47, 10**6), "eltorito.catalog-beyond-end"),
    ("no El Torito boot record", "iso-plain", lambda d: d.__setitem__(slice(17 * ISO_SECTOR + 7, 17 * ISO_SECTOR + 10), b"XXX"), "eltorito.absent"),
    ("ISO truncated", "iso", lambda d: d[: len(d) // 2], "iso.truncated"),
    ("ISO truncated in its descriptors", "iso", lambda d: d[: 16 * ISO_SECTOR + 100], "iso.truncated"),
    ("ISO block size", "iso-plain", pack(16 * ISO_SECTOR + 128, "<H", 512), "iso.block-size"),
    ("FAT loop inside the ISO's floppy", "iso", iso_inner(loop), "fat.loop"),
    ("hybrid MBR points elsewhere", "iso", lambda d: struct.pack_into("<I", d, partition_entry(1) + 8, 100), "hybrid.other-volume"),
    ("two active partitions", "usb", second_active_partition, "mbr.several-active"),
    ("no active partition", "usb", set_byte(partition_entry(1), 0), "mbr.no-active"),
    ("bad status byte", "usb", set_byte(partition_entry(1), 0x7F), "mbr.status"),
    ("partition past the end", "usb", partition_past_end, "mbr.beyond-image"),
    ("partition type says FAT12", "usb", set_byte(partition_entry(1) + 4, 0x01), "mbr.type"),
    ("MBR without 55 AA", "usb", set_byte(510, 0), "mbr.signature"),
    ("BPB hidden sectors", "usb", pack(USB_VOLUME + 28, "<I", 0), "bpb.hidden-sectors"),
    ("cross-link on the USB volume", "usb", lambda d: cross_link(FatEditor(d, USB_VOLUME)), "fat.cross-link"),
]
WARNINGS = [
    ("boot code not ours", "floppy", lambda d: d.__setitem__(slice(0x3E, 0x1FE), b"\xf4" * 0x1C0), "boot.code-unknown"),
    ("MBR code not ours", "usb", lambda d: d.__setitem__(slice(0, 440), b"\xf4" * 440), "mbr.code-unknown"),
    ("no MANIFEST.TXT", "floppy", fat(lambda e: e.data.__setitem__(e.entry("MANIFEST.TXT"), 0xE5)), "manifest.absent"),
    ("drive number", "floppy", set_byte(0x24, 0x80), "bpb.drive-number"),
    ("El Torito sector count", "iso", iso_catalogue(lambda d, c: struct.pack_into("<H", d, c + 38, 4)), "eltorito.sector-count"),
]


@pytest.mark.parametrize("name, image, change, code", CORPUS, ids=[c[0] for c in CORPUS])
def test_broken_image_gives_its_finding(images, tmp_path, name, image, change, code):
    report = check_image(broken(images[image], tmp_path, change))
    assert not report.ok, format_text(report)
    assert "check.internal-error" not in report.codes()
    if code is not None:
        assert code in report.codes(), format_text(report)


@pytest.mark.parametrize("name, image, change, code", WARNINGS, ids=[c[0] for c in WARNINGS])
def test_dubious_image_gives_its_warning(images, tmp_path, name, image, change, code):
    report = check_image(broken(images[image], tmp_path, change))
    assert code in report.codes("warning"), format_text(report)


def test_each_fault_is_named_once_not_as_noise(images, tmp_path):
    """A single fault gives its own finding and not a cascade of others."""
    for change, code in [(fat(loop), "fat.loop"), (fat(cross_link), "fat.cross-link"),
                         (fat(lambda e: e.set(e.clusters, 0xFFF)), "fat.lost-clusters")]:
        report = check_image(broken(images["floppy"], tmp_path, change))
        assert [f.code for f in report.errors] == [code], format_text(report)


def test_a_fault_repeated_hundreds_of_times_is_summed_up(images, tmp_path):
    def fill_root(e):
        root = e.offset + e.first_root * SECTOR
        first_free = next(i for i in range(e.root_entries) if e.data[root + 32 * i] == 0)
        for i in range(first_free, first_free + 200):  # 200 files that start outside the volume
            e.data[root + 32 * i : root + 32 * i + 32] = f"F{i:07d}BIN".encode() + bytes(15) + struct.pack("<HI", 4000, 1)

    report = check_image(broken(images["floppy"], tmp_path, fat(fill_root)))
    bad = [f for f in report.findings if f.code == "fat.bad-start"]
    assert len(bad) == 11 and bad[-1].message == "... and 190 more like this"
