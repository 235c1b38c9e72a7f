"""Safe reading of package zips: only named members, nothing that escapes, nothing oversized."""

from __future__ import annotations

import io
import zipfile

import pytest

from mkrescue.errors import IntegrityError
from mkrescue.freedos.extract import PackageZip, unsafe_reason


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2022, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buffer.getvalue()


@pytest.mark.parametrize("name, reason", [
    ("../evil", "'..'"),
    ("BIN/../../evil", "'..'"),
    ("BIN\\..\\evil", "'..'"),
    ("/etc/passwd", "absolute"),
    ("\\EVIL.BAT", "absolute"),
    ("C:EVIL.BAT", "drive letter"),
    ("c:\\AUTOEXEC.BAT", "drive letter"),
    ("BIN/A\0B", "NUL"),
])
def test_escaping_names_are_unsafe(name, reason):
    assert reason in unsafe_reason(name)


@pytest.mark.parametrize("name", ["BIN/KERNL386.SYS", "DOC/KERNEL/COPYING", "bin/choice.exe", "A..B/C.TXT"])
def test_ordinary_names_are_safe(name):
    assert unsafe_reason(name) is None


@pytest.mark.parametrize("bad", ["../../evil.bat", "/abs/evil", "D:\\evil", "BIN\\..\\..\\evil"])
def test_a_zip_with_an_escaping_member_is_refused_whole(tmp_path, bad):
    path = tmp_path / "pkg.zip"
    path.write_bytes(make_zip({"BIN/GOOD.EXE": b"MZ", bad: b"x"}))
    with pytest.raises(IntegrityError, match="refusing this package"):
        PackageZip(path, "base/pkg.zip")


def test_reads_only_named_members_case_insensitively():
    with PackageZip(make_zip({"bin/Choice.Exe": b"MZchoice", "BIN/OTHER.EXE": b"MZother"}), "pkg") as archive:
        assert archive.read("BIN/CHOICE.EXE") == b"MZchoice"
        assert archive.has("bin/choice.exe") and not archive.has("BIN/MISSING.EXE")
        with pytest.raises(IntegrityError, match="has no BIN/MISSING.EXE"):
            archive.read("BIN/MISSING.EXE")
        assert archive.has_prefix("bin/") and archive.has_prefix("BIN/OTHER.EXE") and not archive.has_prefix("BI")


def test_oversized_member_is_refused():
    with PackageZip(make_zip({"BIN/BIG.EXE": b"M" * 5000}, zipfile.ZIP_STORED), "pkg", max_member_bytes=4096) as archive:
        with pytest.raises(IntegrityError, match="5000 bytes"):
            archive.read("BIN/BIG.EXE")


def test_a_member_that_compresses_well_is_no_bomb():
    # 1000:1, as a mostly-zero file deflates; the bound is on bytes, not on the ratio.
    with PackageZip(make_zip({"BIN/ZEROS.EXE": b"MZ" + bytes(1_000_000)}), "pkg") as archive:
        assert archive.read("BIN/ZEROS.EXE") == b"MZ" + bytes(1_000_000)


def test_zip_bomb_total_bytes_are_bounded():
    members = {f"BIN/BOMB{n}.EXE": bytes(3_000_000) for n in range(4)}
    with PackageZip(make_zip(members), "pkg", max_total_bytes=10_000_000) as archive:
        for name in list(members)[:3]:
            assert len(archive.read(name)) == 3_000_000
        with pytest.raises(IntegrityError, match="past 10000000 bytes \\(a zip bomb\\?\\)"):
            archive.read("BIN/BOMB3.EXE")


def test_a_damaged_member_is_caught():
    data = bytearray(make_zip({"BIN/A.EXE": b"MZ" + bytes(range(256)) * 8}, zipfile.ZIP_STORED))
    data[data.index(b"MZ")] ^= 0xFF  # damage the stored bytes: the CRC no longer matches
    with PackageZip(bytes(data), "pkg") as archive:
        with pytest.raises(IntegrityError, match="cannot read BIN/A.EXE"):
            archive.read("BIN/A.EXE")


def test_duplicate_members_are_refused():
    with pytest.raises(IntegrityError, match="twice"):
        PackageZip(make_zip({"BIN/A.EXE": b"1", "bin/a.exe": b"2"}), "pkg")


def test_not_a_zip(tmp_path):
    with pytest.raises(IntegrityError, match="not a readable zip"):
        PackageZip(b"<html>not found</html>", "base/kernel.zip")
    with pytest.raises(IntegrityError, match="not a readable zip"):
        PackageZip(tmp_path / "missing.zip", "base/kernel.zip")


def test_a_zip_listing_more_members_than_any_package_is_refused_before_it_is_parsed(tmp_path):
    # A 64 MiB download could list over a million empty members: seconds and most of a
    # gigabyte for zipfile to parse. The directory's size is read from its end record first.
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(25_000):
            archive.writestr(f"{number:05}", b"")
    with pytest.raises(IntegrityError, match=r"^base/pkg.zip lists \d+ bytes of members, more than the 1048576"
                                             " a FreeDOS package needs: refusing this package$"):
        PackageZip(path, "base/pkg.zip")


def test_a_package_with_a_comment_and_many_members_still_opens(tmp_path):
    # The end record is found where zipfile finds it, also behind a comment.
    path = tmp_path / "pkg.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(2_000):
            archive.writestr(f"SOURCE/PKG/{number:05}.C", b"int x;")
        archive.writestr("BIN/CHOICE.EXE", b"MZchoice")
        archive.comment = b"a comment after the end record " * 100
    with PackageZip(path, "pkg") as archive:
        assert archive.read("bin/choice.exe") == b"MZchoice"


@pytest.mark.parametrize("trailer", [0, 65_530])
def test_a_zip64_archive_is_refused(trailer):
    # The trailer puts the end record at the very start of the 64 KiB zipfile searches, so
    # its locator lies before that: it is read where zipfile reads it, from the file.
    data = make_zip({"BIN/CHOICE.EXE": b"MZchoice"})
    end = data.rindex(b"PK\x05\x06")
    locator = b"PK\x06\x07" + bytes(16)  # a ZIP64 end-record locator, just before the end record
    with pytest.raises(IntegrityError, match="^pkg is a ZIP64 archive, which no FreeDOS package is: refusing this package$"):
        PackageZip(data[:end] + locator + data[end:] + bytes(trailer), "pkg")
