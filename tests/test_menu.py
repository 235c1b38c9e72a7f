"""The rendered FDCONFIG.SYS, AUTOEXEC.BAT and \\FREEDOS batch files, checked line by line
and run through the model of FreeCOM (freecom_model.py) on model PCs; the real thing is
checked by test_menu_qemu.py on real FreeDOS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from freecom_model import EJECT, Run, boot, lines_of, model_pc
from judges import read_fat_files
from mkrescue.cli import main
from mkrescue.menu import DOS_PROGRAM_NAMES, OPTIONAL_PROGRAMS, dos_program
from mkrescue.dosname import is_valid_83

SCREEN_WIDTH, SCREEN_HEIGHT = 80, 25
MAX_LINE = 127
BATCH_FILES = ("AUTOEXEC.BAT", "FREEDOS/MENU.BAT", "FREEDOS/WRITABLE.BAT")
FLASH_CMD = "{flasher} -flash {firmware} 1.0.0"
BACKUP_CMD = "{flasher} -dump {backup} 1.0.0"
IDENTIFY_CMD = "{flasher} -scan"


def build(tmp_path: Path, user_files, dos_dir, *extra: str, name: str = "rescue.img") -> dict[str, bytes]:
    flasher, firmware = user_files
    out = tmp_path / name
    main(["--flasher", str(flasher), "--fw", str(firmware), "--dos-dir", str(dos_dir), "-o", str(out), *extra])
    return read_fat_files(out)


def full_build(tmp_path, user_files, dos_dir, *extra):
    return build(tmp_path, user_files, dos_dir, "--identify-cmd", IDENTIFY_CMD, "--backup-cmd", BACKUP_CMD,
                 "--flash-cmd", FLASH_CMD, *extra)


MENU_PROMPT = "Choose 1 to 5:"


def at_menu(run: Run) -> bool:
    return bool(run.screens) and run.screens[-1][-1] == MENU_PROMPT


# ---------------------------------------------------------------------------------------
# Line-by-line checks

@pytest.fixture
def image(tmp_path, user_files, dos_dir):
    return full_build(tmp_path, user_files, dos_dir)


def test_text_files_are_crlf_ascii_short_lines_and_8_3_names(image):
    for path in image:
        for part in path.split("/"):
            assert is_valid_83(part), path
    for name in ("FDCONFIG.SYS", *BATCH_FILES, "README.TXT"):
        for line in lines_of(image[name]):
            assert len(line) <= MAX_LINE, (name, line)


def test_every_goto_reaches_a_label_and_labels_are_unique_in_8_characters(image):
    for name in BATCH_FILES:
        lines = lines_of(image[name])
        labels = [ln[1:].strip().upper() for ln in lines if ln.startswith(":")]
        assert len({label[:8] for label in labels}) == len(labels), f"{name}: labels clash in their first 8 characters"
        for line in lines:
            for target in re.findall(r"\bGOTO (\S+)", line, re.I):
                assert target.upper() in labels, f"{name}: GOTO {target}"


def errorlevel_ladders(lines: list[str]):
    """Runs of consecutive `IF ERRORLEVEL n VERB ...` lines with one verb, as (numbers, verbs)."""
    run: list[tuple[int, str]] = []
    for line in lines + [""]:
        m = re.match(r"IF ERRORLEVEL (\d+) (\w+)", line)
        if m and (not run or run[-1][1] == m.group(2).upper()):
            run.append((int(m.group(1)), m.group(2).upper()))
            continue
        if len(run) > 1:
            yield [n for n, _ in run], {v for _, v in run}
        run = [(int(m.group(1)), m.group(2).upper())] if m else []


def test_errorlevel_ladders_climb_when_they_set_and_fall_when_they_jump(image):
    seen = 0
    for name in BATCH_FILES:
        for numbers, verbs in errorlevel_ladders(lines_of(image[name])):
            seen += 1
            if verbs == {"SET"}:
                assert numbers == sorted(numbers), f"{name}: a SET ladder must climb: {numbers}"
            else:
                assert verbs == {"GOTO"} and numbers == sorted(numbers, reverse=True), f"{name}: {numbers} {verbs}"
    assert seen >= 2


# Where each answer of each CHOICE must lead: a label, or "on" to the lines after the ladder.
# "interrupted" is errorlevel 0 (Ctrl+C), "failed" one past the last key (CHOICE's error).
CHOICE_ROUTES = {
    "Choose 1 to 5:": {"interrupted": "MENU", "1": "IDENTIFY", "2": "BACKUP", "3": "FLASH", "4": "PROMPT",
                       "5": "REBOOT", "failed": "MENU"},
    "Copy it to %MKDST%\\MKRESCUE": {"interrupted": "CLEANRO", "N": "CLEANRO", "Y": "on", "failed": "CLEANRO"},
    "Do its messages above say the backup worked": {"interrupted": "BAKKEPT", "N": "BAKKEPT", "Y": "on",
                                                    "failed": "BAKKEPT"},
    "Flash this firmware now": {"interrupted": "MENU", "N": "MENU", "Y": "on", "failed": "MENU"},
    "Start flashing": {"interrupted": "MENU", "N": "MENU", "F": "on", "failed": "MENU"},
    "Third question: press C to flash anyway, N to go back": {"interrupted": "MENU", "N": "MENU", "C": "on",
                                                              "failed": "MENU"},
    "Reboot now": {"interrupted": "MENU", "N": "MENU", "Y": "on", "failed": "MENU"},
}


def choice_routes(lines: list[str]) -> dict[str, dict[str, str]]:
    """Each CHOICE's (and MENUKEY's) question, with where each answer leads by the IF ERRORLEVEL ladder that
    follows it (a plain GOTO right after the ladder catches what the ladder lets through)."""
    routes = {}
    for n, line in enumerate(lines):
        m = re.match(r"CHOICE /C:(\w+)(?: /N)?(?: /T:\w,\d+)? +(.*)", line)
        menukey = re.match(r"MENUKEY (\d) +(.*)", line)  # our CHOICE /C:12..N /N for the menu's digits
        if not (m or menukey):
            continue
        keys, question = (m.group(1), m.group(2).strip()) if m else ("123456789"[: int(menukey.group(1))],
                                                                     menukey.group(2).strip())
        ladder, after = [], "on"
        for follow in lines[n + 1 :]:
            if follow.startswith("REM"):
                continue
            g = re.match(r"IF (NOT )?ERRORLEVEL (\d+) GOTO (\S+)", follow)
            if not g:
                after = follow.split()[1].upper() if follow.upper().startswith("GOTO ") else "on"
                break
            ladder.append((bool(g.group(1)), int(g.group(2)), g.group(3).upper()))
        assert ladder, f"CHOICE without a ladder: {line}"
        answers = ["interrupted", *keys, "failed"]  # errorlevel 0, 1..len(keys), len(keys)+1
        routes[question] = {answer: next((t for neg, lvl, t in ladder if (level >= lvl) != neg), after)
                            for level, answer in enumerate(answers)}
    return routes


def test_every_choice_key_reaches_a_label(image):
    """After each CHOICE, each key's errorlevel is routed by the ladder that follows, to an
    existing label, and to the one that key means."""
    seen = {}
    for name in BATCH_FILES:
        lines = lines_of(image[name])
        labels = {ln[1:].strip().upper() for ln in lines if ln.startswith(":")}
        for question, routes in choice_routes(lines).items():
            assert all(target == "on" or target in labels for target in routes.values()), f"{name}: {question}"
            seen[question] = routes
    assert seen == CHOICE_ROUTES


def test_no_drive_letter_is_written_into_the_batch_files(image):
    """Drive letters appear only where they are computed: the FOR lists of candidates and the
    SHSURDRV exit-code ladder (number -> letter)."""
    for name in BATCH_FILES:
        for line in lines_of(image[name]):
            if line.startswith("REM") or line.startswith("FOR %%D IN ("):
                continue
            if re.fullmatch(r"IF ERRORLEVEL (\d+) SET MKRAM=([A-Z]):", line):
                number, letter = re.fullmatch(r"IF ERRORLEVEL (\d+) SET MKRAM=([A-Z]):", line).groups()
                assert ord(letter) - ord("A") + 1 == int(number)
                continue
            assert not re.search(r"(?<![%\w/])[A-Z]:", line), f"{name}: a drive letter in {line!r}"


def test_files_the_batch_files_name_are_on_the_image(image):
    names = {p.rsplit("/", 1)[-1] for p in image}
    for name in ("FDCONFIG.SYS", *BATCH_FILES):
        for line in lines_of(image[name]):
            if line.startswith(("REM", ";")):
                continue
            for ref in re.findall(r"\\((?:FREEDOS|FLASH)\\[A-Z0-9~_-]+\.[A-Z]{3})\b", line):
                assert ref.replace("\\", "/") in image, f"{name} names {ref}"
            for tool in ("CHOICE", "SHSURDRV", "REBOOT", "WRITABLE.BAT", "MENU.BAT", "HIMEMX.EXE"):
                if re.search(rf"(^|\\| ){tool}\b", line):
                    assert any(n.startswith(tool) for n in names), f"{name} runs {tool}"


def test_fdconfig_boot_menu_offers_three_starts_with_the_chosen_default(tmp_path, user_files, dos_dir):
    files = full_build(tmp_path, user_files, dos_dir, "--boot-default", "2", "--boot-timeout", "9")
    lines = lines_of(files["FDCONFIG.SYS"])
    assert "MENUDEFAULT=2,9" in lines
    used = {d for line in lines for d in (re.match(r"(\d+)\?", line) or [None, ""])[1]}
    assert used == {"1", "2", "3"}, "each choice must be used by a line, or the kernel refuses it"
    assert "13?DEVICE=\\FREEDOS\\HIMEMX.EXE" in lines, "XMS for normal and prompt, not for clean"
    [shell] = [line for line in lines if line.startswith("SHELL=")]
    assert "/P=\\AUTOEXEC.BAT" in shell and "/E:2048" in shell
    menu_lines = [line[len("MENU") :] for line in lines if line.startswith("MENU")]
    assert all(len(text) < SCREEN_WIDTH for text in menu_lines) and len(menu_lines) < SCREEN_HEIGHT - 5


# ---------------------------------------------------------------------------------------
# Every start, on every kind of PC

PCS = {
    "floppy, no hard disk": dict(boot="A", boot_writable=True),
    "floppy, 2 hard disks and a CD drive": dict(boot="A", boot_writable=True, hard_disks=2, cd_drive=True),
    "CD (read-only A:), 1 hard disk": dict(boot="A", boot_writable=False, hard_disks=1),
    "CD (read-only A:), no hard disk, CD drive": dict(boot="A", boot_writable=False, cd_drive=True),
    "USB stick as C:, empty floppy drive, 1 hard disk": dict(boot="C", boot_writable=True, floppy_a=True, hard_disks=1),
    "USB stick as C:, 2 hard disks, CD drive": dict(boot="C", boot_writable=True, hard_disks=2, cd_drive=True),
}


@pytest.mark.parametrize("pc_name", PCS)
@pytest.mark.parametrize("config", ["1", "2", "3", None])
def test_every_start_reaches_the_menu_or_the_prompt(image, pc_name, config):
    pc = model_pc(image, **PCS[pc_name])
    run = boot(image, pc, config, keys=["N"])  # N: decline the clean start's copy offer
    home = run.env["MKHOME"]
    if config == "3":
        assert run.finished_in == f"{pc.boot}:\\AUTOEXEC.BAT" and not run.screens
        assert run.env["PATH"].startswith(f"{pc.boot}:\\FREEDOS") and "MENU" in " ".join(run.screen)
        return
    assert at_menu(run), run.screen
    if config in ("1", None):
        ram = pc.ramdisk_letter
        assert ram and home == f"{ram}:" and run.env["COMSPEC"] == f"{ram}:\\COMMAND.COM"
        assert pc.drives[ram].files["\\FLASH\\BINFLASH.EXE"] == image["FLASH/BINFLASH.EXE"]
        assert "no longer needed" in run.env["MKWHY"]
    else:
        assert not any(c.startswith("SHSURDRV") for c in run.commands), "clean: no RAM disk"
        assert home == f"{pc.boot}:"
    assert run.drive == home[0] and run.cwd[home[0]] == "\\FLASH"


@pytest.mark.parametrize("pc_name", ["floppy, no hard disk", "USB stick as C:, 2 hard disks, CD drive"])
def test_rdisk_gets_the_first_free_letter_and_counts_once_writable(tmp_path, user_files, dos_dir, pc_name):
    (dos_dir / "BIN" / "SHSURDRV.EXE").unlink()
    (dos_dir / "BIN" / "RDISK.COM").write_bytes(b"\xe9FAKE-RDISK" + bytes(800))
    files = full_build(tmp_path, user_files, dos_dir)
    pc = model_pc(files, **PCS[pc_name])
    first_free = next(c for c in "CDEFGHIJ" if c not in pc.drives)
    run = boot(files, pc, "1", keys=[])
    assert at_menu(run) and pc.ramdisk_letter == first_free and run.env["MKHOME"] == f"{first_free}:"


@pytest.mark.parametrize("pc_name", ["floppy, no hard disk", "USB stick as C:, 2 hard disks, CD drive"])
def test_without_xms_the_menu_runs_from_the_boot_disk_and_says_so(image, pc_name):
    pc = model_pc(image, **PCS[pc_name], xms=False)
    run = boot(image, pc, "1", keys=[" "])
    assert "No RAM disk" in run.screens[0][-2], run.screens[0]
    assert at_menu(run) and run.env["MKHOME"] == f"{pc.boot}:"


@pytest.mark.parametrize("free_kib", [512 * 1024, 8192])
def test_the_ram_disk_has_the_size_asked_for_when_it_fits(image, free_kib):
    pc = model_pc(image, **PCS["floppy, no hard disk"], xms_free_kib=free_kib)
    run = boot(image, pc, "1", keys=[])
    assert at_menu(run) and pc.ramdisk_kib == 8192 and run.env["MKHOME"] == f"{pc.ramdisk_letter}:"


def test_the_ram_disk_shrinks_to_the_files_when_little_xms_is_free(image):
    """Under a CSM wrapper FreeDOS saw 6.9 MB of XMS free: the 8 MB RAM disk does not fit, the files do."""
    pc = model_pc(image, **PCS["USB stick as C:, 2 hard disks, CD drive"], xms_free_kib=6912)
    run = boot(image, pc, "1", keys=[])
    [asked] = [c for c in run.commands if c.startswith("XMSFREE")]
    want, least = map(int, asked.split()[1:])
    assert want == 8192 and 1024 <= least < 6912 and least % 1024 == 0
    assert pc.ramdisk_kib == least and at_menu(run) and run.env["MKHOME"] == f"{pc.ramdisk_letter}:"


def test_too_little_xms_for_the_files_runs_from_the_boot_disk(image):
    pc = model_pc(image, **PCS["floppy, no hard disk"], xms_free_kib=900)
    run = boot(image, pc, "1", keys=[" "])
    assert "No RAM disk" in run.screens[0][-2], run.screens[0]
    assert pc.ramdisk_letter is None and at_menu(run) and run.env["MKHOME"] == f"{pc.boot}:"


def test_clean_start_from_a_cd_can_copy_to_a_writable_drive(image):
    pc = model_pc(image, **PCS["CD (read-only A:), 1 hard disk"])
    run = boot(image, pc, "2", keys=["Y"])
    assert at_menu(run) and run.env["MKHOME"] == "C:\\MKRESCUE"
    assert pc.drives["C"].files["\\MKRESCUE\\FLASH\\ND1300A-.BIN"] == image["FLASH/ND1300A-.BIN"]


# ---------------------------------------------------------------------------------------
# The flash menu

def menu_run(image, keys, pc_name="CD (read-only A:), no hard disk, CD drive", config="1"):
    pc = model_pc(image, **PCS[pc_name])
    return boot(image, pc, config, keys=keys), pc


def flashes(run):
    return [c for c in run.commands if " -flash " in c]


def test_flash_is_refused_until_a_backup_was_made_in_this_boot(image):
    run, _ = menu_run(image, ["3", " "])
    assert not flashes(run) and "Flashing is locked" in " ".join(run.screens[-2])
    assert at_menu(run)


def test_backup_then_flash_asks_twice_and_shows_name_size_and_hash(image, user_files):
    firmware = user_files[1].read_bytes()
    import hashlib

    run, pc = menu_run(image, ["2", " ", "3", "Y", "F", " "], pc_name="floppy, 2 hard disks and a CD drive")
    assert pc.drives["A"].files["\\FWBACK1.BIN"] == pc.current_firmware, "the backup goes to the writable boot floppy"
    assert flashes(run) == ["BINFLASH.EXE -flash ND1300A-.BIN 1.0.0"]
    confirm = " ".join(run.screens[-3])
    assert f"ND1300A-.BIN, {len(firmware)} bytes" in confirm and hashlib.sha256(firmware).hexdigest() in confirm
    assert "Command:  BINFLASH.EXE -flash ND1300A-.BIN 1.0.0" in confirm


@pytest.mark.parametrize("answers", [["N"], ["Y", "N"]])
def test_declining_either_question_flashes_nothing(image, answers):
    run, _ = menu_run(image, ["2", " ", "3", *answers])
    assert not flashes(run) and at_menu(run)


def test_backup_without_a_writable_drive_stays_on_the_ram_disk_with_a_warning(image):
    run, pc = menu_run(image, ["2", " ", "5"])
    ram = pc.ramdisk_letter
    assert pc.drives[ram].files["\\FWBACK1.BIN"] == pc.current_firmware
    assert "LOST" in " ".join(run.screens[1])
    assert "on the RAM disk and is lost at reboot" in " ".join(run.screens[-1])


def test_backups_never_overwrite_an_older_one(image):
    pc = model_pc(image, **PCS["USB stick as C:, empty floppy drive, 1 hard disk"])
    pc.drives["C"].files["\\FWBACK1.BIN"] = b"the only good copy"
    boot(image, pc, "1", keys=["2", " "])
    assert pc.drives["C"].files["\\FWBACK1.BIN"] == b"the only good copy"
    assert pc.drives["C"].files["\\FWBACK2.BIN"] == pc.current_firmware


def test_no_backup_required_lets_flash_go_straight_to_the_questions(tmp_path, user_files, dos_dir):
    files = full_build(tmp_path, user_files, dos_dir, "--no-backup-required")
    run, _ = menu_run(files, ["3", "Y", "F", " "])
    assert flashes(run) == ["BINFLASH.EXE -flash ND1300A-.BIN 1.0.0"]
    assert "NONE - the current firmware cannot be restored" in " ".join(run.screens[-3])


def test_identify_prompt_and_reboot(image):
    run, _ = menu_run(image, ["1", " ", "4", "5", "Y"])
    assert "BINFLASH.EXE -scan" in run.commands and "REBOOT" in run.commands


def test_menu_screens_fit_80_by_25(image):
    """Every screen the user waits at, with the longest values the variables can take."""
    run, _ = menu_run(image, ["2", " ", "3", "Y", "F", " ", "1", " ", "5", "N"], pc_name="CD (read-only A:), 1 hard disk", config="2")
    assert len(run.screens) >= 8
    for screen in run.screens:
        assert len(screen) <= SCREEN_HEIGHT - 1, screen
        for line in screen:
            assert len(line) < SCREEN_WIDTH, line


def test_every_reason_the_menu_header_gives_fits_one_line(image):
    """MKWHY is the second line of every menu screen; found too long on real FreeDOS once."""
    reasons = [line[len("SET MKWHY="):] for line in lines_of(image["AUTOEXEC.BAT"]) if line.startswith("SET MKWHY=")]
    assert len(reasons) >= 8
    for reason in reasons:
        shown = " " + re.sub(r"%MK(DST|RAM)%", "Z:", reason)
        assert len(shown) < SCREEN_WIDTH, shown


@pytest.mark.parametrize("pc_name", PCS)
def test_the_boot_disk_can_be_taken_out_once_the_menu_shows(image, pc_name):
    """The promise on screen: with the RAM disk, the menu, backup and flash go on without it."""
    pc = model_pc(image, **PCS[pc_name])
    run = boot(image, pc, "1", keys=[EJECT, "2", " ", "3", "Y", "F", " "])
    assert flashes(run) == ["BINFLASH.EXE -flash ND1300A-.BIN 1.0.0"] and at_menu(run)
    assert not pc.drives[pc.boot].media and run.env["MKBAK"][0] != pc.boot


@pytest.mark.parametrize("pc_name", ["floppy, no hard disk", "USB stick as C:, empty floppy drive, 1 hard disk"])
@pytest.mark.parametrize("config", ["1", "2"])
def test_flasher_dir_a_maps_the_flashers_folder_with_subst(tmp_path, user_files, dos_dir, pc_name, config):
    files = full_build(tmp_path, user_files, dos_dir, "--flasher-dir-a")
    assert "FREEDOS/MKSUBST.COM" in files and "MKSUBST A: %MKHOME%\\FLASH\r\n" in files["FREEDOS/MENU.BAT"].decode()
    for name in BATCH_FILES:  # the one letter written in is the one the option asks for
        for line in lines_of(files[name]):
            if not line.startswith(("REM", "FOR %%D IN (", "IF ERRORLEVEL")):
                assert set(re.findall(r"(?<![%\w/])([A-Z]):", line)) <= {"A"}, line
    pc = model_pc(files, **PCS[pc_name])
    run = boot(files, pc, config, keys=[" ", "2", " ", "3", "Y", "F", " "])
    assert at_menu(run) and flashes(run)
    if run.env["MKHOME"] == "A:":  # a clean start from the floppy: A: cannot be mapped onto itself
        assert run.env["MKWORK"] == "A:\\FLASH" and "could not be mapped" in " ".join(run.screens[0])
    else:
        assert run.env["MKWORK"] == "A:\\" and run.env["MKSUBST"] == "A:" and run.drive == "A"
        assert not run.env["MKBAK"].startswith("A:"), "a backup never goes to the mapped A:"


def test_a_bad_copy_on_the_ram_disk_keeps_the_menu_on_the_boot_disk(image, monkeypatch):
    """CRCCHECK checks each copy against the list made at build time; one wrong byte and the boot disk stays in."""
    original = Run.do_copy

    def damaging_copy(self, rest):
        original(self, rest)
        ram = self.pc.drives.get(self.pc.ramdisk_letter or "")
        if ram and "\\FLASH\\ND1300A-.BIN" in ram.files:
            ram.files["\\FLASH\\ND1300A-.BIN"] = b"x" + ram.files["\\FLASH\\ND1300A-.BIN"][1:]

    monkeypatch.setattr(Run, "do_copy", damaging_copy)
    run, pc = menu_run(image, [" "])
    assert "copy on the RAM disk was bad" in run.screens[0][-2] and run.env["MKHOME"] == f"{pc.boot}:"
    assert at_menu(run)


@pytest.mark.parametrize("name", DOS_PROGRAM_NAMES + OPTIONAL_PROGRAMS)
def test_our_dos_programs_are_their_assembled_source(tmp_path, name):
    """The .COM files shipped in src/mkrescue/dosasm are what nasm makes of their .asm source."""
    import subprocess

    from judges import need

    source = Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm" / (name.split(".")[0].lower() + ".asm")
    out = tmp_path / name
    subprocess.run([need("nasm"), "-f", "bin", "-i", f"{source.parent}/", "-o", str(out), str(source)], check=True)
    assert out.read_bytes() == dos_program(name)
