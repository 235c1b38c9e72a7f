"""The check never crashes and never runs away, whatever the image: a seeded mutation
loop over every kind of image the build makes (bytes changed where the structures are,
truncations), hypothesis on the floppy's structures and on arbitrary small files, and
hand-made hostile volumes (huge sizes, a directory of millions of entries, deep nesting).

Bounded on purpose: a fixed number of mutants per image and of hypothesis examples, so
the whole file runs in seconds in CI."""

import json
import os
import random
import struct
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_images import ISO_SECTOR, SECTOR, FatEditor, broken, iso_boot_entry
from mkrescue.check import check_image, format_text
from mkrescue.check.dosrefs import batch_references, config_references

MUTANTS = {"floppy": 400, "iso": 150, "iso-plain": 60, "iso-hd": 100, "usb": 150}
SEVERITIES = {"error", "warning", "ok"}
MAX_EDITS = 8


def assert_sane(report):
    """What every report must be, however bad the image: complete, serialisable, no crash."""
    assert "check.internal-error" not in report.codes(), format_text(report)
    assert report.kind in {"floppy", "iso", "usb", "unknown"}
    assert all(f.severity in SEVERITIES and f.code and f.message for f in report.findings)
    json.dumps(report.to_json())
    format_text(report)


def _fat_windows(data, offset):
    """Boot sector, FATs, root directory and the first directory clusters of a volume."""
    e = FatEditor(data, offset)
    return [(offset, (e.first_data + 8 * e.sectors_per_cluster) * SECTOR)]


def structure_windows(name, data):
    """(start, length) of the bytes that hold structure in each kind of image: mutating
    file contents would only test the hash."""
    if name == "floppy":
        return _fat_windows(data, 0)
    if name == "usb":
        return [(0, SECTOR)] + _fat_windows(data, 63 * SECTOR)
    catalogue = iso_boot_entry(data)
    boot = struct.unpack_from("<I", data, catalogue + 40)[0] * ISO_SECTOR
    volume = boot + 63 * SECTOR if name == "iso-hd" else boot
    windows = [(0, SECTOR), (16 * ISO_SECTOR, 4 * ISO_SECTOR), (catalogue, 64), (boot, SECTOR)]
    return windows + _fat_windows(data, volume) + [(20 * ISO_SECTOR, boot - 20 * ISO_SECTOR)]  # path tables, directories


def mutate(rng, data, windows):
    """Change a few bytes in the structures: flipped bits, random bytes, extreme words."""
    changes = {}
    for _ in range(rng.randint(1, MAX_EDITS)):
        start, length = rng.choice(windows)
        at = start + rng.randrange(length)
        how = rng.random()
        if how < 0.4:
            new = bytes([data[at] ^ (1 << rng.randrange(8))])
        elif how < 0.7:
            new = bytes([rng.randrange(256)])
        else:
            new = rng.choice([b"\x00\x00", b"\xff\xff", b"\xff\xff\xff\xff", b"\x00\x00\x00\x80", b"\x02\x00"])
        new = new[: len(data) - at]
        changes[at] = new
    return changes


@pytest.mark.parametrize("name", MUTANTS)
def test_seeded_mutants_give_findings_not_crashes(images, tmp_path, name):
    original = images[name].read_bytes()
    windows = structure_windows(name, bytearray(original))
    rng = random.Random(f"mkrescue-check-{name}")
    work = tmp_path / "mutant.img"
    work.write_bytes(original)
    seen_errors = 0
    with work.open("r+b") as fp:
        for _ in range(MUTANTS[name]):
            changes = mutate(rng, original, windows)
            for at, new in changes.items():
                fp.seek(at)
                fp.write(new)
            fp.flush()
            report = check_image(work)
            assert_sane(report)
            seen_errors += not report.ok
            for at, new in changes.items():
                fp.seek(at)
                fp.write(original[at : at + len(new)])
    assert seen_errors > MUTANTS[name] // 3  # the mutants do hit structures


@pytest.mark.parametrize("name", MUTANTS)
def test_truncations_give_findings_not_crashes(images, tmp_path, name):
    original = images[name].read_bytes()
    rng = random.Random(f"mkrescue-cut-{name}")
    # Mostly inside the first megabytes where the structures are, some just short of the end.
    cuts = [0, 1, 511, 512, 513, 16 * ISO_SECTOR + 3] + [rng.randrange(min(len(original), 3 << 20)) for _ in range(12)]
    cuts += [len(original) - rng.randrange(1, 5 * SECTOR) for _ in range(3)]
    work = tmp_path / "cut.img"
    for cut in cuts:
        work.write_bytes(original[:cut])
        report = check_image(work)
        assert_sane(report)
        assert not report.ok, f"cut at {cut}: {format_text(report)}"


@pytest.fixture(scope="module")
def floppy_structures(images):
    original = images["floppy"].read_bytes()
    (start, length), = structure_windows("floppy", bytearray(original))
    return original, start + length


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=24))
def test_hypothesis_floppy_structure_edits(floppy_structures, tmp_path_factory, edits):
    original, end = floppy_structures
    data = bytearray(original)
    for at, value in edits:
        data[at % end] = value
    image = tmp_path_factory.getbasetemp() / "hypothesis-floppy.img"
    image.write_bytes(data)
    assert_sane(check_image(image))


@settings(max_examples=150, deadline=None)
@given(blob=st.binary(max_size=4096), as_descriptor=st.booleans())
def test_hypothesis_arbitrary_small_files(tmp_path_factory, blob, as_descriptor):
    """Random bytes as a whole file, or as an ISO volume descriptor after 32 KiB of zeros."""
    if as_descriptor:
        blob = bytes(16 * ISO_SECTOR) + blob[:1] + b"CD001" + blob[6:]
    image = tmp_path_factory.getbasetemp() / "hypothesis-blob.img"
    image.write_bytes(blob)
    report = check_image(image)
    assert_sane(report)
    assert not report.ok


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('\\%:?!=/"@ |<>.*ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r\n\t')), max_size=400))
def test_hypothesis_config_and_batch_parsers_take_any_text(text):
    for ref in config_references(text) + batch_references(text):
        assert ref.line >= 1 and isinstance(ref.path, str)


def _put_dir(e, cluster, entries, parent):
    """Write a one-cluster directory holding '.', '..' and `entries` (name11, attr, start, size)."""
    raw = b"".join(name + bytes([attr]) + bytes(14) + struct.pack("<HI", start, size)
                   for name, attr, start, size in [(b".          ", 0x10, cluster, 0), (b"..         ", 0x10, parent, 0), *entries])
    at = e.cluster_at(cluster)
    e.data[at : at + e.sectors_per_cluster * SECTOR] = raw.ljust(e.sectors_per_cluster * SECTOR, b"\0")
    e.set(cluster, 0xFFF if e.bits == 12 else 0xFFFF)


def _root_slot(e):
    root = e.offset + e.first_root * SECTOR
    return next(root + 32 * i for i in range(e.root_entries) if e.data[root + 32 * i] == 0)


def test_deep_nesting_stops_at_a_bounded_depth(images, tmp_path):
    def nest(e):
        clusters = list(range(e.clusters + 1 - 60, e.clusters + 1))  # free ones at the end
        for depth, cluster in enumerate(clusters):
            child = [(b"D          ", 0x10, clusters[depth + 1], 0)] if depth + 1 < len(clusters) else []
            _put_dir(e, cluster, child, clusters[depth - 1] if depth else 0)
        slot = _root_slot(e)
        e.data[slot : slot + 32] = b"DEEP       \x10" + bytes(14) + struct.pack("<HI", clusters[0], 0)

    report = check_image(broken(images["floppy"], tmp_path, lambda d: nest(FatEditor(d))))
    assert_sane(report)
    assert "fat.too-deep" in report.codes("error") and "fat.lost-unchecked" in report.codes("warning")



def with_peak_memory(function, *args):
    """What function(*args) returns, and the most memory (bytes) Python held meanwhile."""
    tracemalloc.start()
    try:
        return function(*args), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def check_with_peak_memory(image):
    """The report, and the most memory (bytes) Python held while checking."""
    return with_peak_memory(check_image, image)


def test_huge_directory_and_huge_sizes_stay_small_in_memory(images, tmp_path):
    """A FAT16 volume whose FREEDOS directory chains through every free cluster (16 MB of
    directory) and whose files claim 4 GB: refused with findings, in bounded memory."""
    usb = images["usb"]

    def hostile(data):
        e = FatEditor(data, 63 * SECTOR)
        start = e.start("FREEDOS")
        free = [c for c in range(2, e.clusters + 2) if e.get(c) == 0]
        for a, b in zip([start, *free], free):
            e.set(a, b)
        e.set(free[-1], 0xFFFF)
        e.set_size("KERNEL.SYS", 0xFFFFFFFF)
        e.set_size("FLASH/FW.BIN", 0xFFFFFFF0)
        return data

    image = broken(usb, tmp_path, hostile)
    report, peak = check_with_peak_memory(image)
    assert_sane(report)
    assert {"fat.directory-too-big", "fat.size-mismatch"} <= report.codes("error")
    assert peak < 32 * 2**20, f"peak {peak} bytes"


def test_device_files_other_than_disks_are_refused(tmp_path):
    fifo = tmp_path / "pipe.img"
    os.mkfifo(fifo)
    from mkrescue.errors import InputFileError

    with pytest.raises(InputFileError, match="not an image file"):
        check_image(fifo)


def test_iso_directory_claiming_gigabytes_is_refused_before_it_is_read(images, tmp_path):
    def huge_root(data):
        record = 16 * ISO_SECTOR + 156  # the root directory record in the primary volume descriptor
        struct.pack_into("<I", data, record + 10, 0xFFFFF000)
        struct.pack_into(">I", data, record + 14, 0xFFFFF000)

    image = broken(images["iso-hd"], tmp_path, huge_root)
    report, peak = check_with_peak_memory(image)
    assert_sane(report)
    [invalid] = [f for f in report.errors if f.code == "iso.invalid"]
    assert "a structure claims" in invalid.message
    assert peak < 32 * 2**20, f"peak {peak} bytes"
