"""mkrescue check on good images: every kind is recognised from its content and passes,
the CLI prints text or JSON with the documented keys and exit codes, and independent
judges (pyfatfs, fsck.fat, xorriso) agree with the verdict."""

import hashlib
import json
import shutil
import subprocess

import pytest

from check_images import SECTOR, FatEditor, broken, iso_boot_entry
from build_fixtures import run_mkrescue as run
from judges import fsck_fat, need, read_fat_files
from mkrescue.check import check_image, format_text
from mkrescue.check.bpb import Expect
from mkrescue.check.disk import check_volume
from mkrescue.check.region import Region
from mkrescue.check.report import Findings

KINDS = {"floppy": "floppy", "iso": "iso", "iso-plain": "iso", "iso-hd": "iso", "usb": "usb"}
ALWAYS = {"boot.signature", "boot.code", "bpb", "fat.chains", "files.required", "manifest", "refs"}
EXPECTED_OK = {
    "floppy": ALWAYS,
    "iso": ALWAYS | {"iso.size", "iso.structure", "eltorito.entry", "mbr.table", "hybrid.same-volume"},
    "iso-plain": ALWAYS | {"iso.size", "iso.structure", "eltorito.entry", "iso.not-hybrid"},
    "iso-hd": ALWAYS | {"iso.size", "iso.structure", "eltorito.entry", "mbr.table", "hybrid.same-volume"},
    "usb": ALWAYS | {"mbr.signature", "mbr.code", "mbr.table"},
}


@pytest.mark.parametrize("name", KINDS)
def test_good_images_pass_with_every_check_done(images, name):
    report = check_image(images[name])
    assert report.kind == KINDS[name]
    assert report.ok, format_text(report)
    assert not report.warnings, format_text(report)
    assert EXPECTED_OK[name] <= report.codes("ok"), format_text(report)


def test_kind_comes_from_the_content_not_the_name(images, tmp_path):
    for name, kind in KINDS.items():
        part = tmp_path / f".rescue.{name}.a1b2c3.part"
        shutil.copyfile(images[name], part)
        report = check_image(part)
        assert (report.kind, report.ok) == (kind, True), format_text(report)


def test_descriptions_say_what_the_image_is(images):
    assert check_image(images["floppy"]).description == "FAT12 floppy image, 1440 KiB"
    assert check_image(images["iso"]).description == "ISO 9660 image, El Torito 1.44 MB floppy emulation, hybrid"
    assert check_image(images["iso-hd"]).description == "ISO 9660 image, El Torito hard-disk emulation, hybrid"
    assert check_image(images["usb"]).description.startswith("USB hard-disk image")


def test_cli_text_report_and_exit_status(images, tmp_path):
    good = run("check", images["iso"])
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[0].endswith("ISO 9660 image, El Torito 1.44 MB floppy emulation, hybrid")
    assert "0 errors, 0 warnings: the image looks right" in good.stdout
    bad = broken(images["floppy"], tmp_path, lambda d: d.__setitem__(510, 0))
    result = run("check", bad)
    assert result.returncode == 1
    assert "ERROR   boot.signature" in result.stdout and "1 error," in result.stdout
    assert result.stderr.strip() == f"mkrescue: error: {bad}: 1 error(s) found"


def test_cli_json_has_the_documented_keys(images, tmp_path):
    result = run("check", "--json", images["usb"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["schema", "image", "kind", "description", "ok", "errors", "warnings", "findings"]
    assert (report["schema"], report["kind"], report["ok"], report["errors"]) == (1, "usb", True, 0)
    assert all(list(f) == ["severity", "code", "message", "where"] for f in report["findings"])
    assert {"severity": "ok", "code": "mbr.table", "where": "partition 1"}.items() <= next(
        f for f in report["findings"] if f["code"] == "mbr.table").items()
    bad = broken(images["usb"], tmp_path, lambda d: d.__setitem__(0x1BE + 16, 0x80))
    result = run("check", "--json", bad)
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False  # stdout stays pure JSON; the one-line error goes to stderr


@pytest.mark.parametrize("target, message", [("missing.img", "does not exist"), (".", "is a directory")])
def test_cli_usage_problems_are_one_line_and_status_2(tmp_path, target, message):
    result = run("check", tmp_path / target)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("check").returncode == 2  # no image at all: click's usage error


def _our_files(image, offset, size):
    with image.open("rb") as fp:
        volume = check_volume(Region(fp, offset, size), Findings(), Expect(hard_disk=offset > 0, hidden_sectors=offset // SECTOR))
        return {path.lstrip("\\").replace("\\", "/"): hashlib.sha256(volume.read(node)).hexdigest() for path, node in volume.files.items()}


@pytest.mark.parametrize("name, offset", [("floppy", 0), ("usb", 63 * SECTOR)])
def test_our_reader_sees_what_pyfatfs_sees(images, name, offset):
    image = images[name]
    theirs = {path: hashlib.sha256(data).hexdigest() for path, data in read_fat_files(image, offset).items()}
    assert _our_files(image, offset, image.stat().st_size - offset) == theirs


def _fat_damage(kind):
    def loop(d):
        e = FatEditor(d)
        chain = e.chain(e.start("KERNEL.SYS"))
        e.set(chain[-1], chain[0])

    def cross_link(d):
        e = FatEditor(d)
        a, b = e.chain(e.start("COMMAND.COM")), e.chain(e.start("KERNEL.SYS"))
        e.set(a[-1], b[len(b) // 2])

    def lost(d):
        e = FatEditor(d)
        e.set(e.clusters, 0xFFF)

    def size(d):
        e = FatEditor(d)
        e.set_size("README.TXT", e.size("README.TXT") + 5000)

    def cycle(d):
        e = FatEditor(d)
        e.set_start("FREEDOS/LICENSES", e.start("FREEDOS"))

    def copies(d):
        e = FatEditor(d)
        e.set(e.clusters - 3, 0xFFF, copies=(1,))

    return {"loop": loop, "cross-link": cross_link, "lost": lost, "size": size, "cycle": cycle, "copies": copies}[kind]


def test_fsck_fat_agrees_on_good_volumes(images):
    assert fsck_fat(images["floppy"]).returncode == 0
    assert fsck_fat(images["usb"], 63 * SECTOR).returncode == 0
    assert check_image(images["floppy"]).ok and check_image(images["usb"]).ok


@pytest.mark.parametrize("damage", ["loop", "cross-link", "lost", "size", "cycle", "copies"])
def test_fsck_fat_agrees_on_broken_volumes(images, tmp_path, damage):
    bad = broken(images["floppy"], tmp_path, _fat_damage(damage))
    fsck = fsck_fat(bad)
    report = check_image(bad)
    assert fsck.returncode != 0, fsck.stdout
    assert not report.ok and report.errors[0].code.startswith("fat."), format_text(report)


def _xorriso_complains(image):
    done = subprocess.run([need("xorriso"), "-abort_on", "NEVER", "-indev", str(image), "-report_el_torito", "plain"],
                          capture_output=True, text=True)
    text = done.stdout + done.stderr
    return done.returncode != 0 or any(level in text for level in ("FAILURE", "SORRY"))


@pytest.mark.parametrize("name", ["iso", "iso-plain", "iso-hd"])
def test_xorriso_agrees_on_good_isos(images, name):
    assert not _xorriso_complains(images[name])
    assert check_image(images[name]).ok


@pytest.mark.parametrize("damage", ["truncated", "boot image past the end"])
def test_xorriso_agrees_on_broken_isos(images, tmp_path, damage):
    def change(d):
        if damage == "truncated":
            return d[: len(d) // 2]
        d[iso_boot_entry(d) + 40 : iso_boot_entry(d) + 44] = (10**6).to_bytes(4, "little")
        return None

    bad = broken(images["iso"], tmp_path, change)
    assert _xorriso_complains(bad)
    assert not check_image(bad).ok
