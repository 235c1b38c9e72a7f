"""`check` does bounded work on any image: a pathological AUTOEXEC line, thousands of files
and wildcards, huge listed files, an ISO of countless directory records. What it did not
examine is a finding; memory is measured, time never asserted."""

import json
import os
import struct
from datetime import datetime

from mkrescue.check import check_image, contents
from mkrescue.check.iso import MAX_DIRECTORY_RECORDS
from mkrescue.fat import write_volume
from mkrescue.media import usb
from check_images import ISO_SECTOR, images  # noqa: F401  (fixture)
from build_fixtures import run_mkrescue as run
from test_check_fuzz import check_with_peak_memory
from test_check_refs import floppy, located


def test_a_megabyte_if_line_is_parsed_in_one_pass(tmp_path):
    # `IF ====...`: the regex it replaced backtracked quadratically (minutes for this line).
    report = floppy(tmp_path, "", "IF " + "=" * 1_000_000 + "\r\n\\FLASH\\GONE.EXE\r\n")
    assert "check.internal-error" not in report.codes()
    assert located(report, "refs.missing") == [("AUTOEXEC.BAT line 2", "the program \\FLASH\\GONE.EXE is not on the volume")]


def usb_image(tmp_path, files):
    params = usb.disk_params(files, None, 0)
    image = tmp_path / "many.usb.img"
    with image.open("w+b") as out:
        usb.write_usb(out, files, params, "TEST", 1, datetime(2024, 1, 1))
    return image


def test_thousands_of_wildcards_over_thousands_of_files_stop_at_the_budget(tmp_path):
    names = [f"MANY/F{n:05}.DAT" for n in range(20_000)]
    wildcards = "".join(f"COPY \\MANY\\Z{n:04}*.DAT C:\\\r\n" for n in range(2_000))  # none matches: each scans all
    files = [("KERNEL.SYS", b"kernel"), ("COMMAND.COM", b"shell"), ("FDCONFIG.SYS", b""),
             ("AUTOEXEC.BAT", wildcards.encode()), *((name, b"x") for name in names)]
    report, peak = check_with_peak_memory(usb_image(tmp_path, files))
    [unchecked] = [f for f in report.findings if f.code == "refs.unchecked"]
    matched = contents.MAX_WILDCARD_TESTS // 20_000  # each compared with every file of \MANY
    assert unchecked.severity == "warning"
    assert unchecked.message.startswith(f"{2_000 - matched} wildcard references were not matched against the volume's")
    assert len(located(report, "refs.missing")) == matched  # the ones examined
    assert peak < 200 * 2**20, f"peak {peak} bytes"


def test_batch_text_beyond_the_budget_is_named_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(contents, "MAX_REFERENCE_TEXT", 5000)  # 2 MiB of batch files do not fit a floppy
    big = "REM " + "x" * 2990 + "\r\n"
    calls = "".join(f"CALL \\B{n}.BAT\r\n" for n in range(3))
    report = floppy(tmp_path, "", calls, [(f"B{n}.BAT", big.encode()) for n in range(3)])
    skipped = [f.message for f in report.findings if f.code == "refs.unchecked"]
    assert [message.split(" ", 1)[0] for message in skipped] == ["\\B1.BAT", "\\B2.BAT"]  # B0 fitted the budget
    assert "was not read for references" in skipped[0]


def test_files_past_the_hashing_budget_are_named_not_hashed(images, monkeypatch):
    monkeypatch.setattr(contents, "MAX_HASH_BYTES", 1_000_000)
    report = check_image(images["iso-hd"])  # its firmware is 3.1 MB
    [unchecked] = [f for f in report.findings if f.code == "manifest.unchecked"]
    assert "\\FLASH\\FW.BIN" in unchecked.message and "their sizes match" in unchecked.message
    assert report.ok


def test_an_iso_of_countless_directory_records_is_not_handed_to_pycdlib(images, tmp_path):
    """The root directory of a built ISO replaced by one of 60,000 tiny records appended at its end."""
    data = bytearray(images["iso"].read_bytes())
    count = 3 * MAX_DIRECTORY_RECORDS
    per_sector = ISO_SECTOR // 34
    start = len(data) // ISO_SECTOR
    directory = bytearray()
    for n in range(count):
        if n % per_sector == 0 and n:
            directory += bytes(-len(directory) % ISO_SECTOR)
        record = bytearray(34)
        record[0], record[32], record[33] = 34, 1, ord("A") + n % 26
        struct.pack_into("<I", record, 2, start)
        directory += record
    directory += bytes(-len(directory) % ISO_SECTOR)
    data += directory
    root = 16 * ISO_SECTOR + 156
    struct.pack_into("<I", data, root + 2, start)
    struct.pack_into(">I", data, root + 6, start)
    struct.pack_into("<I", data, root + 10, len(directory))
    struct.pack_into(">I", data, root + 14, len(directory))
    struct.pack_into("<I", data, 16 * ISO_SECTOR + 80, len(data) // ISO_SECTOR)
    struct.pack_into(">I", data, 16 * ISO_SECTOR + 84, len(data) // ISO_SECTOR)
    hostile = tmp_path / "records.iso"
    hostile.write_bytes(data)
    report, peak = check_with_peak_memory(hostile)
    assert "iso.unchecked" in report.codes("warning")
    assert "iso.structure" not in report.codes() and "iso.invalid" not in report.codes()
    assert "eltorito.entry" in report.codes("ok")  # the boot path was still checked
    assert peak < 32 * 2**20, f"peak {peak} bytes"


def test_an_ordinary_iso_is_still_parsed_by_pycdlib(images):
    assert "iso.structure" in check_image(images["iso-hd"]).codes("ok")


def test_check_json_with_a_name_that_is_not_utf8(images, tmp_path):
    odd = tmp_path / os.fsdecode(b"r\xe9scue.img")
    odd.write_bytes(images["floppy"].read_bytes())
    result = run("check", "--json", odd)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["image"] == str(tmp_path) + "/r\ufffdscue.img"
    report["image"].encode("utf-8")  # no lone surrogate, which strict UTF-8 encoders refuse
