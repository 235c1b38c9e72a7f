"""The shipped profile library: per flasher, the exact command lines the menu runs (filled in
by profiles.py the way the menu fills them), which flasher file selects which profile, and
that the README and docs/FLASHERS.md tables say what the files say."""

import re
from pathlib import Path

import pytest

from build_fixtures import run_mkrescue as run
from mkrescue.profiles import (COMMANDS, GENERIC, all_profiles, batch_line, check_length, get_profile,
                               profile_for_flasher)

ROOT = Path(__file__).resolve().parent.parent
BACKUP = r"X:\FWBACK1.BIN"

# profile: (flasher, firmware, device typed at run time, identify, backup, flash), each
# command as the argument vector DOS gives the flasher (None: the profile has no such command).
EXPECTED = {
    "binflash": ("NECFLASH.EXE", "ND1300A.BIN", "1.0.0",
                 ["NECFLASH.EXE", "-scan"],
                 ["NECFLASH.EXE", "-dump", BACKUP, "1.0.0"],
                 ["NECFLASH.EXE", "-flash", "ND1300A.BIN", "1.0.0"]),
    "afudos": ("AFUDOS.EXE", "BIOS.ROM", None,
               ["AFUDOS.EXE", "/S"],
               ["AFUDOS.EXE", BACKUP, "/O"],
               ["AFUDOS.EXE", "BIOS.ROM", "/P"]),
    "atiflash": ("ATIFLASH.EXE", "RX580.ROM", "0",
                 ["ATIFLASH.EXE", "-i"],
                 ["ATIFLASH.EXE", "-s", "0", BACKUP],
                 ["ATIFLASH.EXE", "-p", "0", "RX580.ROM"]),
    "awdflash": ("AWDFLASH.EXE", "P5NESLI.BIN", None,
                 None,
                 None,
                 ["AWDFLASH.EXE", "P5NESLI.BIN", "/py", "/sn"]),
    "flashrom": ("FLASHROM.EXE", "BIOS.BIN", None,
                 ["FLASHROM.EXE", "-p", "internal"],
                 ["FLASHROM.EXE", "-p", "internal", "-r", BACKUP],
                 ["FLASHROM.EXE", "-p", "internal", "-w", "BIOS.BIN"]),
    "fpt": ("FPT.EXE", "BIOS.BIN", None,
            ["FPT.EXE", "-i"],
            ["FPT.EXE", "-d", BACKUP],
            ["FPT.EXE", "-rewrite", "-f", "BIOS.BIN"]),
    "megarec": ("MEGAREC.EXE", "SBREMPTY.BIN", "0",
                ["MEGAREC.EXE", "-adpList"],
                ["MEGAREC.EXE", "-readsbr", "0", BACKUP],
                ["MEGAREC.EXE", "-writesbr", "0", "SBREMPTY.BIN"]),
    "sas2flsh": ("SAS2FLSH.EXE", "2118IT.BIN", "1",
                 ["SAS2FLSH.EXE", "-listall"],
                 None,
                 ["SAS2FLSH.EXE", "-c", "1", "-f", "2118IT.BIN"]),
}

# Where each profile's syntax comes from: a document a reader can open (docs/FLASHERS.md).
SOURCES = {
    "binflash": "github.com/Liggy/binflash",
    "afudos": "AFU readme",
    "atiflash": "github.com/stylesuxx/amdvbflash",
    "awdflash": "Upgrading and Repairing PCs",
    "flashrom": "github.com/flashrom/flashrom",
    "fpt": "github.com/LongSoft/FTK",
    "megarec": "MEGAREC.TXT",
    "sas2flsh": "xflash.bat",
}


def test_every_shipped_profile_is_in_this_table():
    assert set(all_profiles()) - {GENERIC} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_menu_runs_exactly_these_command_lines(name):
    profile = get_profile(name)
    flasher, firmware, device, *vectors = EXPECTED[name]
    for kind, expected in zip(COMMANDS, vectors):
        template = profile.command(kind)
        if expected is None:
            assert template is None, f"{name} {kind}"
            continue
        line = batch_line(template, flasher, firmware, BACKUP, device or "UNUSED")
        assert line.split() == expected, f"{name} {kind}"
    uses_device = device is not None
    assert (profile.device_hint is not None) == uses_device
    assert (profile.no_backup_reason is not None) == (profile.backup is None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_profile_names_its_source_and_the_flasher_selects_it(name):
    profile = get_profile(name)
    flasher = EXPECTED[name][0]
    assert SOURCES[name] in profile.source and profile.description
    assert profile.flashers == (flasher,)
    assert profile_for_flasher(flasher).name == name
    assert profile_for_flasher(flasher.lower()).name == name


def test_no_two_profiles_claim_one_flasher_and_others_get_generic():
    claimed = [f for p in all_profiles().values() for f in p.flashers]
    assert len(claimed) == len(set(claimed))
    assert profile_for_flasher("FLASH.EXE").name == GENERIC
    assert profile_for_flasher("BINFLASH.EXE").name == GENERIC  # other Binflash builds: --profile binflash


def test_the_companions_the_flashers_documents_name():
    assert get_profile("binflash").companions == ("CWSDPMI.EXE", "ASPI.SYS")
    assert get_profile("flashrom").companions == ("CWSDPMI.EXE",)
    assert all(not get_profile(n).companions for n in EXPECTED if n not in ("binflash", "flashrom"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_command_fits_the_menu_with_the_longest_dos_names(name):
    profile = get_profile(name)
    for kind in COMMANDS:
        if profile.command(kind):
            check_length(kind, profile.command(kind), "LONGNAME.EXE", "LONGNAME.BIN", name)


def _table_rows(path: Path) -> dict[str, list[str]]:
    """A Markdown table's rows by their first cell (a profile name in backquotes or not)."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 6:
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("document", ["README.md", "docs/FLASHERS.md"])
def test_the_tables_of_profiles_say_what_the_files_say(document):
    rows = _table_rows(ROOT / document)
    for name in EXPECTED:
        profile = get_profile(name)
        cells = rows[name]
        assert profile.flashers[0] in cells[1], (document, name)
        shown = [re.findall(r"`([^`]*\{flasher\}[^`]*)`", cell) for cell in cells[3:6]]
        assert shown == [[profile.command(kind)] if profile.command(kind) else [] for kind in COMMANDS], (document, name)


def test_mkrescue_profiles_lists_every_profile_with_its_source():
    result = run("profiles")
    assert result.returncode == 0, result.stderr
    for name in EXPECTED:
        profile = get_profile(name)
        assert re.search(rf"^{name}\s", result.stdout, re.MULTILINE)
        assert profile.source in result.stdout
        assert profile.flash in result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_build_picks_the_profile_by_the_flashers_name_and_its_menu_runs_the_commands(name, user_files, dos_dir, tmp_path):
    from judges import read_fat_files

    profile = get_profile(name)
    flasher_name, firmware_name, device, *vectors = EXPECTED[name]
    user_flasher, firmware = user_files
    flasher = user_flasher.rename(tmp_path / flasher_name.lower())
    extra = [] if profile.backup else ["--no-backup-required"]
    result = run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img", *extra)
    assert result.returncode == 0, result.stderr
    assert f"uses the {name} profile (chosen by its name)" in result.stderr
    assert f"syntax from {profile.source}" in result.stderr
    menu = read_fat_files(tmp_path / "r.img")["FREEDOS/MENU.BAT"].decode()
    for vector in filter(None, vectors):
        # The menu holds the backup's name and the typed device in batch variables.
        words = ["%MKNEW%" if w == BACKUP else "ND1300A-.BIN" if w == firmware_name else "%MKDEV%" if w == device else w
                 for w in vector]
        assert "\r\n" + " ".join(words) + "\r\n" in menu, words


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n][4] is None))
def test_without_a_backup_command_the_build_says_why_and_wants_no_backup_required(name, user_files, dos_dir, tmp_path):
    profile = get_profile(name)
    user_flasher, firmware = user_files
    flasher = user_flasher.rename(tmp_path / EXPECTED[name][0].lower())
    result = run("--flasher", flasher, "--fw", firmware, "--dos-dir", dos_dir, "-o", tmp_path / "r.img")
    assert result.returncode == 2
    assert profile.no_backup_reason in result.stderr and "--no-backup-required" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "r.img").exists()
