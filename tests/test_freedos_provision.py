"""Provisioning against a FreeDOS repository on 127.0.0.1 (pytest-httpserver, freedos_mirror.py)
with the real layout: group folders, index.lst, pkg-info/<pkg>.txt with each zip's SHA-256, and
stand-in packages the tests make (small zips shaped like FreeDOS packages, fake contents).
No test touches the internet."""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import time
import zipfile
from pathlib import Path

import pytest
from werkzeug import Response

from freedos_mirror import MISSING, lsm, make_zip, pkg_info, serve_repository, sha256
from mkrescue.errors import DownloadError, IntegrityError, UsageError
from mkrescue.freedos import catalogue as catalogue_module
from mkrescue.freedos.cache import Cache, default_cache_dir
from mkrescue.freedos.dosdir import locate
from mkrescue.freedos.download import Downloader
from mkrescue.freedos.extract import MAX_MEMBER_BYTES
from mkrescue.freedos.provision import provision

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
        "APPINFO/FREECOM.LSM": lsm("FreeCom", "0.86a"),
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
    "schema": 2,
    "release": "1.3",
    "title": "Test FreeDOS 1.3",
    "base_url": "http://repository.invalid/1.3",
    "notice": ["Stand-in packages for tests."],
    "packages": [
        {
            "name": "kernel", "group": "base", "licence": "GPL v2", "lsm": ["APPINFO/KERNEL.LSM"],
            "files": [{"member": "BIN/KERNL386.SYS", "target": "BIN/KERNEL.SYS"}],
            "licence_text": [{"member": "DOC/KERNEL/COPYING"}],
            "sources": {"in_package": "SOURCE/KERNEL/", "elsewhere": "https://example.invalid/kernel"},
        },
        {
            "name": "freecom", "group": "base", "licence": "GPL v2", "lsm": ["APPINFO/FREECOM.LSM", "APPINFO/COMMAND.LSM"],
            "files": [{"member": "BIN/COMMAND.COM", "target": "BIN/COMMAND.COM"}],
            "licence_text": [{"member": "SOURCE/FREECOM/SOURCES.ZIP", "inner": "license"}, {"member": "APPINFO/FREECOM.LSM"}],
            "sources": {"in_package": "SOURCE/FREECOM/SOURCES.ZIP"},
        },
        {
            "name": "choice", "group": "base", "licence": "GPL v2", "lsm": ["APPINFO/CHOICE.LSM"],
            "files": [{"member": "BIN/CHOICE.EXE", "target": "BIN/CHOICE.EXE"}],
            "licence_text": [{"member": "APPINFO/CHOICE.LSM"}],
            "sources": {"in_package": "SOURCE/CHOICE/", "elsewhere": "https://example.invalid/choice"},
        },
    ],
}


def package_zips() -> dict[str, bytes]:
    return {path: make_zip(members) for path, members in PACKAGE_MEMBERS.items()}


def catalogue_dict(pins: dict[str, str] | None = None, urls: list[str] | None = None) -> dict:
    """The test catalogue; `pins` maps a package name to the SHA-256 it pins; `urls`: the repository's hosts."""
    data = copy.deepcopy(CATALOGUE)
    for package in data["packages"]:
        if package["name"] in (pins or {}):
            package["pin"] = {"sha256": pins[package["name"]], "record": "a test's public record"}
    if urls:
        data["base_url"], data["fallback_urls"] = urls[0], urls[1:]
    return data


# --- helpers -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)  # loopback by address, not by a name that could resolve elsewhere


FAST = {"retries": 2, "backoff": 0.0, "connect_timeout": 2.0, "read_timeout": 2.0, "progress": None}


def serve(httpserver, zips: dict[str, bytes], pkg_infos: dict[str, bytes | None] | None = None,
          prefix: str = "/repo") -> str:
    """Serve the zips in the real layout under /repo, by default each with a pkg-info that vouches for it."""
    return serve_repository(httpserver, zips, prefix, pkg_infos)


def no_pkg_info(zips: dict[str, bytes]) -> dict[str, None]:
    """A repository without pkg-info for any of the zips (404)."""
    return {path.split("/")[1].removesuffix(".zip"): MISSING for path in zips}


def run(cache: Path, mirror: str | None = None, pins: dict[str, str] | None = None, lines: list[str] | None = None,
        urls: list[str] | None = None, **kwargs):
    downloader = Downloader(**{**FAST, **kwargs.pop("downloader", {})})
    report = lines.append if lines is not None else (lambda line: None)
    return provision(cache, mirror=mirror, catalogue=catalogue_module.from_dict(catalogue_dict(pins, urls)),
                     downloader=downloader, report=report, **kwargs)


def requests_for(httpserver, path: str, prefix: str = "/repo") -> int:
    return sum(1 for request, _ in httpserver.log if request.path == f"{prefix}/{path}")


def zip_requests(httpserver) -> int:
    return sum(1 for request, _ in httpserver.log if request.path.endswith(".zip"))


def cached_packages(cache: Path) -> list[str]:
    """The zips in the cache, as <group>/<pkg>.zip of the test catalogue's release."""
    root = cache / "packages" / "1.3"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def lock(cache: Path) -> dict:
    return json.loads((cache / "lock.json").read_text())["packages"] if (cache / "lock.json").exists() else {}


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
    assert "Version:  2043 (from APPINFO/KERNEL.LSM)\r\n" in text  # read from the package, not the catalogue
    assert "Version:  4.4 (from APPINFO/CHOICE.LSM)\r\n" in text  # though the zip names it appinfo/choice.lsm
    # Sources: said to be in the package only where they are.
    assert "Sources:  SOURCE/FREECOM/SOURCES.ZIP inside this same package\r\n" in text
    assert "Sources:  not inside this package; https://example.invalid/kernel\r\n" in text
    assert "Sources:  not inside this package; https://example.invalid/choice\r\n" in text

    # One line per package: its version from the LSM, its hash, how it was verified, where it came from.
    assert lines == [
        f"{path}: version {version}, SHA-256 {sha256(data)}, verified by pkg-info; recorded in {tmp_path / 'lock.json'};"
        f" downloaded from {httpserver.url_for('/repo/' + path)}"
        for (path, data), version in zip(zips.items(), ("2043", "0.86a", "4.4"), strict=True)
    ]
    assert {key: (entry["sha256"], entry["verified"]) for key, entry in lock(tmp_path).items()} == {
        f"1.3/{path}": (sha256(data), "pkg-info") for path, data in zips.items()}
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
    assert len(httpserver.log) == requests_before == 6  # three zips, three pkg-info files
    assert lines[0].startswith("base/kernel.zip: version 2043, SHA-256 ")
    assert all(line.endswith("verified by lock.json (pkg-info, " + time.strftime("%Y-%m-%d", time.gmtime()) + "); cached")
               for line in lines) and len(lines) == 3


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
    assert zip_requests(httpserver) == 3


def test_a_damaged_cached_zip_is_fetched_again(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips)
    run(tmp_path, mirror)
    (tmp_path / "packages" / "1.3" / "base" / "kernel.zip").write_bytes(b"garbage")
    lines: list[str] = []
    run(tmp_path, mirror, lines=lines)
    assert lines[0] == "base/kernel.zip: the cached copy no longer matches its hash: discarded, fetching it again"
    assert requests_for(httpserver, "base/kernel.zip") == 2
    assert (tmp_path / "packages" / "1.3" / "base" / "kernel.zip").read_bytes() == zips["base/kernel.zip"]


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


def test_500_then_success_is_retried_and_the_user_told(httpserver, tmp_path):
    zips = package_zips()
    httpserver.expect_oneshot_request("/repo/base/kernel.zip").respond_with_data("busy", status=500)
    mirror = serve(httpserver, zips)
    lines: list[str] = []
    dos = run(tmp_path, mirror, lines=lines, downloader={"backoff": 0.25})
    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES
    assert requests_for(httpserver, "base/kernel.zip") == 2
    assert lines[0] == f"{mirror}/base/kernel.zip: HTTP 500 INTERNAL SERVER ERROR; trying again in 0.25 s (2 of 3 tries)"
    assert lines[1].startswith("base/kernel.zip: version 2043, ")


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


def test_a_name_that_does_not_resolve_says_so_in_plain_words_at_once(tmp_path, monkeypatch):
    asked = []

    def no_dns(host, *args, **kwargs):  # as the resolver answers offline, without asking anyone
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, "http://mkrescue-test.invalid/repo", downloader={"retries": 3, "backoff": 60.0})
    message = str(error.value)
    assert message.startswith("could not download http://mkrescue-test.invalid/repo/base/kernel.zip: the name"
                              " mkrescue-test.invalid does not resolve (no network, or no DNS); check the network")
    assert "Pool" not in message and "Errno" not in message
    assert asked == ["mkrescue-test.invalid"]  # no retries: the same resolver gives the same answer


# --- integrity ------------------------------------------------------------------------------


def refused(cache: Path, error: pytest.ExceptionInfo) -> str:
    """The refusal's message, after checking it is one line and that nothing of the refused file was kept."""
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message
    assert "base/kernel.zip" not in cached_packages(cache) and leftovers(cache) == []
    assert "1.3/base/kernel.zip" not in lock(cache)
    assert not (cache / "dos").exists() or list((cache / "dos").iterdir()) == []
    return message


EVIL_KERNEL = make_zip({**PACKAGE_MEMBERS["base/kernel.zip"], "BIN/KERNL386.SYS": b"EVIL"})


def test_a_download_the_repository_checksum_disagrees_with_is_refused(httpserver, tmp_path):
    zips = package_zips()
    # The server sends an altered kernel.zip; its pkg-info still has the true zip's hash.
    mirror = serve(httpserver, dict(zips, **{"base/kernel.zip": EVIL_KERNEL}),
                   pkg_infos={"kernel": pkg_info("kernel", sha256(zips["base/kernel.zip"]))})
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror)
    message = refused(tmp_path, error)
    assert message == (f"base/kernel.zip from {mirror}/base/kernel.zip has SHA-256 {sha256(EVIL_KERNEL)}, but the"
                       f" repository's checksum ({mirror}/pkg-info/kernel.txt) says {sha256(zips['base/kernel.zip'])}:"
                       " the download is damaged or not the file the repository publishes; nothing was kept; try again"
                       " later or from another --mirror, or --packages-dir with packages you trust (e.g. from the"
                       " FreeDOS release's CD), --dos-dir with FreeDOS files you have, or an updated mkrescue")
    assert not (tmp_path / "lock.json").exists()


def test_pin_and_repository_checksum_agreeing_verify_and_record_nothing(httpserver, tmp_path):
    zips = package_zips()
    lines: list[str] = []
    run(tmp_path, serve(httpserver, zips), pins={"kernel": sha256(zips["base/kernel.zip"])}, lines=lines)
    assert "1.3/base/kernel.zip" not in lock(tmp_path) and "1.3/base/freecom.zip" in lock(tmp_path)
    assert ", verified by pin + pkg-info; downloaded from " in lines[0]
    assert ", verified by pkg-info; recorded in " in lines[1]


def test_a_missing_pkg_info_leaves_the_pin(httpserver, tmp_path):
    zips = package_zips()
    lines: list[str] = []
    mirror = serve(httpserver, zips, pkg_infos=no_pkg_info(zips))
    run(tmp_path, mirror, pins={"kernel": sha256(zips["base/kernel.zip"])}, lines=lines)
    assert f", verified by pin ({mirror}/pkg-info/kernel.txt answered HTTP 404 NOT FOUND); downloaded" in lines[0]
    assert requests_for(httpserver, "pkg-info/kernel.txt") == 1  # a 404 is an answer: not retried


def test_without_pkg_info_or_pin_the_first_download_is_recorded_as_first_use(httpserver, tmp_path):
    zips = package_zips()
    # freecom: no pkg-info at all; choice: a pkg-info without a SHA line.
    mirror = serve(httpserver, zips, pkg_infos={"freecom": MISSING, "choice": b"Package: choice\r\nSHA: none\r\n"})
    lines: list[str] = []
    run(tmp_path, mirror, lines=lines)
    assert ", verified by pkg-info; recorded in " in lines[0]
    assert (f", verified by first use ({mirror}/pkg-info/freecom.txt answered HTTP 404 NOT FOUND); recorded in"
            f" {tmp_path / 'lock.json'}; downloaded") in lines[1]
    assert (f"verified by first use ({mirror}/pkg-info/choice.txt has no 'SHA: <sha256>' line); recorded in"
            f" {tmp_path / 'lock.json'}; downloaded") in lines[2]
    assert {key: entry["verified"] for key, entry in lock(tmp_path).items()} == {
        "1.3/base/kernel.zip": "pkg-info", "1.3/base/freecom.zip": "first use", "1.3/base/choice.zip": "first use"}


def test_a_rebuilt_package_pin_against_pkg_info_is_explained_and_refused(httpserver, tmp_path):
    zips = package_zips()
    old = sha256(make_zip({**PACKAGE_MEMBERS["base/kernel.zip"], "BIN/KERNL86.SYS": b"as published in 2022"}))
    mirror = serve(httpserver, zips)  # the repository's pkg-info vouches for what it serves now
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror, pins={"kernel": old})
    message = refused(tmp_path, error)
    assert message == (f"base/kernel.zip from {mirror}/base/kernel.zip has SHA-256 {sha256(zips['base/kernel.zip'])},"
                       f" as the repository's checksum ({mirror}/pkg-info/kernel.txt) also says, but mkrescue pins {old}"
                       " for the Test FreeDOS 1.3 package (a test's public record): the repository has rebuilt the"
                       " package since that record, or both the download and its checksum are not what was published;"
                       " mkrescue will not choose between them: nothing was kept; use --packages-dir with packages you"
                       " trust (e.g. from the FreeDOS release's CD), --dos-dir with FreeDOS files you have, or an"
                       " updated mkrescue")
    assert not (tmp_path / "lock.json").exists()


def test_the_pinned_file_with_a_newer_pkg_info_is_refused_too(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips, pkg_infos={"kernel": pkg_info("kernel", sha256(EVIL_KERNEL))})
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror, pins={"kernel": sha256(zips["base/kernel.zip"])})
    message = refused(tmp_path, error)
    assert "the Test FreeDOS 1.3 package as published (a test's public record), but the repository's checksum" in message
    assert sha256(EVIL_KERNEL) in message and sha256(zips["base/kernel.zip"]) in message
    assert "rebuilt the package and this server still sends the old one" in message


def test_a_pin_mismatch_without_pkg_info_is_refused(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips, pkg_infos=no_pkg_info(zips))
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror, pins={"kernel": "0" * 64})
    message = refused(tmp_path, error)
    assert f"has SHA-256 {sha256(zips['base/kernel.zip'])}, but mkrescue pins {'0' * 64} for the Test" in message
    assert f"; the repository gives no checksum to compare ({mirror}/pkg-info/kernel.txt answered HTTP 404" in message
    assert "the file is not what was published, or the repository has rebuilt the package since" in message
    assert "--packages-dir" in message and "--dos-dir" in message and "updated mkrescue" in message
    assert not (tmp_path / "lock.json").exists()


def test_lock_file_records_the_first_hash_and_enforces_it(httpserver, tmp_path):
    zips = package_zips()
    run(tmp_path, serve(httpserver, zips, pkg_infos=no_pkg_info(zips)))
    assert {key: entry["sha256"] for key, entry in lock(tmp_path).items()} == {
        f"1.3/{k}": sha256(v) for k, v in zips.items()}

    # The server now serves another kernel.zip (still no pkg-info), and this cache has lost its copy.
    httpserver.clear()
    mirror = serve(httpserver, dict(zips, **{"base/kernel.zip": EVIL_KERNEL}), pkg_infos=no_pkg_info(zips))
    (tmp_path / "packages" / "1.3" / "base" / "kernel.zip").unlink()
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror)
    message = str(error.value)
    assert "\n" not in message and str(tmp_path / "lock.json") in message
    assert sha256(zips["base/kernel.zip"]) in message and "the source sends another file than before" in message
    assert "base/kernel.zip" not in cached_packages(tmp_path) and leftovers(tmp_path) == []
    assert lock(tmp_path)["1.3/base/kernel.zip"]["sha256"] == sha256(zips["base/kernel.zip"])


def test_a_package_rebuilt_after_it_was_recorded_is_explained(httpserver, tmp_path):
    zips = package_zips()
    run(tmp_path, serve(httpserver, zips))
    httpserver.clear()
    mirror = serve(httpserver, dict(zips, **{"base/kernel.zip": EVIL_KERNEL}))  # pkg-info vouches for the new zip
    (tmp_path / "packages" / "1.3" / "base" / "kernel.zip").unlink()
    with pytest.raises(IntegrityError) as error:
        run(tmp_path, mirror)
    message = str(error.value)
    assert "as the repository's checksum" in message and "the repository has rebuilt the package since" in message
    assert f"this cache recorded {sha256(zips['base/kernel.zip'])}" in message and "(verified by pkg-info)" in message
    assert "delete its entry there and fetch again" in message
    assert lock(tmp_path)["1.3/base/kernel.zip"]["sha256"] == sha256(zips["base/kernel.zip"])


def test_deleting_the_lock_file_accepts_the_cached_files_again(httpserver, tmp_path):
    mirror = serve(httpserver, package_zips())
    first = run(tmp_path, mirror)
    (tmp_path / "lock.json").unlink()
    lines: list[str] = []
    assert run(tmp_path, mirror, lines=lines) == first
    assert all(f"verified by first use; recorded again in {tmp_path / 'lock.json'}; cached" in line for line in lines)
    assert zip_requests(httpserver) == 3 and len(lines) == 3


A_SHA = "ab" * 32


@pytest.mark.parametrize("text, sha, missing", [
    (f"SHA: {A_SHA}\n".encode(), A_SHA, ""),
    (f"Title: x\r\nSHA:\t{A_SHA.upper()}  \r\nEnd\r\n".encode(), A_SHA, ""),  # CRLF, a tab, upper case
    (f"SHA: {A_SHA}\nSHA: {A_SHA}\n".encode(), A_SHA, ""),  # the same hash twice is one hash
    (f"SHA: {A_SHA}\nSHA: {'cd' * 32}\n".encode(), None, "has 2 different SHA lines"),
    (f"SHA256: {A_SHA}\n".encode(), None, "has no 'SHA: <sha256>' line"),
    (f"SHA: {A_SHA[:-1]}\n".encode(), None, "has no 'SHA: <sha256>' line"),  # 63 digits
    (b"<html>moved</html>", None, "has no 'SHA: <sha256>' line"),
    (b"", None, "has no 'SHA: <sha256>' line"),
])
def test_what_a_pkg_info_file_says(httpserver, tmp_path, text, sha, missing):
    from mkrescue.freedos.repository import Repository

    httpserver.expect_request("/repo/pkg-info/kernel.txt").respond_with_data(text)
    found = Repository([httpserver.url_for("/repo")], Downloader(**FAST), print).pkg_info("pkg-info/kernel.txt",
                                                                                           tmp_path / "t")
    assert found.url == httpserver.url_for("/repo/pkg-info/kernel.txt") and found.sha256 == sha
    assert found.missing == (f"{found.url} {missing}" if missing else "")


def test_a_huge_pkg_info_is_refused(httpserver, tmp_path):
    zips = package_zips()
    mirror = serve(httpserver, zips, pkg_infos={"kernel": b"x" * (64 * 1024 + 1)})
    with pytest.raises(DownloadError, match="pkg-info/kernel.txt is 65537 bytes, far more than a FreeDOS repository file"):
        run(tmp_path, mirror)
    assert cached_packages(tmp_path) == [] and not (tmp_path / "lock.json").exists()


def test_a_lock_file_from_before_pkg_info_checks_still_reads(tmp_path):
    entry = {"sha256": "a" * 64, "size": 1, "source": "https://x.invalid/base/kernel.zip", "recorded": "2026-01-01T00:00:00Z"}
    Cache(tmp_path).lock_path.write_text(json.dumps({"version": 1, "packages": {"1.3/base/kernel.zip": entry}}))
    assert Cache(tmp_path).recorded("1.3/base/kernel.zip").verified == "first use"


def test_damaged_lock_file_is_one_clear_error(tmp_path):
    Cache(tmp_path).lock_path.write_text("{not json")
    with pytest.raises(IntegrityError) as error:
        Cache(tmp_path).recorded("base/kernel.zip")
    assert "lock.json" in str(error.value) and "delete it" in str(error.value)


def _record_many(root: str, worker: int) -> None:
    cache = Cache(Path(root))
    for n in range(15):
        cache.record(f"base/w{worker}p{n}.zip", f"{worker:02x}{n:02x}".ljust(64, "0"), n, "test", "first use")


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
    Cache(tmp_path).record("base/kernel.zip", "a" * 64, 10, "https://one.example", "pkg-info")
    Cache(tmp_path).record("base/kernel.zip", "a" * 64, 10, "https://two.example", "pkg-info")  # the same file: fine
    with pytest.raises(IntegrityError, match="another mkrescue .* recorded a{64} from https://one.example"):
        Cache(tmp_path).record("base/kernel.zip", "b" * 64, 10, "https://two.example", "pkg-info")
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


# --- the repository's second host, the overall time limit ----------------------------------


def test_a_host_answering_403_gives_way_to_the_next_and_the_user_is_told(httpserver, tmp_path):
    zips = package_zips()
    httpserver.expect_request(re.compile("^/www/")).respond_with_data("Forbidden", status=403)
    alternative = serve(httpserver, zips, prefix="/alt")
    www = httpserver.url_for("/www")
    lines: list[str] = []
    dos = run(tmp_path, urls=[www, alternative], lines=lines)
    assert lines[0] == f"{www}/base/kernel.zip answered HTTP 403 FORBIDDEN; trying {alternative} instead"
    assert lines[1].startswith("base/kernel.zip: version 2043, ") and lines[1].endswith(
        f"verified by pkg-info; recorded in {tmp_path / 'lock.json'}; downloaded from {alternative}/base/kernel.zip")
    assert len(lines) == 4
    # The host that worked serves the rest of the run: the first one was asked once.
    assert sum(1 for request, _ in httpserver.log if request.path.startswith("/www/")) == 1
    # The medium names the official repository, whichever host served it.
    assert f"Package:  {www}/base/kernel.zip" in (dos / "LICENSES" / "SOURCES.TXT").read_text()


def test_a_host_that_refuses_connections_gives_way_to_the_next(httpserver, tmp_path):
    alternative = serve(httpserver, package_zips(), prefix="/alt")
    lines: list[str] = []
    dos = run(tmp_path, urls=["http://127.0.0.1:9/repo", alternative], lines=lines, downloader={"retries": 0})
    assert lines[0] == ("http://127.0.0.1:9/repo/base/kernel.zip failed (the connection failed: connection refused);"
                        f" trying {alternative} instead")
    assert (dos / "BIN" / "KERNEL.SYS").read_bytes() == KERNEL_BYTES


def test_a_busy_host_is_retried_before_the_next_is_tried(httpserver, tmp_path):
    httpserver.expect_request(re.compile("^/www/")).respond_with_data("busy", status=503)
    alternative = serve(httpserver, package_zips(), prefix="/alt")
    lines: list[str] = []
    run(tmp_path, urls=[httpserver.url_for("/www"), alternative], lines=lines)
    www = httpserver.url_for("/www")
    assert lines[:3] == [
        f"{www}/base/kernel.zip: HTTP 503 SERVICE UNAVAILABLE; trying again in 0 s (2 of 3 tries)",
        f"{www}/base/kernel.zip: HTTP 503 SERVICE UNAVAILABLE; trying again in 0 s (3 of 3 tries)",
        f"{www}/base/kernel.zip answered HTTP 503 SERVICE UNAVAILABLE (tried 3 times); trying {alternative} instead"]
    assert sum(1 for request, _ in httpserver.log if request.path.startswith("/www/")) == 3


def test_a_404_is_about_the_file_not_the_host(httpserver, tmp_path):
    httpserver.expect_request(re.compile("^/www/")).respond_with_data("Not Found", status=404)
    alternative = serve(httpserver, package_zips(), prefix="/alt")
    with pytest.raises(DownloadError, match="/www/base/kernel.zip: HTTP 404"):
        run(tmp_path, urls=[httpserver.url_for("/www"), alternative])
    assert not any(request.path.startswith("/alt/") for request, _ in httpserver.log)


def test_when_every_host_fails_the_message_names_each(httpserver, tmp_path):
    httpserver.expect_request(re.compile("^/www/")).respond_with_data("Forbidden", status=403)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, urls=[httpserver.url_for("/www"), "http://127.0.0.1:9/repo"], downloader={"retries": 0})
    assert str(error.value) == (f"could not download base/kernel.zip: {httpserver.url_for('/www')}/base/kernel.zip"
                                " answered HTTP 403 FORBIDDEN; http://127.0.0.1:9/repo/base/kernel.zip failed (the"
                                " connection failed: connection refused); check the network, or use --mirror URL,"
                                " --packages-dir DIR (the .zip packages) or --dos-dir DIR (FreeDOS files)")
    assert cached_packages(tmp_path) == [] and not (tmp_path / "lock.json").exists()


def test_a_mirror_is_used_alone(httpserver, tmp_path):
    httpserver.expect_request(re.compile("^/www/")).respond_with_data("Forbidden", status=403)
    alternative = serve(httpserver, package_zips(), prefix="/alt")
    with pytest.raises(DownloadError, match="HTTP 403"):
        run(tmp_path, httpserver.url_for("/www"), urls=["http://repository.invalid/1.3", alternative])
    assert not any(request.path.startswith("/alt/") for request, _ in httpserver.log)


def test_the_overall_time_limit_ends_a_trickling_download(httpserver, tmp_path):
    def trickle(_request):
        def body():
            for _ in range(200):  # 200 small chunks, each after a pause, far longer than the limit in all
                time.sleep(0.05)
                yield b"x" * 10
        return Response(body(), headers={"Content-Length": "2000"}, direct_passthrough=True)

    httpserver.expect_request("/repo/base/kernel.zip").respond_with_handler(trickle)
    with pytest.raises(DownloadError) as error:
        run(tmp_path, httpserver.url_for("/repo"), downloader={"time_limit": 0.5, "read_timeout": 5.0})
    assert str(error.value).startswith(f"gave up on {httpserver.url_for('/repo/base/kernel.zip')}: the downloads took"
                                       " more than the 0.5 s allowed in all (the server is too slow)")
    assert cached_packages(tmp_path) == [] and leftovers(tmp_path) == []


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
