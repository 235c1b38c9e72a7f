"""The files FDCONFIG.SYS and the batch files name must exist: the parsers on their own,
then the whole check on a floppy written with hand-made configuration files."""

import io
from datetime import datetime

import pytest

from mkrescue.check import check_image, format_text
from mkrescue.check.dosrefs import batch_references, config_references
from mkrescue.fat import FLOPPY_1440, write_volume


def paths(refs):
    return [(r.line, r.path, r.program) for r in refs]


def test_config_lines_that_load_files():
    text = "\r\n".join([
        "; a comment naming \\NOT\\THIS.SYS",
        "!FILES=30",
        "DEVICE=\\FREEDOS\\HIMEMX.EXE /TESTMEM:OFF",
        "12?devicehigh?=\\drivers\\usbaspi.sys /v",
        "MENU 1 - DEVICE=\\NOT\\A.SYS",
        "INSTALL=\\FREEDOS\\SHARE.EXE",
        "SET X=\\NOT\\A.FILE",
        "0?SHELLHIGH=\\COMMAND.COM \\ /E:1024 /P=\\FDAUTO.BAT",
    ])
    assert paths(config_references(text)) == [
        (3, "\\FREEDOS\\HIMEMX.EXE", False),
        (4, "\\DRIVERS\\USBASPI.SYS", False),
        (6, "\\FREEDOS\\SHARE.EXE", False),
        (8, "\\COMMAND.COM", False),
        (8, "\\FDAUTO.BAT", False),
    ]


def test_batch_lines_that_run_or_read_files():
    text = "\r\n".join([
        "@ECHO OFF",
        "REM \\NOT\\RUN.EXE",
        ":LABEL",
        "\\FREEDOS\\CHOICE /C:12 Which one",
        "IF ERRORLEVEL 2 \\FLASH\\BINFLASH.EXE -s \\FLASH\\BACKUP.BIN",
        "IF EXIST \\NOT\\CHECKED.TXT GOTO LABEL",
        'IF NOT "%CONFIG%"=="2" CALL %MKBOOT%\\FREEDOS\\SUB.BAT',
        "COPY /B \\FLASH\\*.* + \\EXTRA.BIN %RAMDRV%\\FLASH > NUL",
        "TYPE \\README.TXT | \\FREEDOS\\MORE.COM",
        "FOR %%F IN (A B) DO \\FREEDOS\\TOOL%%F",
        "\\FREEDOS\\CHOICE/C:YN",
        "%RAMDRV%",
        "C:",
        "ECHO \\NOT\\A.PROGRAM > \\NOT\\OUTPUT.TXT",
        "\\FREEDOS\\DEVLOAD.COM /H \\FLASH\\ASPI.SYS",
        "SET PATH=\\FREEDOS",
        "CHOICE /C:12",
    ])
    assert paths(batch_references(text)) == [
        (4, "\\FREEDOS\\CHOICE", True),
        (5, "\\FLASH\\BINFLASH.EXE", True),
        (7, "%MKBOOT%\\FREEDOS\\SUB.BAT", True),
        (8, "\\FLASH\\*.*", False),
        (8, "\\EXTRA.BIN", False),
        (9, "\\README.TXT", False),
        (9, "\\FREEDOS\\MORE.COM", True),
        (10, "\\FREEDOS\\TOOL%%F", True),
        (11, "\\FREEDOS\\CHOICE", True),
        (15, "\\FREEDOS\\DEVLOAD.COM", True),
        (15, "\\FLASH\\ASPI.SYS", False),
    ]


def floppy(tmp_path, config, autoexec, extra=()):
    files = [("KERNEL.SYS", b"kernel"), ("COMMAND.COM", b"shell"), ("FDCONFIG.SYS", config.encode()),
             ("AUTOEXEC.BAT", autoexec.encode()), ("FREEDOS/CHOICE.EXE", b"MZ"), ("FREEDOS/HIMEMX.EXE", b"MZ"),
             ("FLASH/FLASHER.EXE", b"MZ"), ("FLASH/FW.BIN", b"fw"), *extra]
    out = io.BytesIO()
    out.truncate(FLOPPY_1440.size)
    write_volume(out, 0, FLOPPY_1440, files, "TEST", 1, datetime(2024, 1, 1))
    image = tmp_path / "refs.img"
    image.write_bytes(out.getvalue().ljust(FLOPPY_1440.size, b"\0"))
    return check_image(image)


def located(report, code):
    return sorted((f.where, f.message) for f in report.findings if f.code == code)


def test_every_named_file_found_passes(tmp_path):
    report = floppy(tmp_path, "DEVICE=\\FREEDOS\\HIMEMX.EXE\r\nSHELL=\\COMMAND.COM \\ /P=\\AUTOEXEC.BAT\r\n",
                    "\\FREEDOS\\CHOICE /C:12\r\nCOPY \\FLASH\\*.* %RAMDRV%\\\r\n%RAMDRV%\\FLASHER\r\n")
    assert report.ok and "refs" in report.codes("ok"), format_text(report)
    assert "refs.runtime-missing" not in report.codes()


def test_missing_files_are_errors_where_they_are_named(tmp_path):
    report = floppy(tmp_path, "DEVICE=\\FREEDOS\\HIMEMX.EXE\r\n12?DEVICE=\\DRIVERS\\USBASPI.SYS\r\n",
                    "@ECHO OFF\r\nIF ERRORLEVEL 2 \\FLASH\\GONE\r\nCOPY \\NOPE\\*.* C:\\\r\nCALL \\FREEDOS\\SUB.BAT\r\n",
                    [("FREEDOS/SUB.BAT", b"\\FREEDOS\\NOTHERE.COM\r\n")])
    assert located(report, "refs.missing") == [
        ("AUTOEXEC.BAT line 2", "the program \\FLASH\\GONE is not on the volume"),
        ("AUTOEXEC.BAT line 3", "the file \\NOPE\\*.* is not on the volume"),
        ("FDCONFIG.SYS line 2", "the file \\DRIVERS\\USBASPI.SYS is not on the volume"),
        ("SUB.BAT line 1", "the program \\FREEDOS\\NOTHERE.COM is not on the volume"),
    ]


def test_run_time_paths_are_looked_up_by_name_and_only_warned_about(tmp_path):
    report = floppy(tmp_path, "", "%RAMDRV%\\FLASHER.EXE\r\n%MKBOOT%\\FREEDOS\\CHOICE\r\nA:\\MADEUP.EXE\r\n")
    assert report.ok, format_text(report)
    assert located(report, "refs.runtime-missing") == [
        ("AUTOEXEC.BAT line 3", "A:\\MADEUP.EXE is used at run time; no MADEUP.EXE is on the volume to put there"),
    ]


@pytest.mark.parametrize("name", ["KERNEL.SYS", "COMMAND.COM", "FDCONFIG.SYS", "AUTOEXEC.BAT"])
def test_each_required_file_is_required(tmp_path, name):
    files = {"KERNEL.SYS": b"k", "COMMAND.COM": b"c", "FDCONFIG.SYS": b"FILES=20", "AUTOEXEC.BAT": b"@ECHO OFF"}
    del files[name]
    out = io.BytesIO()
    write_volume(out, 0, FLOPPY_1440, list(files.items()) + [("X.TXT", b"x")], "TEST", 1, datetime(2024, 1, 1))
    image = tmp_path / "req.img"
    image.write_bytes(out.getvalue().ljust(FLOPPY_1440.size, b"\0"))
    report = check_image(image)
    assert located(report, "files.missing") == [("", f"\\{name} is missing: the volume cannot boot FreeDOS without it")]
