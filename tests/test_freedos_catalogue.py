"""The shipped catalogue is valid and describes the files the DOS dir needs; broken ones are refused."""

from __future__ import annotations

import copy

import pytest

from mkrescue.freedos import catalogue
from mkrescue.freedos.dosdir import CHOICE_NAMES, RAMDISK_DRIVERS, SHELL_NAMES, XMS_NAMES


def test_the_shipped_catalogue_loads():
    cat = catalogue.load()
    assert cat.base_url == "https://www.ibiblio.org/pub/micro/pc-stuff/freedos/files/repositories/1.3"
    targets = {f.target for p in cat.packages for f in p.files}
    assert "BIN/KERNEL.SYS" in targets
    for names in (SHELL_NAMES, CHOICE_NAMES, XMS_NAMES):
        assert any(f"BIN/{n}" in targets for n in names)
    assert any(all(f"BIN/{n}" in targets for n in files) for files in RAMDISK_DRIVERS.values())
    kernel = next(p for p in cat.packages if p.name == "kernel")
    assert kernel.path == "base/kernel.zip" and kernel.licence_target == "LICENSES/KERNEL.TXT"
    assert all(p.licence_text and p.sources.in_package and p.sources.elsewhere for p in cat.packages)


def test_fingerprint_follows_the_content():
    data = _valid()
    first = catalogue.from_dict(data).fingerprint
    data["packages"][0]["version"] = "2044"
    assert catalogue.from_dict(data).fingerprint != first


def _valid() -> dict:
    return copy.deepcopy({
        "schema": 1, "release": "r", "base_url": "https://example.invalid/repo/",
        "packages": [{
            "name": "kernel", "group": "base", "version": "1", "licence": "GPL", "sha256": None,
            "files": [{"member": "BIN/KERNL386.SYS", "target": "BIN/KERNEL.SYS"}],
            "licence_text": [{"member": "DOC/KERNEL/COPYING"}], "sources": {"elsewhere": "https://e.invalid"},
        }],
    })


def test_base_url_loses_its_trailing_slash():
    assert catalogue.from_dict(_valid()).base_url == "https://example.invalid/repo"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(schema=2), "schema"),
    (lambda d: d.update(base_url="ftp://x"), "http"),
    (lambda d: d["packages"][0].update(name="Kernel!"), "package name"),
    (lambda d: d["packages"][0].update(sha256="ABC"), "sha256"),
    (lambda d: d["packages"][0]["files"][0].update(member="../BIN/X"), "'..'"),
    (lambda d: d["packages"][0]["files"][0].update(target="../KERNEL.SYS"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="BIN/kernel.sys"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="BIN/TOOLONGNAME.SYS"), "target"),
    (lambda d: d["packages"][0]["files"][0].update(target="LICENSES/KERNEL.TXT"), "target"),
    (lambda d: d["packages"][0]["licence_text"][0].update(inner="/abs"), "absolute"),
    (lambda d: d["packages"][0].update(files=[]), "files"),
    (lambda d: d["packages"].append(copy.deepcopy(d["packages"][0])), "twice"),
    (lambda d: d["packages"][0]["files"].append({"member": "BIN/B", "target": "BIN/KERNEL.SYS"}), "twice"),
    (lambda d: d["packages"][0].update(version=""), "version"),
    (lambda d: d["packages"][0].update(sources={}), "sources"),
    (lambda d: d["packages"][0].update(sources={"in_package": "../SOURCE/"}), "'..'"),
])
def test_broken_catalogues_are_refused(change, message):
    data = _valid()
    change(data)
    with pytest.raises(ValueError, match=message):
        catalogue.from_dict(data)
