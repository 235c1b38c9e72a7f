"""The build command end to end, through the CLI a user types."""

import errno
import os
import stat
import subprocess
import sys

import pytest

from build_fixtures import files_limited_to
from build_fixtures import run_mkrescue as run
from judges import fsck_fat, iso_file, need, read_fat_files
from mkrescue.build import _cannot_write
from mkrescue.cli import main
from mkrescue.errors import UsageError
from mkrescue.spec import format_for


def error_lines(stderr):
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("mkrescue: error:")]


def build_args(user_files, dos_dir, output, *extra):
    flasher, firmware = user_files
    return ("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", output, *extra)


def test_floppy_build_holds_everything(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.img"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    assert "1440 KiB floppy" in result.stdout
    assert out.stat().st_size == 1474560
    files = read_fat_files(out)
    flasher, firmware = user_files
    assert files["FLASH/BINFLASH.EXE"] == flasher.read_bytes()
    assert files["FLASH/ND1300A-.BIN"] == firmware.read_bytes()
    assert files["KERNEL.SYS"] == (dos_dir / "BIN" / "KERNL386.SYS").read_bytes()
    assert files["COMMAND.COM"] == (dos_dir / "BIN" / "COMMAND.COM").read_bytes()
    assert files["FREEDOS/CHOICE.EXE"] == (dos_dir / "BIN" / "CHOICE.EXE").read_bytes()
    assert files["FREEDOS/LICENSES/KERNEL.TXT"].startswith(b"GNU GENERAL PUBLIC LICENSE")
    for name in ("FDCONFIG.SYS", "AUTOEXEC.BAT", "README.TXT", "MANIFEST.TXT"):
        assert files[name].endswith(b"\r\n") and b"\n" not in files[name].replace(b"\r\n", b"")
    assert "stored as ND1300A-.BIN" in result.stderr
    assert fsck_fat(out).returncode == 0


def test_manifest_lists_every_other_file_with_its_hash(tmp_path, user_files, dos_dir):
    import hashlib

    out = tmp_path / "rescue.img"
    assert run(*build_args(user_files, dos_dir, out)).returncode == 0
    files = read_fat_files(out)
    lines = files.pop("MANIFEST.TXT").decode("ascii").splitlines()[1:]
    listed = {line.split()[2]: (line.split()[0], int(line.split()[1])) for line in lines}
    assert listed == {
        "\\" + path.replace("/", "\\"): (hashlib.sha256(data).hexdigest(), len(data)) for path, data in files.items()
    }


def test_files_crc_lists_every_file_autoexec_copies_with_its_crc32(tmp_path, user_files, dos_dir):
    import zlib

    out = tmp_path / "rescue.img"
    assert run(*build_args(user_files, dos_dir, out)).returncode == 0
    files = read_fat_files(out)
    lines = files.pop("FREEDOS/FILES.CRC").decode("ascii").splitlines()
    listed = {line.split()[1]: line.split()[0] for line in lines}
    copied = {path for path in files if path == "COMMAND.COM" or path.count("/") == 1 and path.split("/")[0] in ("FREEDOS", "FLASH")}
    assert copied >= {"COMMAND.COM", "FREEDOS/CRCCHECK.COM", "FREEDOS/MENU.BAT", "FLASH/BINFLASH.EXE", "FLASH/ND1300A-.BIN"}
    assert listed == {path.replace("/", "\\"): f"{zlib.crc32(files[path]):08X}" for path in copied}


def test_more_files_than_the_ram_disk_check_takes_is_one_line_and_no_file(tmp_path, user_files, dos_dir):
    extras = []
    for number in range(700):
        extra = tmp_path / "extra" / f"F{number}.DAT"
        extra.parent.mkdir(exist_ok=True)
        extra.write_bytes(b"x")
        extras += ["--add", extra]
    out = tmp_path / "rescue.usb.img"
    result = run(*build_args(user_files, dos_dir, out), *extras)
    assert result.returncode == 2 and not out.exists()
    assert error_lines(result.stderr) == [
        "mkrescue: error: 714 files are too many for the rescue disk to check its RAM disk copy: "
        "put the --add files into fewer files (a ZIP, for example)"]


def test_big_payload_takes_a_2_88_floppy(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(os.urandom(1_600_000))
    out = tmp_path / "rescue.img"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size == 2949120
    assert read_fat_files(out)["FLASH/ND1300A-.BIN"] == firmware.read_bytes()


def test_too_big_payload_is_one_clear_line_and_no_file(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    firmware.write_bytes(b"x" * 3_000_000)
    out = tmp_path / "rescue.img"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 1
    [error] = error_lines(result.stderr)
    assert "do not fit a 2880 KiB floppy" in error
    assert list(tmp_path.glob("rescue.img*")) == [] and list(tmp_path.glob(".rescue.img*")) == []


def test_requested_floppy_size_is_honoured(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.img"
    assert run(*build_args(user_files, dos_dir, out, "--floppy-size", "2.88")).returncode == 0
    assert out.stat().st_size == 2949120


@pytest.mark.parametrize(
    "change, message, code",
    [
        (lambda f, d, o: f[1].unlink(), "does not exist", 2),
        (lambda f, d, o: f[1].write_bytes(b""), "is empty", 2),
        (lambda f, d, o: (f[1].unlink(), f[1].mkdir()), "is a directory", 2),
        (lambda f, d, o: o.write_bytes(b"old"), "already exists", 2),
        (lambda f, d, o: o.mkdir(), "is a directory", 2),
        (lambda f, d, o: (d / "BIN" / "COMMAND.COM").unlink(), "lacks COMMAND.COM", 1),
        (lambda f, d, o: (d / "BIN" / "KERNL386.SYS").unlink(), "lacks KERNEL.SYS or KERNL386.SYS or KERNL86.SYS", 1),
        (lambda f, d, o: f[0].rename(f[0].with_name("flash.zip")), "does not exist", 2),
    ],
)
def test_user_errors_are_one_line_and_write_nothing(tmp_path, user_files, dos_dir, change, message, code):
    out = tmp_path / "out" / "rescue.iso"
    out.parent.mkdir()
    change(user_files, dos_dir, out)
    before = sorted(p.name for p in out.parent.iterdir())
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == code, result.stderr
    [error] = error_lines(result.stderr)
    assert message in error
    assert sorted(p.name for p in out.parent.iterdir()) == before


def test_flasher_that_is_not_a_dos_program_is_refused(tmp_path, user_files, dos_dir):
    flasher, firmware = user_files
    bad = tmp_path / "flash.sh"
    bad.write_text("#!/bin/sh\n")
    result = run("--flasher", bad, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img")
    assert result.returncode == 2 and "not a DOS program" in result.stderr


def test_output_that_is_a_device_is_refused(tmp_path, user_files, dos_dir):
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = run(*build_args(user_files, dos_dir, "/dev/null", "--format", "floppy", "--force"))
    assert result.returncode == 2 and "device" in result.stderr


def test_force_replaces_an_existing_output(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.img"
    out.write_bytes(b"old")
    assert run(*build_args(user_files, dos_dir, out, "--force")).returncode == 0
    assert out.stat().st_size == 1474560


def test_unknown_output_kind_is_a_usage_error(tmp_path, user_files, dos_dir):
    result = run(*build_args(user_files, dos_dir, tmp_path / "rescue.bin"))
    assert result.returncode == 2 and "--format" in result.stderr


def test_format_for_takes_only_known_kinds(tmp_path):
    assert format_for(tmp_path / "x.bin", "usb") == "usb"
    assert format_for(tmp_path / "X.USB.IMG", None) == "usb"
    with pytest.raises(UsageError, match="floppy, iso, usb"):
        format_for(tmp_path / "x.iso", "dvd")


def test_help_and_check_do_not_load_the_build_machinery():
    # Start-up cost is what a user waits for on --help and check (benchmarks/README.md).
    probe = ("import sys; from mkrescue.cli import main; import mkrescue.check; "
             "print(sorted(m for m in ('jinja2', 'pycdlib', 'requests', 'mkrescue.build') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_build_from_a_dos_dir_loads_neither_the_boot_test_nor_the_downloads(tmp_path, user_files, dos_dir):
    # Each is tens of milliseconds of start-up that such a build never uses (benchmarks/README.md).
    args = [str(a) for a in build_args(user_files, dos_dir, tmp_path / "r.iso")]
    probe = (f"import sys; from mkrescue.cli import main\ntry: main({args!r})\nexcept SystemExit: pass\n"
             "print(sorted(m for m in ('mkrescue.boottest', 'mkrescue.freedos.catalogue', 'mkrescue.freedos.provision',"
             " 'requests') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert (tmp_path / "r.iso").exists()
    assert result.stdout.splitlines()[-1] == "[]"


def test_a_disk_that_fails_to_store_the_image_leaves_nothing(tmp_path, user_files, dos_dir, monkeypatch, capsys):
    # The image is put on the disk (fsync) while the build checks it; a failure there is
    # the build's failure, and the name never appears.
    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    output = tmp_path / "r.iso"
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(list(map(str, build_args(user_files, dos_dir, output))))
    assert exit_info.value.code == 1
    assert error_lines(capsys.readouterr().err) == [f"mkrescue: error: cannot write {output}: input/output error;"
                                                    " nothing was written: choose an output folder on a disk you can write to"]
    assert sorted(os.listdir(tmp_path)) == before


def test_a_write_the_system_refuses_is_one_line_and_leaves_nothing(tmp_path, user_files, dos_dir):
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.iso"),
                 preexec_fn=files_limited_to(1024 * 1024))  # a disk that takes 1 MB, then refuses
    assert result.returncode == 1
    assert error_lines(result.stderr) == [f"mkrescue: error: cannot write {tmp_path / 'r.iso'}: file too large;"
                                          " nothing was written: choose an output folder on a disk you can write to"]
    assert not (tmp_path / "r.iso").exists() and not list(tmp_path.glob(".r.iso.*"))


def test_a_full_disk_says_to_free_space_or_write_elsewhere(tmp_path):
    error = _cannot_write(tmp_path / "r.iso", OSError(errno.ENOSPC, "No space left on device"))
    assert str(error) == (f"no room left to write {tmp_path / 'r.iso'}: nothing was written; free space in {tmp_path}"
                          " or write the image to another disk")


def test_debug_shows_the_traceback(tmp_path, user_files, dos_dir):
    user_files[1].unlink()
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.img", "--debug"))
    assert result.returncode == 2 and "Traceback" in result.stderr


@pytest.mark.parametrize("name", ["rescue.img", "rescue.iso"])
def test_reproducible_with_source_date_epoch(tmp_path, user_files, dos_dir, monkeypatch, name):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outputs = []
    for run_dir in ("a", "b"):
        out = tmp_path / run_dir / name
        out.parent.mkdir()
        main(list(map(str, build_args(user_files, dos_dir, out))))  # returns only on success
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_iso_has_a_floppy_emulation_boot_entry(tmp_path, user_files, dos_dir):
    out = tmp_path / "rescue.iso"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    report = subprocess.run([need("xorriso"), "-indev", str(out), "-report_el_torito", "plain"],
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert "fd1.4" in report.stdout, report.stdout
    listing = subprocess.run([need("xorriso"), "-indev", str(out), "-find", "/", "-type", "f"],
                             capture_output=True, text=True).stdout
    assert "/FLASH/BINFLASH.EXE" in listing and "/BOOT.IMG" in listing


def test_iso_boot_image_is_the_floppy(tmp_path, user_files, dos_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    iso_out, img_out = tmp_path / "r.iso", tmp_path / "r.img"
    assert run(*build_args(user_files, dos_dir, iso_out)).returncode == 0
    assert run(*build_args(user_files, dos_dir, img_out)).returncode == 0
    assert iso_file(iso_out, "/BOOT.IMG;1") == img_out.read_bytes()


def test_a_build_that_fails_its_own_check_leaves_nothing(tmp_path, user_files, dos_dir, monkeypatch):
    """The check runs on the finished temporary file; a damaged result never reaches the output."""
    import mkrescue.media.floppy as floppy

    real_write = floppy.write_volume

    def damaging_write(out, offset, params, files, label, serial, moment):
        real_write(out, offset, params, files, label, serial, moment)
        out.seek(offset + 510)
        out.write(b"\0\0")  # no boot signature

    monkeypatch.setattr(floppy, "write_volume", damaging_write)
    out = tmp_path / "rescue.img"
    with pytest.raises(SystemExit) as exit_info:
        main(list(map(str, build_args(user_files, dos_dir, out))))
    assert exit_info.value.code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ND1300A-firmware.bin", "binflash.exe", "freedos"]


@pytest.mark.parametrize("name", ["rescue.img", "rescue.iso", "rescue.usb.img"])
def test_every_image_kind_passes_check_cleanly(tmp_path, user_files, dos_dir, name):
    out = tmp_path / name
    built = run(*build_args(user_files, dos_dir, out))
    assert built.returncode == 0 and "checked, no errors" in built.stdout, built.stderr
    checked = run("check", out, "--json")
    assert checked.returncode == 0, checked.stdout
    import json

    assert json.loads(checked.stdout)["errors"] == 0


def test_licence_files_with_long_names_get_8_3_names(tmp_path, user_files, dos_dir):
    (dos_dir / "LICENSES" / "gpl-2.0-long-name.txt").write_bytes(b"GPL text\r\n")
    out = tmp_path / "rescue.img"
    result = run(*build_args(user_files, dos_dir, out))
    assert result.returncode == 0, result.stderr
    assert read_fat_files(out)["FREEDOS/LICENSES/GPL-20-L.TXT"] == b"GPL text\r\n"


@pytest.mark.parametrize("epoch", ["4500000000", "soon"])
def test_unusable_source_date_epoch_is_a_usage_error(tmp_path, user_files, dos_dir, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = run(*build_args(user_files, dos_dir, tmp_path / "r.img"))
    assert result.returncode == 2
    [error] = error_lines(result.stderr)
    assert "SOURCE_DATE_EPOCH" in error


def test_debug_before_a_command_and_typos_are_not_taken_for_a_build(tmp_path):
    image = tmp_path / "x.img"
    image.write_bytes(b"junk" * 200)
    checked = run("--debug", "check", image)
    assert checked.returncode == 1 and "image.unknown" in checked.stdout, checked.stdout + checked.stderr
    typo = run("chekc", image)
    assert typo.returncode == 2 and "No such command 'chekc'" in typo.stderr


def test_every_build_option_fills_a_field_of_build_options_by_name():
    """click fills BuildOptions by parameter name: an option without a field, or a field no
    option fills, would be lost silently."""
    from dataclasses import fields

    from mkrescue.cli import build_command
    from mkrescue.spec import BuildOptions

    exposed = {p.name for p in build_command.params if p.expose_value}
    assert exposed == {f.name for f in fields(BuildOptions)}


@pytest.mark.parametrize("name", ["r.img", "r.iso", "r.usb.img"])
def test_building_and_checking_never_need_pyfatfs(tmp_path, user_files, dos_dir, name):
    """pyfatfs is only the tests' judge ([test] extra): mkrescue builds and checks without it."""
    out = tmp_path / name
    args = [str(a) for a in build_args(user_files, dos_dir, out)]
    code = ("import sys; sys.modules['pyfatfs'] = None\n"  # any import of it fails
            "from mkrescue.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as exit_:\n    assert not exit_.code\n"
            f"main(['check', {str(out)!r}])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stdout and " manifest " in result.stdout  # every file's hash matched
