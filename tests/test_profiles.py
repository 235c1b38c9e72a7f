"""Flasher profiles: the shipped data files load, their commands are valid DOS lines, and
the build options that pick or override them are checked before anything is written."""


import re

import pytest

from build_fixtures import run_mkrescue as run
from mkrescue.errors import ShippedDataError, UsageError
from mkrescue.profiles import (GENERIC, MAX_COMMAND, MAX_DEVICE, _parse, all_profiles, check_command, check_length,
                               get_profile, profile_for_flasher)


def test_shipped_profiles_load_generic_first():
    profiles = all_profiles()
    assert list(profiles)[0] == GENERIC
    generic = profiles[GENERIC]
    assert (generic.identify, generic.backup, generic.flash) == (None, None, None)
    for profile in profiles.values():
        assert profile.description and profile.source
        if profile.name != GENERIC:
            assert "{firmware}" in profile.flash
            assert "{backup}" in profile.backup if profile.backup else profile.no_backup_reason


def test_flashrom_profile_matches_its_manual():
    flashrom = get_profile("flashrom")
    assert flashrom.flash == "{flasher} -p internal -w {firmware}"
    assert flashrom.backup == "{flasher} -p internal -r {backup}"
    assert flashrom.identify == "{flasher} -p internal"
    assert profile_for_flasher("flashrom.exe") is not None and profile_for_flasher("FLASHROM.EXE").name == "flashrom"
    assert profile_for_flasher("BINFLASH.EXE").name == GENERIC


def test_profiles_command_lists_them():
    result = run("profiles")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("generic")
    assert "flashrom" in result.stdout and "-p internal -w {firmware}" in result.stdout


@pytest.mark.parametrize(
    "kind, command, message",
    [
        ("flash", "FLASH.EXE /W", "lacks {firmware}"),
        ("backup", "FLASH.EXE /R OLD.BIN", "lacks {backup}"),
        ("flash", "FLASH.EXE {firmwre}", "unknown placeholder"),
        ("identify", "FLASH.EXE {backup}", "unknown placeholder"),
        ("flash", "FLASH.EXE {firmware} > LOG.TXT", "redirections"),
        ("flash", "FLASH.EXE %1 {firmware}", "redirections"),
        ("flash", "   ", "is empty"),
        ("flash", "FLASH.EXE {firmware} \u00e9", "plain ASCII"),
        ("flash", "FLASH.EXE {firmware", "unknown placeholder"),
    ],
)
def test_bad_commands_are_refused_with_the_reason(kind, command, message):
    with pytest.raises(UsageError, match=message.replace("{", r"\{").replace("}", r"\}")):
        check_command(kind, command, "--test")


def test_a_profile_file_is_checked_like_a_command_line():
    with pytest.raises(ShippedDataError, match="unknown keys"):
        _parse("x", 'description = "d"\nsource = "s"\nflash = "F {firmware}"\nflsh = "typo"\n')
    with pytest.raises(ShippedDataError, match="no flash command"):
        _parse("x", 'description = "d"\nsource = "s"\n')
    with pytest.raises(ShippedDataError, match="needs a source"):
        _parse("x", 'description = "d"\nflash = "F {firmware}"\n')


def build(user_files, dos_dir, tmp_path, *extra):
    flasher, firmware = user_files
    return run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img", *extra)


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--profile", "nosuch"), "no flasher profile 'nosuch'"),
        (("--flash-cmd", "{flasher} -flash {firmware}"), "no backup command"),
        (("--flash-cmd", "{flasher} " + "x" * 120 + " {firmware}"), "show at most 108"),
        # Short enough for DOS, too long for the menu's "Command:" line: refused, not a crash.
        (("--no-backup-required", "--flash-cmd", "{flasher} " + "x" * 100 + " {firmware}"), "show at most 108"),
        (("--boot-default", "4"), "--boot-default 4"),
        (("--boot-timeout", "100"), "--boot-timeout 100"),
        (("--ramdisk-size", "1M"), "too small"),
        (("--ramdisk-size", "lots"), "is not a size"),
    ],
)
def test_build_options_are_checked_before_writing(user_files, dos_dir, tmp_path, extra, message):
    result = build(user_files, dos_dir, tmp_path, *extra)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.img").exists()


def test_a_profile_plus_an_override(user_files, dos_dir, tmp_path):
    from judges import read_fat_files

    result = build(user_files, dos_dir, tmp_path, "--profile", "flashrom", "--identify-cmd", "{flasher} -p internal -V")
    assert result.returncode == 0, result.stderr
    menu = read_fat_files(tmp_path / "r.img")["FREEDOS/MENU.BAT"].decode()
    assert "BINFLASH.EXE -p internal -V\r\n" in menu and "BINFLASH.EXE -p internal -w ND1300A-.BIN\r\n" in menu


def test_a_batch_file_flasher_is_called_so_the_menu_comes_back(user_files, dos_dir, tmp_path):
    from judges import read_fat_files

    flasher, firmware = user_files
    bat = tmp_path / "flash.bat"
    bat.write_text("@ECHO OFF\r\nBINFLASH %1 %2\r\n")
    result = run("--flasher", bat, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                 "--flash-cmd", "{flasher} -w {firmware}", "--no-backup-required")
    assert result.returncode == 0, result.stderr
    menu = read_fat_files(tmp_path / "r.img")["FREEDOS/MENU.BAT"].decode()
    assert "\r\nCALL FLASH.BAT -w ND1300A-.BIN\r\n" in menu


FULL = '''
description = "a stand-in DVD writer flasher"
source = "its readme, section 3"
flashers = ["necflash.exe", "BINFLASH.EXE"]
identify = "{flasher} -scan"
backup = "{flasher} -dump {backup} {device}"
flash = "{flasher} -flash {firmware} {device}"
device_hint = "the Device line that Identify printed, like 1.0.0 or D:"
model_pattern = "_NEC"
companions = ["cwsdpmi.exe", "ASPI.SYS"]
'''


def test_the_full_schema_loads():
    profile = _parse("necx", FULL)
    assert profile.flashers == ("NECFLASH.EXE", "BINFLASH.EXE")
    assert profile.backup == "{flasher} -dump {backup} {device}"
    assert profile.device_hint == "the Device line that Identify printed, like 1.0.0 or D:"
    assert profile.model_pattern == "_NEC"
    assert profile.companions == ("CWSDPMI.EXE", "ASPI.SYS")
    assert profile.no_backup_reason is None and profile.flasher_dir_a is False


def _without(text, key):
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith(key + " "))


@pytest.mark.parametrize(
    "text, message",
    [
        (_without(FULL, "device_hint"), "needs a device_hint"),
        (FULL.replace(" {device}", ""), "no command uses {device}"),
        (_without(FULL, "backup"), "say why in no_backup_reason"),
        (FULL + 'no_backup_reason = "it cannot read"\n', "keep one"),
        (FULL.replace('"ASPI.SYS"', '"ASPI DRIVER.SYS"'), "not DOS 8.3 file names"),
        (FULL.replace('"ASPI.SYS"', '"CWSDPMI.EXE"'), "names a file twice"),
        (FULL.replace('companions = ["cwsdpmi.exe", "ASPI.SYS"]', 'companions = "CWSDPMI.EXE"'), "list of file names"),
        (FULL.replace('"_NEC"', '"NEC>NUL"'), "cannot show safely"),
        (FULL.replace('"_NEC"', '"' + "N" * 33 + '"'), "1 to 32 characters"),
        (FULL.replace("like 1.0.0 or D:", "like 1.0.0 or D:" + "x" * 10), "1 to 60 characters"),
        (FULL.replace('"_NEC"', "3"), "model_pattern must be text"),
        (FULL + "flasher_dir_a = 1\n", "true or false"),
    ],
)
def test_a_broken_profile_says_what_to_fix(text, message):
    with pytest.raises(ShippedDataError, match=re.escape(message)):
        _parse("necx", text)


def test_a_flasher_without_backup_says_why():
    text = _without(FULL, "backup").replace(" {device}", "")
    text = _without(text, "device_hint") + 'no_backup_reason = "the tool cannot read the chip back"\n'
    profile = _parse("nb", text)
    assert profile.backup is None and profile.no_backup_reason == "the tool cannot read the chip back"


@pytest.mark.parametrize("kind", ["identify", "backup", "flash"])
def test_device_is_a_placeholder_of_every_command(kind):
    template = {"identify": "F -scan {device}", "backup": "F -dump {backup} {device}", "flash": "F -w {firmware} {device}"}[kind]
    assert check_command(kind, template, "--test") == template


def test_the_length_check_counts_the_longest_device():
    # Filled in: "F.EXE " + 16 characters of device + " " + firmware; exactly MAX_COMMAND fits.
    fixed = len("F.EXE  FW.BIN")
    template = "{flasher} " + "x" * (MAX_COMMAND - fixed - MAX_DEVICE) + "{device} {firmware}"
    check_length("flash", template, "F.EXE", "FW.BIN", "--test")
    with pytest.raises(UsageError, match=f"show at most {MAX_COMMAND}"):
        check_length("flash", "{flasher} x" + template[len("{flasher} "):], "F.EXE", "FW.BIN", "--test")


def test_every_flasher_name_selects_one_profile_only():
    seen = {}
    for profile in all_profiles().values():
        for name in profile.flashers:
            assert name not in seen, f"{name} is in the {seen.get(name)} and {profile.name} profiles"
            seen[name] = profile.name


@pytest.fixture
def fixture_profiles(tmp_path, monkeypatch):
    """The shipped profiles plus necx.toml (FULL), read from a folder of the test's own."""
    import shutil

    from mkrescue import profiles

    folder = tmp_path / "profiles"
    shutil.copytree(str(profiles.profiles_folder()), folder)
    (folder / "binflash.toml").unlink()  # it claims NECFLASH.EXE too, and would come first
    (folder / "necx.toml").write_text(FULL)
    monkeypatch.setattr(profiles, "profiles_folder", lambda: folder)
    return folder


def main_in_process(capsys, *args):
    """mkrescue's entry point in this process (so a test's profile folder counts): exit code, stdout, stderr."""
    from mkrescue.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_flasher_name_picks_the_profile_and_the_build_says_so(fixture_profiles, user_files, dos_dir, tmp_path, capsys):
    flasher, firmware = user_files
    necflash = flasher.rename(tmp_path / "necflash.exe")
    (fixture_profiles / "necx.toml").write_text(_without(FULL, "device_hint").replace(" {device}", ""))
    code, out, err = main_in_process(capsys, "--flasher", necflash, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img")
    assert code == 0, err
    assert ("note: flasher NECFLASH.EXE uses the necx profile (chosen by its name): a stand-in DVD writer flasher; "
            "syntax from its readme, section 3; --profile picks another") in err
    assert "NECFLASH.EXE needs CWSDPMI.EXE beside it (necx profile), and it is not on the medium: add it with --add PATH/CWSDPMI.EXE" in err
    assert "needs ASPI.SYS beside it (necx profile), and it is not on the medium: add it with --driver PATH/ASPI.SYS" in err
    from judges import read_fat_files

    menu = read_fat_files(tmp_path / "r.img")["FREEDOS/MENU.BAT"].decode()
    assert "\r\nNECFLASH.EXE -dump %MKNEW%\r\n" in menu and "\r\nNECFLASH.EXE -flash ND1300A-.BIN\r\n" in menu


def test_a_companion_given_with_add_is_not_missing(fixture_profiles, user_files, dos_dir, tmp_path, capsys):
    flasher, firmware = user_files
    (fixture_profiles / "necx.toml").write_text(_without(FULL, "device_hint").replace(" {device}", ""))
    (tmp_path / "cwsdpmi.exe").write_bytes(b"MZ" + bytes(100))
    code, out, err = main_in_process(capsys, "--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                                     "--profile", "necx", "--add", tmp_path / "cwsdpmi.exe")
    assert code == 0, err
    assert "uses the necx profile (chosen with --profile)" in err
    assert "CWSDPMI.EXE beside it" not in err and "ASPI.SYS beside it" in err


def test_profiles_lists_every_field(fixture_profiles, capsys):
    code, out, err = main_in_process(capsys, "profiles")
    assert code == 0, err
    block = out[out.index("necx "):]
    assert "   names:    NECFLASH.EXE, BINFLASH.EXE\n" in block
    assert "   backup:   {flasher} -dump {backup} {device}\n" in block
    assert "   device:   the Device line that Identify printed, like 1.0.0 or D:\n" in block
    assert "   model:    a backup contains _NEC\n" in block and "   needs:    CWSDPMI.EXE, ASPI.SYS\n" in block
    assert "   source:   its readme, section 3\n" in block


def test_a_broken_shipped_profile_is_an_internal_error_not_the_users(tmp_path, monkeypatch, capsys):
    """A command a profile file gets wrong is refused for the same reason as on the command
    line, but reported as mkrescue's bug, never as a usage error."""
    from mkrescue import profiles
    from mkrescue.cli import main
    from mkrescue.errors import MkrescueError

    assert not issubclass(ShippedDataError, MkrescueError)
    with pytest.raises(ShippedDataError, match=r"lacks \{firmware\}"):
        _parse("x", 'description = "d"\nsource = "s"\nflash = "F.EXE"\n')
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "broken.toml").write_text('description = "d"\nsource = "s"\n')
    monkeypatch.setattr(profiles.resources, "files", lambda package: tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["profiles"])
    assert exit_.value.code == 1
    assert "mkrescue: internal error: ShippedDataError: profile broken has no flash command" in capsys.readouterr().err


def necx_build(capsys, user_files, dos_dir, tmp_path, *extra):
    from judges import read_fat_files

    flasher, firmware = user_files
    necflash = tmp_path / "necflash.exe"
    necflash.write_bytes(flasher.read_bytes())
    out = tmp_path / "r.img"
    code, _, err = main_in_process(capsys, "--flasher", necflash, "--fw", firmware, "--dos-dir", dos_dir, "-o", out, *extra)
    return code, err, (read_fat_files(out) if code == 0 else {})


def test_a_device_profile_gives_the_menu_its_hint_and_model(fixture_profiles, user_files, dos_dir, tmp_path, capsys):
    code, err, files = necx_build(capsys, user_files, dos_dir, tmp_path)
    assert code == 0, err
    assert "ECHO  Device (the Device line that Identify printed, like 1.0.0 or D:)\r\n" in files["FREEDOS/DEVICE.BAT"].decode()
    menu = files["FREEDOS/MENU.BAT"].decode()
    assert "\r\nNECFLASH.EXE -dump %MKNEW% %MKDEV%\r\n" in menu and "\r\nNECFLASH.EXE -flash ND1300A-.BIN %MKDEV%\r\n" in menu
    assert "\r\nCHKBAK %MKNEW% ND1300A-.BIN _NEC\r\n" in menu, "the profile's model text, which the firmware has"
    (tmp_path / "again").mkdir()
    code, err, files = necx_build(capsys, user_files, dos_dir, tmp_path / "again", "--expect-model", "ND-1300A")
    assert "\r\nCHKBAK %MKNEW% ND1300A-.BIN ND-1300A\r\n" in files["FREEDOS/MENU.BAT"].decode()


def test_a_model_pattern_the_firmware_lacks_is_not_searched_for(fixture_profiles, user_files, dos_dir, tmp_path, capsys):
    (fixture_profiles / "necx.toml").write_text(FULL.replace('"_NEC"', '"PLEXTOR"'))
    code, err, files = necx_build(capsys, user_files, dos_dir, tmp_path)
    assert code == 0, err
    assert "does not contain 'PLEXTOR', which the necx profile expects in such firmware" in err
    assert "\r\nCHKBAK %MKNEW% ND1300A-.BIN\r\n" in files["FREEDOS/MENU.BAT"].decode()


def test_a_users_device_command_gets_the_default_hint(user_files, dos_dir, tmp_path):
    from judges import read_fat_files

    result = build(user_files, dos_dir, tmp_path, "--backup-cmd", "{flasher} /r {backup} /d {device}",
                   "--flash-cmd", "{flasher} /w {firmware} /d {device}")
    assert result.returncode == 0, result.stderr
    files = read_fat_files(tmp_path / "r.img")
    assert "ECHO  Device (the device id that Identify (1) printed)\r\n" in files["FREEDOS/DEVICE.BAT"].decode()
    assert "\r\nBINFLASH.EXE /w ND1300A-.BIN /d %MKDEV%\r\n" in files["FREEDOS/MENU.BAT"].decode()


def test_a_flasher_that_cannot_back_up_says_why(fixture_profiles, user_files, dos_dir, tmp_path, capsys):
    text = _without(FULL, "backup") + 'no_backup_reason = "the tool cannot read a drive\'s firmware back; ask the vendor for the old file"\n'
    (fixture_profiles / "necx.toml").write_text(text)
    code, err, _ = necx_build(capsys, user_files, dos_dir, tmp_path)
    assert code == 2
    assert ("flashing needs a backup first, but the necx profile has no backup command (the tool cannot read a drive's "
            "firmware back; ask the vendor for the old file): give --backup-cmd, or pass --no-backup-required") in err
    code, err, files = necx_build(capsys, user_files, dos_dir, tmp_path, "--no-backup-required")
    assert code == 0, err
    lines = files["FREEDOS/MENU.BAT"].decode().split("\r\n")
    start = lines.index("ECHO  This flasher cannot make a backup:")
    assert lines[start + 1 : start + 3] == ["ECHO  the tool cannot read a drive's firmware back; ask the vendor for the old",
                                          "ECHO  file"]
    assert "FREEDOS/CHKBAK.COM" not in files


def test_a_flasher_no_profile_knows_is_told_so(user_files, dos_dir, tmp_path):
    flasher, firmware = user_files
    other = tmp_path / "vendor.exe"
    other.write_bytes(flasher.read_bytes())
    result = run("--flasher", other, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img",
                 "--flash-cmd", "{flasher} /w {firmware}", "--no-backup-required")
    assert result.returncode == 0, result.stderr
    assert ("note: no profile is made for a flasher named VENDOR.EXE (`mkrescue profiles` lists them): the menu runs the "
            "commands you give with --identify-cmd, --backup-cmd and --flash-cmd, or pass --profile") in result.stderr
