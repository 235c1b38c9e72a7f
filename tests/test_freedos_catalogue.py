"""The shipped catalogues (one per FreeDOS release) are valid and describe the files the DOS dir
needs, with the public hashes pinned; broken ones are refused."""

from __future__ import annotations

import copy

import pytest

from mkrescue.freedos import catalogue
from mkrescue.freedos.dosdir import CHOICE_NAMES, RAMDISK_DRIVERS, SHELL_NAMES, XMS_NAMES


@pytest.mark.parametrize("release", catalogue.RELEASES)
def test_the_shipped_catalogues_load(release):
    cat = catalogue.load(release)
    assert cat.release == release and cat.title == f"FreeDOS {release}"
    assert cat.base_url == f"https://www.ibiblio.org/pub/micro/pc-stuff/freedos/files/repositories/{release}"
    assert cat.fallback_urls == (f"https://ibiblio.org/pub/micro/pc-stuff/freedos/files/repositories/{release}",)
    targets = {f.target for p in cat.packages for f in p.files}
    assert "BIN/KERNEL.SYS" in targets
    for names in (SHELL_NAMES, CHOICE_NAMES, XMS_NAMES):
        assert any(f"BIN/{n}" in targets for n in names)
    assert any(all(f"BIN/{n}" in targets for n in files) for files in RAMDISK_DRIVERS.values())
    kernel = next(p for p in cat.packages if p.name == "kernel")
    assert kernel.path == "base/kernel.zip" and kernel.licence_target == "LICENSES/KERNEL.TXT"
    assert all(p.licence_text and p.sources.in_package and p.sources.elsewhere and p.lsm for p in cat.packages)
    assert kernel.pkg_info_path == "pkg-info/kernel.txt"


def test_every_catalogue_file_is_a_release_mkrescue_offers():
    from importlib import resources

    shipped = sorted(f.name for f in resources.files("mkrescue.freedos").iterdir() if f.name.startswith("catalogue-"))
    assert shipped == [f"catalogue-{release}.json" for release in catalogue.RELEASES]
    assert catalogue.DEFAULT_RELEASE in catalogue.RELEASES
    with pytest.raises(ValueError, match="1.3, 1.4"):
        catalogue.load("1.2")


def _pins(release: str) -> dict[str, str]:
    return {p.name: p.pin.sha256 for p in catalogue.load(release).packages if p.pin is not None}


def test_the_public_hashes_are_pinned():
    # Public records of the repository's zips (FREEDOS-NOTES.md, "Update (2026-12)").
    assert _pins("1.3") == {
        "himemx": "ace5462192e2ad47a52bb118a73fdef6914043aa3c9f6cb322334d96715d77a0",
        "kernel": "1efdba830a473891bf4c5c81e1858d86c247a0c2a03f00d69b5f40969c442905",
        "freecom": "25fef0309e94e87b88b634452b780bd2821fb6d94b0d0e149ad97633ea7d6be7",
    }
    assert _pins("1.4") == {"himemx": "99b44e5bbb878105486e172675a460f645cdfb5a86cc1cf1e0e549fa31f29ce6"}
    assert all(p.pin.record for r in catalogue.RELEASES for p in catalogue.load(r).packages if p.pin)


def test_release_specific_names():
    def package(release, name):
        return next(p for p in catalogue.load(release).packages if p.name == name)

    assert package("1.4", "himemx").files[0].member == "BIN/HimemX.exe"  # mixed case in 1.4
    assert package("1.4", "freecom").lsm == ("APPINFO/FREECOM.LSM",)
    assert package("1.3", "freecom").lsm == ("APPINFO/FREECOM.LSM", "APPINFO/COMMAND.LSM")  # 1.3's is unconfirmed


def test_fingerprint_follows_the_content():
    data = _valid()
    first = catalogue.from_dict(data).fingerprint
    data["packages"][0]["pin"] = {"sha256": "a" * 64, "record": "test"}
    assert catalogue.from_dict(data).fingerprint != first


def _valid() -> dict:
    return copy.deepcopy({
        "schema": 2, "release": "r", "title": "FreeDOS r", "base_url": "https://example.invalid/repo/",
        "packages": [{
            "name": "kernel", "group": "base", "licence": "GPL", "lsm": ["APPINFO/KERNEL.LSM"],
            "files": [{"member": "BIN/KERNL386.SYS", "target": "BIN/KERNEL.SYS"}],
            "licence_text": [{"member": "DOC/KERNEL/COPYING"}], "sources": {"elsewhere": "https://e.invalid"},
        }],
    })


def test_base_url_loses_its_trailing_slash():
    assert catalogue.from_dict(_valid()).base_url == "https://example.invalid/repo"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(schema=1), "schema"),
    (lambda d: d.update(base_url="ftp://x"), "http"),
    (lambda d: d.update(fallback_urls=["ftp://x"]), "http"),
    (lambda d: d.update(fallback_urls="https://x"), "fallback_urls"),
    (lambda d: d.pop("title"), "title"),
    (lambda d: d["packages"][0].update(name="Kernel!"), "package name"),
    (lambda d: d["packages"][0].update(pin={"sha256": "ABC", "record": "r"}), "sha256"),
    (lambda d: d["packages"][0].update(pin={"sha256": "a" * 64}), "record"),
    (lambda d: d["packages"][0].update(pin="a" * 64), "pin"),
    (lambda d: d["packages"][0].update(lsm="APPINFO/KERNEL.LSM"), "lsm"),
    (lambda d: d["packages"][0].update(lsm=["../KERNEL.LSM"]), "'..'"),
    (lambda d: d["packages"][0]["files"][0].update(member="../BIN/X"), "'..'"),
    (lambda d: d["packages"][0]["files"][0].update(target="../KERNEL.SYS"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="BIN/kernel.sys"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="BIN/TOOLONGNAME.SYS"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="LICENSES/KERNEL.TXT"), "target"),
    (lambda d: d["packages"][0]["licence_text"][0].update(inner="/abs"), "absolute"),
    (lambda d: d["packages"][0].update(files=[]), "files"),
    (lambda d: d["packages"].append(copy.deepcopy(d["packages"][0])), "twice"),
    (lambda d: d["packages"][0]["files"].append({"member": "BIN/B", "target": "BIN/KERNEL.SYS"}), "twice"),
    (lambda d: d["packages"][0].update(licence=""), "licence"),
    (lambda d: d["packages"][0].update(sources={}), "sources"),
    (lambda d: d["packages"][0].update(sources={"in_package": "../SOURCE/"}), "'..'"),
])
def test_broken_catalogues_are_refused(change, message):
    data = _valid()
    change(data)
    with pytest.raises(ValueError, match=message):
        catalogue.from_dict(data)
