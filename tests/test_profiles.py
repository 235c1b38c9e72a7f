"""Flasher profiles: the shipped data files load, their commands are valid DOS lines, and
the build options that pick or override them are checked before anything is written."""


import pytest

from build_fixtures import run_mkrescue as run
from mkrescue.errors import ShippedDataError, UsageError
from mkrescue.profiles import GENERIC, _parse, all_profiles, check_command, get_profile, profile_for_flasher


def test_shipped_profiles_load_generic_first():
    profiles = all_profiles()
    assert list(profiles)[0] == GENERIC
    generic = profiles[GENERIC]
    assert (generic.identify, generic.backup, generic.flash) == (None, None, None)
    for profile in profiles.values():
        assert profile.description and profile.source
        if profile.name != GENERIC:
            assert "{firmware}" in profile.flash and "{backup}" in profile.backup


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
