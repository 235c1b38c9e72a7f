"""Provisioning against a real HTTP server on 127.0.0.1 (pytest-httpserver) serving
stand-in packages the tests make: small zips with the layout of real FreeDOS packages
(BIN/, DOC/<PKG>/, APPINFO/<PKG>.LSM, SOURCE/<PKG>/SOURCES.ZIP) and fake contents.
No test touches the internet."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import socket
import time
import zipfile
from pathlib import Path

import pytest
from werkzeug import Response

from mkrescue.errors import DownloadError, IntegrityError, UsageError
from mkrescue.freedos import catalogue as catalogue_module
from mkrescue.freedos.cache import Cache, default_cache_dir
from mkrescue.freedos.dosdir import locate
from mkrescue.freedos.download import Downloader
from mkrescue.freedos.extract import MAX_MEMBER_BYTES
from mkrescue.freedos.provision import provision

FIXED_TIME = (2022, 1, 1, 0, 0, 0)  # the same bytes every run


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def lsm(title: str, version: str) -> bytes:
    return f"Begin3\r\nTitle:          {title}\r\nVersion:        {version}\r\nCopying-policy: GPL2\r\nEnd\r\n".encode()


KERNEL_BYTES = b"\xeb\x3cFAKE-KERNEL" + bytes(range(256)) * 30
COMMAND_BYTES = b"\xe9FAKE-FREECOM" + b"\x90" * 3000
CHOICE_BYTES = b"MZ" + b"FAKE-CHOICE".ljust(1500, b"\0")

PACKAGE_MEMBERS = {
    "base/kernel.zip": {
        "APPINFO/KERNEL.LSM": lsm("The FreeDOS Kernel", "2043"),
        "BIN/KERNL386.SYS": KERNEL_BYTES,
        "BIN/KERNL86.SYS": KERNEL_BYTES[::-1],
        "DOC/KERNEL/COPYING": b"GNU GENERAL PUBLIC LICENSE\nVersion 2 (stand-in)\n",
    },
    "base/freecom.zip": {
        "APPINFO/FREECOM.LSM": lsm("FreeCom", "0.85a"),
        "BIN/COMMAND.COM": COMMAND_BYTES,
        "SOURCE/FREECOM/SOURCES.ZIP": make_zip({"license": b"FreeCOM licence (stand-in)\n", "shell/init.c": b"/* */"}),
    },
    # Lower-case member names, as some FreeDOS packages have.
    "base/choice.zip": {
        "appinfo/choice.lsm": lsm("choice", "4.4"),
        "bin/choice.exe": CHOICE_BYTES,
    },
}

CATALOGUE = {
    "schema": 1,
    "release": "Test FreeDOS",
    "base_url": "http://repository.invalid/1.3",
    "notice": ["Stand-in packages for tests."],
    "packages": [
        {
            "name": "kernel", "group": "base", "version": "2043", "licence": "GPL v2", "sha256": None,
            "lsm": "APPINFO/KERNEL.LSM",
            "files": [{"member": "BIN/KERNL386.SYS", "target": "BIN/KERNEL.SYS"}],
            "licence_text": [{"member": "DOC/KERNEL/COPYING"}],
            "sources": {"in_package": "SOURCE/KERNEL/", "elsewhere": "https://example.invalid/kernel"},
        },
        {
            "name": "freecom", "group": "base", "version": "0.85a", "licence": "GPL v2", "sha256": None,
            "lsm": "APPINFO/FREECOM.LSM",
            "files": [{"member": "BIN/COMMAND.COM", "target": "BIN/COMMAND.COM"}],
            "licence_text": [{"member": "SOURCE/FREECOM/SOURCES.ZIP", "inner": "license"}, {"member": "APPINFO/FREECOM.LSM"}],
            "sources": {"in_package": "SOURCE/FREECOM/SOURCES.ZIP"},
        },
        {
            "name": "choice", "group": "base", "version": "4.4", "licence": "GPL v2", "sha256": None,
            "lsm": "APPINFO/CHOICE.LSM",
            "files": [{"member": "BIN/CHOICE.EXE", "target": "BIN/CHOICE.EXE"}],
            "licence_text": [{"member": "APPINFO/CHOICE.LSM"}],
            "sources": {"in_package": "SOURCE/CHOICE/", "elsewhere": "https://example.invalid/choice"},
        },
    ],
}


def package_zips() -> dict[str, bytes]:
    return {path: make_zip(members) for path, members in PACKAGE_MEMBERS.items()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def catalogue_dict(pins: dict[str, str] | None = None) -> dict:
    """The test catalogue; `pins` maps a package name to the SHA-256 it pins."""
    data = copy.deepcopy(CATALOGUE)
    for package in data["packages"]:
        package["sha256"] = (pins or {}).get(package["name"])
    return data


# --- helpers -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)  # loopback by address, not by a name that could resolve elsewhere


FAST = {"retries": 2, "backoff": 0.0, "connect_timeout": 2.0, "read_timeout": 2.0, "progress": None}


def serve(httpserver, zips: dict[str, bytes]) -> str:
    """Serve the zips under /repo/<group>/<pkg>.zip; return the mirror URL."""
    for path, data in zips.items():
        httpserver.expect_request(f"/repo/{path}").respond_with_data(data, content_type="application/zip")
    return httpserver.url_for("/repo")


def run(cache: Path, mirror: str | None = None, pins: dict[str, str] | None = None, lines: list[str] | None = None,
        **kwargs):
    downloader = Downloader(**{**FAST, **kwargs.pop("downloader", {})})
    report = lines.append if lines is not None else (lambda line: None)
    return provision(cache, mirror=mirror, catalogue=catalogue_module.from_dict(catalogue_dict(pins)),
                     downloader=downloader, report=report, **kwargs)


def requests_for(httpserver, path: str) -> int:
    return sum(1 for request, _ in httpserver.log if request.path == f"/repo/{path}")


def cached_packages(cache: Path) -> list[str]:
    return sorted(p.relative_to(cache / "packages").as_posix() for p in (cache / "packages").rglob("*") if p.is_file())


def leftovers(cache: Path) -> list[Path]:
    return list((cache / "tmp").iterdir())


# --- success and cache ---------------------------------------------------------------------


def test_downloads_verifies_and_assembles_the_dos_dir(httpserver, tmp_path):
    zips = package_zips()
    lines: list[str] = []
    dos = run(tmp_path, serve(httpserver, zips), lines=lines)

    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES
    assert (dos / "BIN" / "COMMAND.COM").read_bytes() == COMMAND_BYTES
    assert (dos / "BIN" / "CHOICE.EXE").read_bytes() == CHOICE_BYTES  # found though the zip names it bin/choice.exe
    assert not (dos / "BIN" / "KERNL86.SYS").exists()  # only the members the catalogue names
    assert (dos / "LICENSES" / "KERNEL.TXT").read_bytes() == b"GNU GENERAL PUBLIC LICENSE\r\nVersion 2 (stand-in)\r\n"
    assert (dos / "LICENSES" / "FREECOM.TXT").read_bytes() == b"FreeCOM licence (stand-in)\r\n"  # from inside SOURCES.ZIP
    assert b"Title:          choice" in (dos / "LICENSES" / "CHOICE.TXT").read_bytes()
    sources = (dos / "LICENSES" / "SOURCES.TXT").read_bytes()
    assert b"\r\n" in sources and b"\n" not in sources.replace(b"\r\n", b"")
    text = sources.decode("ascii")
    for path, data in zips.items():
        assert f"http://repository.invalid/1.3/{path}" in text  # the official URL, whatever mirror served it
        assert sha256(data) in text
    assert "Version:  2043" in text
    # Sources: said to be in the package only where they are.
    assert "Sources:  SOURCE/FREECOM/SOURCES.ZIP inside this same package\r\n" in text
    assert "Sources:  not inside this package; https://example.invalid/kernel\r\n" in text
    assert "Sources:  not inside this package; https://example.invalid/choice\r\n" in text

    # One line per package, naming the source and the hash, and saying the hash was recorded.
    assert len(lines) == 3
    for line, (path, data) in zip(lines, zips.items(), strict=True):
        assert path in line and "downloaded from http://127.0.0.1" in line and sha256(data) in line
        assert "recorded new hash" in line
    assert cached_packages(tmp_path) == sorted(zips)
    assert leftovers(tmp_path) == []

    # The scanner the build uses accepts the assembled dir.
    files = locate(dos)
    assert files.kernel.data == KERNEL_BYTES and files.shell.data == COMMAND_BYTES
    assert {"KERNEL.TXT", "FREECOM.TXT", "CHOICE.TXT", "SOURCES.TXT"} <= {f.name for f in files.licenses}


def test_second_run_uses_the_cache_and_sends_no_request(httpserver, tmp_path):
    mirror = serve(httpserver, package_zips())
    first = run(tmp_path, mirror)
    requests_before = len(httpserver.log)
    lines: list[str] = []
    second = run(tmp_path, mirror, lines=lines)
    assert second == first
    assert len(httpserver.log) == requests_before == 3
    assert all(": cached, sha256 " in line for line in lines) and len(lines) == 3


def test_cache_serves_offline(httpserver, tmp_path):
    mirror = serve(httpserver, package_zips())
    first = run(tmp_path, mirror)
    assert run(tmp_path, None, offline=True) == first


def test_a_changed_catalogue_gets_a_fresh_dir_without_downloading_again(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips)
    first = run(tmp_path, mirror)
    pinned = run(tmp_path, mirror, pins={"kernel": sha256(zips["base/kernel.zip"])})
    assert pinned != first and pinned.parent == first.parent
    assert len(httpserver.log) == 3


def test_a_damaged_cached_zip_is_fetched_again(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips)
    run(tmp_path, mirror)
    (tmp_path / "packages" / "base" / "kernel.zip").write_bytes(b"garbage")
    run(tmp_path, mirror)
    assert requests_for(httpserver, "base/kernel.zip") == 2
    assert (tmp_path / "packages" / "base" / "kernel.zip").read_bytes() == zips["base/kernel.zip"]


# --- HTTP failures ------------------------------------------------------------------------


def test_404_names_the_url_and_leaves_nothing(httpserver, tmp_path):
    zips = package_zips()
    del zips["base/freecom.zip"]
    httpserver.expect_request("/repo/base/freecom.zip").respond_with_data("Not Found", status=404)
    mirror = serve(httpserver, zips)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, mirror)
    message = str(error.value)
    assert f"{mirror}/base/freecom.zip" in message and "404" in message and "\n" not in message
    assert "--packages-dir" in message and "--dos-dir" in message
    assert requests_for(httpserver, "base/freecom.zip") == 1  # a 404 is not retried
    assert "base/freecom.zip" not in cached_packages(tmp_path)
    assert list((tmp_path / "dos").iterdir()) == [] and leftovers(tmp_path) == []


def test_500_then_success_is_retried(httpserver, tmp_path):
    zips = package_zips()
    httpserver.expect_oneshot_request("/repo/base/kernel.zip").respond_with_data("busy", status=500)
    mirror = serve(httpserver, zips)
    dos = run(tmp_path, mirror)
    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES
    assert requests_for(httpserver, "base/kernel.zip") == 2


def test_500_every_time_gives_up_after_the_retries(httpserver, tmp_path):
    httpserver.expect_request("/repo/base/kernel.zip").respond_with_data("down", status=503)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, httpserver.url_for("/repo"))
    assert "HTTP 503" in str(error.value) and "tried 3 times" in str(error.value)
    assert requests_for(httpserver, "base/kernel.zip") == 3
    assert cached_packages(tmp_path) == [] and leftovers(tmp_path) == []


def test_truncated_body_is_retried_then_refused(httpserver, tmp_path):
    data = package_zips()["base/kernel.zip"]

    def short(_request):
        # Promise the whole zip, send half of it, close the connection.
        return Response(iter([data[: len(data) // 2]]), headers={"Content-Length": str(len(data))},
                        direct_passthrough=True)

    httpserver.expect_request("/repo/base/kernel.zip").respond_with_handler(short)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, httpserver.url_for("/repo"), downloader={"retries": 1})
    assert "/repo/base/kernel.zip" in str(error.value) and "connection" in str(error.value)
    assert requests_for(httpserver, "base/kernel.zip") == 2
    assert cached_packages(tmp_path) == [] and leftovers(tmp_path) == []
    assert not (tmp_path / "lock.json").exists()


def test_truncated_then_complete_succeeds(httpserver, tmp_path):
    zips = package_zips()
    data = zips["base/kernel.zip"]
    httpserver.expect_oneshot_request("/repo/base/kernel.zip").respond_with_handler(
        lambda _request: Response(iter([data[:100]]), headers={"Content-Length": str(len(data))}, direct_passthrough=True))
    dos = run(tmp_path, serve(httpserver, zips))
    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES


def test_slow_server_times_out(httpserver, tmp_path):
    def slow(_request):
        time.sleep(1.0)
        return Response(b"late")

    httpserver.expect_request("/repo/base/kernel.zip").respond_with_handler(slow)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, httpserver.url_for("/repo"), downloader={"read_timeout": 0.2, "retries": 0})
    assert "did not answer in time" in str(error.value) and "/repo/base/kernel.zip" in str(error.value)
    assert cached_packages(tmp_path) == []


def test_connection_refused_names_the_url_and_the_alternatives(tmp_path):
    with pytest.raises(DownloadError) as error:
        run(tmp_path, "http://127.0.0.1:9/repo", downloader={"retries": 1})  # port 9 (discard): nothing listens
    message = str(error.value)
    assert "http://127.0.0.1:9/repo/base/kernel.zip" in message and "tried 2 times" in message
    assert "the connection failed: connection refused" in message and "HTTPConnection" not in message
    assert "--mirror" in message and "--packages-dir" in message and "--dos-dir" in message


def test_a_name_that_does_not_resolve_says_so_in_plain_words(tmp_path, monkeypatch):
    def no_dns(host, *args, **kwargs):  # as the resolver answers offline, without asking anyone
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, "http://mkrescue-test.invalid/repo", downloader={"retries": 0})
    message = str(error.value)
    assert "the name mkrescue-test.invalid does not resolve (no network, or no DNS)" in message
    assert "Pool" not in message and "Errno" not in message


# --- integrity ------------------------------------------------------------------------------


def test_pinned_hash_mismatch_discards_the_file(httpserver, tmp_path):
    mirror = serve(httpserver, package_zips())
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror, pins={"kernel": "0" * 64})
    assert "base/kernel.zip" in str(error.value) and "0" * 64 in str(error.value) and "pins" in str(error.value)
    assert cached_packages(tmp_path) == [] and leftovers(tmp_path) == []
    assert not (tmp_path / "lock.json").exists()


def test_pinned_hash_match_records_nothing(httpserver, tmp_path):
    zips = package_zips()
    lines: list[str] = []
    run(tmp_path, serve(httpserver, zips), pins={"kernel": sha256(zips["base/kernel.zip"])}, lines=lines)
    lock = json.loads((tmp_path / "lock.json").read_text())
    assert "base/kernel.zip" not in lock["packages"] and "base/freecom.zip" in lock["packages"]
    assert "recorded" not in lines[0] and "recorded new hash" in lines[1]


def test_lock_file_records_the_first_hash_and_enforces_it(httpserver, tmp_path):
    zips = package_zips()
    run(tmp_path, serve(httpserver, zips))
    lock = json.loads((tmp_path / "lock.json").read_text())
    assert {key: entry["sha256"] for key, entry in lock["packages"].items()} == {k: sha256(v) for k, v in zips.items()}

    # The server now serves another kernel.zip, and this cache has lost its copy.
    httpserver.clear()
    changed = dict(zips, **{"base/kernel.zip": make_zip({**PACKAGE_MEMBERS["base/kernel.zip"], "BIN/KERNL386.SYS": b"EVIL"})})
    mirror = serve(httpserver, changed)
    (tmp_path / "packages" / "base" / "kernel.zip").unlink()
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror)
    assert str(tmp_path / "lock.json") in str(error.value) and sha256(zips["base/kernel.zip"]) in str(error.value)
    assert "base/kernel.zip" not in cached_packages(tmp_path) and leftovers(tmp_path) == []


def test_deleting_the_lock_file_accepts_the_cached_files_again(httpserver, tmp_path):
    mirror = serve(httpserver, package_zips())
    first = run(tmp_path, mirror)
    (tmp_path / "lock.json").unlink()
    lines: list[str] = []
    assert run(tmp_path, mirror, lines=lines) == first
    assert all("recorded new hash" in line for line in lines) and len(httpserver.log) == 3


def test_damaged_lock_file_is_one_clear_error(tmp_path):
    Cache(tmp_path).lock_path.write_text("{not json")
    with pytest.raises(IntegrityError) as error:
        Cache(tmp_path).recorded("base/kernel.zip")
    assert "lock.json" in str(error.value) and "delete it" in str(error.value)


def _record_many(root: str, worker: int) -> None:
    cache = Cache(Path(root))
    for n in range(15):
        cache.record(f"base/w{worker}p{n}.zip", f"{worker:02x}{n:02x}".ljust(64, "0"), n, "test")


def test_fetches_at_once_keep_every_recorded_hash(tmp_path):
    import multiprocessing

    workers = [multiprocessing.Process(target=_record_many, args=(str(tmp_path), w)) for w in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [worker.exitcode for worker in workers] == [0] * 6
    assert len(Cache(tmp_path).lock_entries()) == 6 * 15


def test_a_different_hash_recorded_meanwhile_is_refused(tmp_path):
    Cache(tmp_path).record("base/kernel.zip", "a" * 64, 10, "https://one.example")
    Cache(tmp_path).record("base/kernel.zip", "a" * 64, 10, "https://two.example")  # the same file: fine
    with pytest.raises(IntegrityError, match="another mkrescue .* recorded a{64} from https://one.example"):
        Cache(tmp_path).record("base/kernel.zip", "b" * 64, 10, "https://two.example")
    assert Cache(tmp_path).recorded("base/kernel.zip").sha256 == "a" * 64


def test_zip_with_a_dotdot_member_is_refused(httpserver, tmp_path):
    zips = package_zips()
    zips["base/kernel.zip"] = make_zip({**PACKAGE_MEMBERS["base/kernel.zip"], "../../evil.bat": b"echo pwned"})
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, serve(httpserver, zips))
    assert "'..'" in str(error.value) and "evil.bat" in str(error.value)
    assert cached_packages(tmp_path) == [] and not (tmp_path.parent / "evil.bat").exists()
    assert not (tmp_path / "lock.json").exists()


def test_zip_with_an_absolute_member_is_refused(httpserver, tmp_path):
    zips = package_zips()
    zips["base/choice.zip"] = make_zip({**PACKAGE_MEMBERS["base/choice.zip"], "/etc/evil": b"x"})
    with pytest.raises(IntegrityError, match="absolute"):
        run(tmp_path, serve(httpserver, zips))
    assert "base/choice.zip" not in cached_packages(tmp_path)


def test_zip_with_an_oversized_member_is_refused(httpserver, tmp_path):
    big = b"\xeb" + bytes(MAX_MEMBER_BYTES)  # stored, not deflated: only its size is wrong
    zips = package_zips()
    zips["base/kernel.zip"] = make_zip({**PACKAGE_MEMBERS["base/kernel.zip"], "BIN/KERNL386.SYS": big},
                                       compression=zipfile.ZIP_STORED)
    with pytest.raises(IntegrityError, match=f"{len(big)} bytes"):
        run(tmp_path, serve(httpserver, zips))
    assert cached_packages(tmp_path) == [] and leftovers(tmp_path) == []
    assert list((tmp_path / "dos").iterdir()) == [] and not (tmp_path / "lock.json").exists()


def test_an_html_page_instead_of_a_zip_is_refused(httpserver, tmp_path):
    zips = package_zips()
    zips["base/kernel.zip"] = b"<html>Moved to our new site</html>"
    with pytest.raises(IntegrityError, match="not a readable zip"):
        run(tmp_path, serve(httpserver, zips))
    assert cached_packages(tmp_path) == [] and not (tmp_path / "lock.json").exists()


def test_a_package_without_the_catalogued_member_is_refused(httpserver, tmp_path):
    zips = package_zips()
    zips["base/kernel.zip"] = make_zip({"BIN/KERNEL.SYS": KERNEL_BYTES, "DOC/KERNEL/COPYING": b"GPL"})
    with pytest.raises(IntegrityError, match="has no BIN/KERNL386.SYS"):
        run(tmp_path, serve(httpserver, zips))
    assert cached_packages(tmp_path) == []


# --- other sources ---------------------------------------------------------------------------


def test_offline_with_an_empty_cache_says_what_to_use(httpserver, tmp_path):
    with pytest.raises(DownloadError) as error:
        run(tmp_path, serve(httpserver, package_zips()), offline=True)
    message = str(error.value)
    assert "\n" not in message and "offline" in message and "base/kernel.zip" in message
    assert "--packages-dir" in message and "--dos-dir" in message and "--mirror" in message
    assert httpserver.log == []


def test_packages_dir_in_freedos_media_layout_needs_no_network(tmp_path):
    local = tmp_path / "media" / "PACKAGES"
    for path, data in package_zips().items():
        group, name = path.split("/")
        (local / group.upper()).mkdir(parents=True, exist_ok=True)
        (local / group.upper() / name.upper()).write_bytes(data)
    lines: list[str] = []
    dos = run(tmp_path / "cache", None, packages_dir=local, offline=True, lines=lines)
    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES
    assert all("copied from" in line and str(local) in line for line in lines)
    # Copied into the cache: the next run needs neither the directory nor the network.
    assert run(tmp_path / "cache", None, offline=True) == dos


def test_packages_dir_flat_layout_and_fallback_to_download(httpserver, tmp_path):
    zips = package_zips()
    local = tmp_path / "zips"
    local.mkdir()
    (local / "kernel.zip").write_bytes(zips["base/kernel.zip"])
    lines: list[str] = []
    run(tmp_path / "cache", serve(httpserver, zips), packages_dir=local, lines=lines)
    assert "copied from" in lines[0] and "downloaded from" in lines[1]
    assert requests_for(httpserver, "base/kernel.zip") == 0


def test_packages_dir_missing_a_package_offline(tmp_path):
    local = tmp_path / "zips"
    local.mkdir()
    with pytest.raises(DownloadError, match="not in --packages-dir"):
        run(tmp_path / "cache", None, packages_dir=local, offline=True)


def test_bad_mirror_and_packages_dir_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="--mirror"):
        run(tmp_path, "ftp://example.invalid/freedos")
    with pytest.raises(UsageError, match="--packages-dir"):
        run(tmp_path, None, packages_dir=tmp_path / "nope")


# --- progress -------------------------------------------------------------------------------


def test_quiet_when_not_a_terminal_and_a_bar_when_asked(httpserver, tmp_path, capsys, monkeypatch):
    """The command line shows a bar per download on a terminal only; the downloader itself
    only reports progress to the callback it is given."""
    from mkrescue import cli

    mirror = serve(httpserver, package_zips())
    run(tmp_path / "a", mirror, downloader={"progress": cli._download_progress()})  # stderr is not a terminal
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    run(tmp_path / "b", mirror, downloader={"progress": cli._download_progress()})
    assert "Downloading base/kernel.zip" in capsys.readouterr().err


def test_default_cache_dir_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "mkrescue" / "freedos"


def test_stale_work_in_tmp_is_removed_and_fresh_work_kept(tmp_path):
    cache = Cache(tmp_path)
    stale, fresh = cache.root / "tmp" / "old.part", cache.root / "tmp" / "new.part"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(stale, (time.time() - 3 * 24 * 3600,) * 2)
    Cache(tmp_path)
    assert not stale.exists() and fresh.exists()
