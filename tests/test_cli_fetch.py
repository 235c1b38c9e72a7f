"""`mkrescue fetch` and a build without --dos-dir, through the CLI, against a FreeDOS repository
on 127.0.0.1 with the real layout (freedos_mirror.py) serving stand-in zips shaped as the
shipped catalogues say, member names in the cases real packages use."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from build_fixtures import files_limited_to
from build_fixtures import run_mkrescue as mkrescue
from freedos_mirror import MISSING, lsm, make_zip, pkg_info, serve_repository, sha256
from judges import read_fat_files
from mkrescue.freedos.catalogue import load

HARNESS = Path(__file__).parent / "mkrescue_with_pins.py"


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def stand_in_repository(release: str = "1.3") -> dict[str, bytes]:
    """One zip per catalogue package, holding every member the catalogue names and an LSM
    with a version the catalogue does not know. choice's members are lower case, as some
    real packages have; 1.4's HIMEMX keeps its real mixed-case BIN/HimemX.exe."""
    zips = {}
    for package in load(release).packages:
        members = {entry.member: b"MZ" + f"STAND-IN {entry.target}".encode().ljust(2000, b"\0") for entry in package.files}
        for licence in package.licence_text[:1]:
            text = f"licence of {package.name} (stand-in)\r\n".encode()
            members[licence.member] = make_zip({licence.inner: text}) if licence.inner else text
        members[package.lsm[0]] = lsm(package.name, f"{release}-{package.name}-9")
        if package.name == "choice":
            members = {name.lower(): data for name, data in members.items()}
        zips[package.path] = make_zip(members)
    return zips


def no_pins(release: str = "1.3") -> str:
    return json.dumps({release: {p.name: None for p in load(release).packages}})


def mkrescue_with_pins(pins: str, *args: object, preexec_fn=None) -> subprocess.CompletedProcess:
    """mkrescue in its own process, with the shipped catalogues' pins replaced (mkrescue_with_pins.py)."""
    return subprocess.run([sys.executable, str(HARNESS), pins, *map(str, args)], capture_output=True, text=True,
                          preexec_fn=preexec_fn)


def test_fetch_prints_version_hash_and_verification_then_a_build_uses_the_cache(httpserver, tmp_path, user_files):
    zips = stand_in_repository()
    mirror, cache = serve_repository(httpserver, zips, "/fd", {"choice": MISSING}), tmp_path / "cache"
    pins = json.dumps({"1.3": {"kernel": sha256(zips["base/kernel.zip"]), "freecom": None, "himemx": None}})
    fetched = mkrescue_with_pins(pins, "fetch", "--mirror", mirror, "--cache-dir", cache)
    assert fetched.returncode == 0, fetched.stderr
    lines = fetched.stdout.splitlines()
    lock = cache / "lock.json"
    assert lines[0] == (f"base/kernel.zip: version 1.3-kernel-9, SHA-256 {sha256(zips['base/kernel.zip'])}, verified by"
                        f" pin + pkg-info; downloaded from {mirror}/base/kernel.zip")
    assert lines[1] == (f"base/freecom.zip: version 1.3-freecom-9, SHA-256 {sha256(zips['base/freecom.zip'])}, verified by"
                        f" pkg-info; recorded in {lock}; downloaded from {mirror}/base/freecom.zip")
    assert lines[3] == (f"base/choice.zip: version 1.3-choice-9, SHA-256 {sha256(zips['base/choice.zip'])}, verified by"
                        f" first use ({mirror}/pkg-info/choice.txt answered HTTP 404 NOT FOUND); recorded in {lock};"
                        f" downloaded from {mirror}/base/choice.zip")
    assert len(lines) == 7 and lines[6].startswith("FreeDOS files ready in ")
    requests_after_fetch = len(httpserver.log)

    flasher, firmware = user_files
    out = tmp_path / "rescue.img"
    built = mkrescue_with_pins(pins, "--flasher", flasher, "--fw", firmware, "-o", out, "--cache-dir", cache, "--offline")
    assert built.returncode == 0, built.stderr
    assert len(httpserver.log) == requests_after_fetch  # the build used the cache
    files = read_fat_files(out)
    assert files["KERNEL.SYS"].startswith(b"MZSTAND-IN BIN/KERNEL.SYS")
    assert files["FREEDOS/CHOICE.EXE"].startswith(b"MZSTAND-IN BIN/CHOICE.EXE")  # from bin/choice.exe
    sources = files["FREEDOS/LICENSES/SOURCES.TXT"].decode("ascii")
    assert "FreeDOS components on this medium (FreeDOS 1.3, package repository https://www.ibiblio.org/" in sources
    assert "Version:  1.3-choice-9 (from APPINFO/CHOICE.LSM)\r\n" in sources
    assert "FREEDOS/LICENSES/KERNEL.TXT" in files and b"SOURCES.TXT" in files["README.TXT"]

    again = mkrescue_with_pins(pins, "fetch", "--cache-dir", cache, "--offline")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0].endswith("verified by pin; cached")
    assert again.stdout.splitlines()[1].endswith(f"verified by lock.json (pkg-info, {json.loads(lock.read_text())['packages']['1.3/base/freecom.zip']['recorded'][:10]}); cached")


def test_a_build_against_a_mirror_whose_checksum_disagrees_refuses_in_one_line(httpserver, tmp_path, user_files):
    zips = stand_in_repository()
    wrong = "0123456789abcdef" * 4
    mirror = serve_repository(httpserver, zips, "/fd", {"freecom": pkg_info("freecom", wrong)})
    flasher, firmware = user_files
    out, cache = tmp_path / "rescue.iso", tmp_path / "cache"
    built = mkrescue_with_pins(no_pins(), "--flasher", flasher, "--fw", firmware, "-o", out, "--mirror", mirror,
                               "--cache-dir", cache)
    assert built.returncode == 1 and not out.exists()
    assert built.stderr.splitlines()[-1] == (
        f"mkrescue: error: base/freecom.zip from {mirror}/base/freecom.zip has SHA-256 {sha256(zips['base/freecom.zip'])},"
        f" but the repository's checksum ({mirror}/pkg-info/freecom.txt) says {wrong}: the download is damaged or not"
        " the file the repository publishes; nothing was kept; try again later or from another --mirror, or"
        " --packages-dir with packages you trust (e.g. from the FreeDOS release's CD), --dos-dir with FreeDOS files"
        " you have, or an updated mkrescue")
    assert [line for line in built.stderr.splitlines() if "error" in line] == built.stderr.splitlines()[-1:]
    assert not list((cache / "packages").rglob("freecom.zip"))
    assert "1.3/base/freecom.zip" not in json.loads((cache / "lock.json").read_text())["packages"]  # kernel's is there


def test_the_shipped_pins_refuse_a_repository_that_rebuilt_kernel(httpserver, tmp_path):
    zips = stand_in_repository()  # pkg-info vouches for each stand-in; the real pin cannot match
    mirror = serve_repository(httpserver, zips, "/fd")
    fetched = mkrescue("fetch", "--mirror", mirror, "--cache-dir", tmp_path / "cache")
    assert fetched.returncode == 1 and fetched.stdout == ""
    assert fetched.stderr.splitlines() == [
        f"mkrescue: error: base/kernel.zip from {mirror}/base/kernel.zip has SHA-256 {sha256(zips['base/kernel.zip'])},"
        f" as the repository's checksum ({mirror}/pkg-info/kernel.txt) also says, but mkrescue pins"
        " 1efdba830a473891bf4c5c81e1858d86c247a0c2a03f00d69b5f40969c442905 for the FreeDOS 1.3 package"
        " (Tombatossals-Softworks-LLC/Castalia-DOS scripts/payload.sha256): the repository has rebuilt the package"
        " since that record, or both the download and its checksum are not what was published; mkrescue will not"
        " choose between them: nothing was kept; use --packages-dir with packages you trust (e.g. from the FreeDOS"
        " release's CD), --dos-dir with FreeDOS files you have, or an updated mkrescue"]
    assert not (tmp_path / "cache" / "lock.json").exists()


def test_freedos_1_4_is_selectable_with_its_own_member_names(httpserver, tmp_path):
    zips = stand_in_repository("1.4")
    mirror, cache = serve_repository(httpserver, zips, "/fd14"), tmp_path / "cache"
    fetched = mkrescue_with_pins(no_pins("1.4"), "fetch", "--freedos", "1.4", "--mirror", mirror, "--cache-dir", cache)
    assert fetched.returncode == 0, fetched.stderr
    assert "base/himemx.zip: version 1.4-himemx-9, " in fetched.stdout
    where = Path(fetched.stdout.splitlines()[-1].removeprefix("FreeDOS files ready in "))
    assert (where / "BIN" / "HIMEMX.EXE").read_bytes().startswith(b"MZSTAND-IN BIN/HIMEMX.EXE")  # from BIN/HimemX.exe
    assert "(FreeDOS 1.4, package repository https://www.ibiblio.org/pub/micro/pc-stuff/freedos/files/repositories/1.4)" \
        in (where / "LICENSES" / "SOURCES.TXT").read_text()
    assert sorted(json.loads((cache / "lock.json").read_text())["packages"]) == sorted(f"1.4/{p}" for p in zips)
    # The same cache keeps the releases apart: 1.3 is not satisfied by 1.4's packages.
    offline = mkrescue("fetch", "--freedos", "1.3", "--cache-dir", cache, "--offline")
    assert offline.returncode == 1 and "the FreeDOS 1.3 package base/kernel.zip is not in the cache" in offline.stderr


def test_a_mirror_of_another_release_is_a_usage_error(httpserver, tmp_path):
    result = mkrescue("fetch", "--mirror", httpserver.url_for("/repositories/1.4/"), "--cache-dir", tmp_path / "cache")
    assert result.returncode == 2 and len(httpserver.log) == 0
    assert result.stderr.splitlines() == [
        f"mkrescue: error: --mirror {httpserver.url_for('/repositories/1.4/')} looks like a FreeDOS 1.4 repository,"
        " but the packages asked for are FreeDOS 1.3's: add --freedos 1.4"]


def test_an_unknown_release_is_a_usage_error(tmp_path):
    result = mkrescue("fetch", "--freedos", "1.2", "--cache-dir", tmp_path / "cache")
    assert result.returncode == 2 and "'1.2' is not one of '1.3', '1.4'" in result.stderr


def test_a_cache_that_refuses_writes_is_one_line(httpserver, tmp_path):
    mirror = serve_repository(httpserver, stand_in_repository(), "/fd")
    cache = tmp_path / "cache"
    fetched = mkrescue_with_pins(no_pins(), "fetch", "--mirror", mirror, "--cache-dir", cache,
                                 preexec_fn=files_limited_to(300))  # a disk that takes 300 bytes, then refuses
    assert fetched.returncode == 1 and "Traceback" not in fetched.stderr
    assert fetched.stderr.splitlines() == [f"mkrescue: error: could not put the FreeDOS files into the cache {cache}:"
                                           " file too large; free space there, or choose another folder with --cache-dir"]
    assert not list((cache / "packages").rglob("*.zip")) and not (cache / "lock.json").exists()


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
