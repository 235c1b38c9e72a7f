"""`mkrescue fetch` and a build without --dos-dir, through the CLI, against a local
HTTP server serving stand-in zips laid out as the shipped catalogue says."""

import io
import zipfile

import pytest

from build_fixtures import files_limited_to
from build_fixtures import run_mkrescue as mkrescue
from judges import read_fat_files
from mkrescue.freedos.catalogue import load


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2022, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def stand_in_repository() -> dict[str, bytes]:
    """One zip per catalogue package, holding every member the catalogue names."""
    zips = {}
    for package in load().packages:
        members = {entry.member: b"MZ" + f"STAND-IN {entry.target}".encode().ljust(2000, b"\0") for entry in package.files}
        for licence in package.licence_text[:1]:
            text = f"licence of {package.name} (stand-in)\r\n".encode()
            members[licence.member] = _zip({licence.inner: text}) if licence.inner else text
        if package.lsm:
            members[package.lsm] = f"Begin3\r\nVersion: {package.version}\r\nEnd\r\n".encode()
        zips[package.path] = _zip(members)
    return zips


def test_a_cache_that_refuses_writes_is_one_line(httpserver, tmp_path):
    for path, data in stand_in_repository().items():
        httpserver.expect_request(f"/fd/{path}").respond_with_data(data, content_type="application/zip")
    cache = tmp_path / "cache"
    fetched = mkrescue("fetch", "--mirror", httpserver.url_for("/fd"), "--cache-dir", cache,
                       preexec_fn=files_limited_to(1000))  # a disk that takes 1000 bytes, then refuses
    assert fetched.returncode == 1 and "Traceback" not in fetched.stderr
    assert fetched.stderr.splitlines() == [f"mkrescue: error: could not put the FreeDOS files into the cache {cache}:"
                                           " file too large; free space there, or choose another folder with --cache-dir"]
    assert not list((cache / "packages").rglob("*.zip")) and not (cache / "lock.json").exists()


def test_fetch_then_build_without_dos_dir(httpserver, tmp_path, user_files):
    for path, data in stand_in_repository().items():
        httpserver.expect_request(f"/fd/{path}").respond_with_data(data, content_type="application/zip")
    mirror, cache = httpserver.url_for("/fd"), tmp_path / "cache"
    fetched = mkrescue("fetch", "--mirror", mirror, "--cache-dir", cache)
    assert fetched.returncode == 0, fetched.stderr
    assert "base/kernel.zip" in fetched.stdout and "pin it in the catalogue" in fetched.stdout
    requests_after_fetch = len(httpserver.log)

    flasher, firmware = user_files
    out = tmp_path / "rescue.img"
    built = mkrescue("--flasher", flasher, "--fw", firmware, "-o", out, "--cache-dir", cache, "--offline")
    assert built.returncode == 0, built.stderr
    assert len(httpserver.log) == requests_after_fetch  # the build used the cache
    files = read_fat_files(out)
    assert files["KERNEL.SYS"].startswith(b"MZSTAND-IN BIN/KERNEL.SYS")
    assert "FREEDOS/LICENSES/SOURCES.TXT" in files and "FREEDOS/LICENSES/KERNEL.TXT" in files
    assert b"SOURCES.TXT" in files["README.TXT"]


def test_offline_with_an_empty_cache_is_one_line_naming_the_alternatives(tmp_path, user_files):
    flasher, firmware = user_files
    out = tmp_path / "rescue.iso"
    result = mkrescue("--flasher", flasher, "--fw", firmware, "-o", out, "--cache-dir", tmp_path / "cache", "--offline")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("mkrescue: error:")]
    assert len(errors) == 1 and "--packages-dir" in errors[0] and "--dos-dir" in errors[0]
    assert "Traceback" not in result.stderr and not out.exists()


def test_download_failure_names_the_url(httpserver, tmp_path):
    httpserver.expect_request("/fd/base/kernel.zip").respond_with_data("gone", status=404)
    result = mkrescue("fetch", "--mirror", httpserver.url_for("/fd"), "--cache-dir", tmp_path / "cache")
    assert result.returncode == 1
    assert httpserver.url_for("/fd/base/kernel.zip") in result.stderr and "Traceback" not in result.stderr


def test_input_mistakes_are_reported_before_any_download(httpserver, tmp_path, user_files):
    flasher, firmware = user_files
    result = mkrescue("--flasher", flasher, "--fw", tmp_path / "typo.bin", "-o", tmp_path / "r.iso",
                      "--mirror", httpserver.url_for("/fd"), "--cache-dir", tmp_path / "cache")
    assert result.returncode == 2 and "typo.bin does not exist" in result.stderr
    assert len(httpserver.log) == 0
