"""Damaged and hostile FreeDOS packages, from a mirror and from --packages-dir, and servers
that trickle, stay silent or get a password in their URL: one clear line each, nothing
recorded, nothing half-written."""

import io
import json
import stat
import struct
import time
import zipfile

import pytest
from werkzeug import Response

import freedos_mirror
from mkrescue.errors import DownloadError, IntegrityError
from mkrescue.freedos.download import Downloader, MAX_DOWNLOAD_BYTES
from mkrescue.freedos.extract import PackageZip
from test_cli_fetch import httpserver_listen_address, mkrescue_with_pins, no_pins, stand_in_repository  # noqa: F401


def mkrescue(*args):
    """mkrescue without the shipped pins: stand-in packages never match the real hashes, and these
    tests are about what happens after a package passed its hash checks (or before it can)."""
    return mkrescue_with_pins(no_pins(), *args)

KERNEL_MEMBER = "BIN/KERNL386.SYS"


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED, symlinks=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2022, 1, 1, 0, 0, 0))
            info.compress_type = compression
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return bytes(buffer.getvalue())


def kernel_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(stand_in_repository()["base/kernel.zip"])) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def data_offset(data: bytes, name: str) -> int:
    """Where the stored bytes of member `name` start (after its local header)."""
    header = data.index(b"PK\x03\x04")
    while data[header + 30: header + 30 + len(name)] != name.encode():
        header = data.index(b"PK\x03\x04", header + 4)
    name_len, extra_len = struct.unpack_from("<HH", data, header + 26)
    return header + 30 + name_len + extra_len


def central_entry(data: bytes, name: str) -> int:
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46: entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    return entry


def damaged_kernel_zip(how: str) -> bytes:
    members = kernel_members()
    if how == "zlib":  # "invalid block type"
        data = bytearray(zip_of(members))
        start = data_offset(data, KERNEL_MEMBER)
        data[start:start + 2] = b"\xff\xff"
    elif how == "lzma":
        data = bytearray(zip_of(members, zipfile.ZIP_LZMA))
        start = data_offset(data, KERNEL_MEMBER)
        for i in range(start + 9, start + 60):  # past the LZMA properties: the compressed stream itself
            data[i] ^= 0x5A
    elif how == "version":  # "zip file version 9.9"
        data = bytearray(zip_of(members))
        data[central_entry(data, KERNEL_MEMBER) + 6] = 99
    elif how == "utf8-name":  # flagged UTF-8, and not UTF-8
        data = bytearray(zip_of(members))
        entry = central_entry(data, KERNEL_MEMBER)
        struct.pack_into("<H", data, entry + 8, struct.unpack_from("<H", data, entry + 8)[0] | 0x800)
        data[entry + 46 + 5] = 0xFF
    elif how == "negative-seek":  # the central directory claims to start before the file does
        data = bytearray(zip_of(members))
        end = data.rindex(b"PK\x05\x06")
        struct.pack_into("<I", data, end + 16, 0xFFFFFF00)
    else:
        raise ValueError(how)
    return bytes(data)


def nested_negative_seek_freecom() -> bytes:
    with zipfile.ZipFile(io.BytesIO(stand_in_repository()["base/freecom.zip"])) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    inner = bytearray(members["SOURCE/FREECOM/SOURCES.ZIP"])
    struct.pack_into("<I", inner, inner.rindex(b"PK\x05\x06") + 16, 0xFFFFFF00)
    members["SOURCE/FREECOM/SOURCES.ZIP"] = bytes(inner)
    return zip_of(members)


DAMAGE = ["zlib", "lzma", "version", "utf8-name", "negative-seek"]


def one_error_line(result) -> str:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("mkrescue: error:")]
    return line


def serve_repository(httpserver, replace: dict[str, bytes]) -> str:
    """The stand-in repository, its pkg-info vouching for each zip served, the damaged ones included."""
    return freedos_mirror.serve_repository(httpserver, {**stand_in_repository(), **replace}, "/fd")


def nothing_recorded(cache) -> bool:
    lock = cache / "lock.json"
    recorded = json.loads(lock.read_text())["packages"] if lock.exists() else {}
    return "1.3/base/kernel.zip" not in recorded and not list((cache / "packages").rglob("kernel.zip"))


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_package_from_a_mirror_is_one_line(httpserver, tmp_path, how):
    cache = tmp_path / "cache"
    result = mkrescue("fetch", "--mirror", serve_repository(httpserver, {"base/kernel.zip": damaged_kernel_zip(how)}),
                      "--cache-dir", cache)
    assert result.returncode == 1
    error = one_error_line(result)
    assert "base/kernel.zip" in error and "damaged" in error
    assert nothing_recorded(cache) and not list((cache / "tmp").iterdir())


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_package_in_packages_dir_is_one_line(tmp_path, how):
    packages = tmp_path / "PACKAGES" / "BASE"
    packages.mkdir(parents=True)
    (packages / "KERNEL.ZIP").write_bytes(damaged_kernel_zip(how))
    cache = tmp_path / "cache"
    result = mkrescue("fetch", "--packages-dir", tmp_path / "PACKAGES", "--offline", "--cache-dir", cache)
    assert result.returncode == 1
    error = one_error_line(result)
    assert "KERNEL.ZIP" in error and "damaged" in error
    assert nothing_recorded(cache)


def test_a_nested_zip_with_a_negative_seek_is_one_line(httpserver, tmp_path):
    mirror = serve_repository(httpserver, {"base/freecom.zip": nested_negative_seek_freecom()})
    result = mkrescue("fetch", "--mirror", mirror, "--cache-dir", tmp_path / "cache")
    assert result.returncode == 1
    error = one_error_line(result)
    assert "SOURCES.ZIP" in error and "damaged" in error


@pytest.mark.parametrize("how, message", [
    ("empty", "is empty"),
    ("oversized", "more than a FreeDOS kernel can be (128 KiB)"),
    ("symlink", "is a symbolic link"),
])
def test_a_kernel_member_that_cannot_boot_is_refused_at_fetch_before_it_is_recorded(httpserver, tmp_path, how, message):
    members = kernel_members()
    members[KERNEL_MEMBER] = {"empty": b"", "oversized": b"\xeb\x3c" + bytes(200_000),
                              "symlink": b"../../etc/passwd"}[how]
    bad = zip_of(members, symlinks={KERNEL_MEMBER} if how == "symlink" else ())
    cache = tmp_path / "cache"
    mirror = serve_repository(httpserver, {"base/kernel.zip": bad})
    result = mkrescue("fetch", "--mirror", mirror, "--cache-dir", cache)
    assert result.returncode == 1
    assert message in one_error_line(result)
    assert nothing_recorded(cache)
    # The mirror fixed: the next fetch takes the good package (nothing bad was pinned).
    httpserver.clear()
    good = mkrescue("fetch", "--mirror", serve_repository(httpserver, {}), "--cache-dir", cache)
    assert good.returncode == 0, good.stderr


def test_a_huge_file_in_packages_dir_is_refused_before_it_is_copied(tmp_path):
    packages = tmp_path / "packages" / "base"
    packages.mkdir(parents=True)
    with (packages / "kernel.zip").open("wb") as huge:  # sparse: takes no room
        huge.truncate(MAX_DOWNLOAD_BYTES + 1)
    cache = tmp_path / "cache"
    result = mkrescue("fetch", "--packages-dir", tmp_path / "packages", "--offline", "--cache-dir", cache)
    assert result.returncode == 1
    assert f"is {MAX_DOWNLOAD_BYTES + 1} bytes, far more than a FreeDOS package" in one_error_line(result)
    assert not list((cache / "tmp").iterdir()) and nothing_recorded(cache)


def test_a_mirror_password_is_neither_printed_nor_stored(httpserver, tmp_path):
    mirror = serve_repository(httpserver, {}).replace("http://", "http://fetcher:s3cret@")
    cache = tmp_path / "cache"
    result = mkrescue("fetch", "--mirror", mirror, "--cache-dir", cache)
    assert result.returncode == 0, result.stderr
    assert httpserver.log[0][0].authorization.password == "s3cret"  # the server did get it
    lock = (cache / "lock.json").read_text()
    for text in (result.stdout, result.stderr, lock):
        assert "s3cret" not in text
    assert "fetcher:***@" in lock and "fetcher:***@" in result.stdout


def test_a_failed_download_does_not_print_the_password(httpserver, tmp_path):
    httpserver.expect_request("/fd/base/kernel.zip").respond_with_data("gone", status=404)
    mirror = httpserver.url_for("/fd").replace("http://", "http://fetcher:s3cret@")
    result = mkrescue("fetch", "--mirror", mirror, "--cache-dir", tmp_path / "cache")
    assert result.returncode == 1 and "s3cret" not in result.stderr and "fetcher:***@" in one_error_line(result)


def test_a_trickling_server_meets_the_overall_deadline(httpserver, tmp_path):
    def trickle(_request):
        def body():
            for _ in range(10_000):
                time.sleep(0.02)
                yield b"x"
        return Response(body(), headers={"Content-Length": "10000"}, direct_passthrough=True)

    httpserver.expect_request("/slow.zip").respond_with_handler(trickle)
    downloader = Downloader(time_limit=5.0, read_timeout=5.0, retries=0, progress=None)
    with pytest.raises(DownloadError, match="took more than the 5 s allowed in all"):
        downloader.fetch(httpserver.url_for("/slow.zip"), tmp_path / "slow.zip", "slow.zip")
    # Stopped part-way (iter_content would have waited for a whole 64 KiB chunk: for 200 s).
    assert 0 < (tmp_path / "slow.zip").stat().st_size < 10000


def test_a_silent_server_is_reported_while_it_is_retried(httpserver, tmp_path):
    def silent(_request):
        time.sleep(1.0)
        return Response(b"late")

    httpserver.expect_request("/silent.zip").respond_with_handler(silent)
    said = []
    downloader = Downloader(read_timeout=0.2, retries=1, backoff=0.0, progress=None)
    url = httpserver.url_for("/silent.zip")
    with pytest.raises(DownloadError, match="did not answer in time"):
        downloader.fetch(url, tmp_path / "s.zip", "base/silent.zip", waiting=said.append)
    assert said == [f"{url}: the server did not answer in time (nothing for 0.2 s); trying again in 0 s (2 of 2 tries)"]


def test_the_package_zip_reader_refuses_each_damage_with_one_error():
    for how in DAMAGE:
        with pytest.raises(IntegrityError, match="damaged"):
            with PackageZip(damaged_kernel_zip(how), "base/kernel.zip") as archive:
                archive.read(KERNEL_MEMBER)


def test_a_good_kernel_zip_still_reads():
    with PackageZip(zip_of(kernel_members()), "base/kernel.zip") as archive:
        assert archive.read(KERNEL_MEMBER).startswith(b"MZSTAND-IN")
