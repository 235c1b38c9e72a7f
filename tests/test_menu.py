"""The rendered FDCONFIG.SYS, AUTOEXEC.BAT and \\FREEDOS batch files, checked line by line
and run through a small model of FreeCOM on model PCs (floppy, CD, USB stick; 0, 1 or 2
hard disks; a CD drive; XMS or none). The model follows FreeCOM's documented semantics
(IF ERRORLEVEL n = n or more, GOTO, CALL, FOR, %VAR% expansion, chaining to another batch
file without CALL); the real thing is checked by test_menu_qemu.py on real FreeDOS."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from build_fixtures import dos_dir, user_files  # noqa: F401  (fixtures)
from dos_emulator import run_com
from judges import read_fat_files
from mkrescue.cli import main
from mkrescue.menu import DOS_PROGRAM_NAMES, dos_programs
from mkrescue.payload import is_valid_83

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


def lines_of(data: bytes) -> list[str]:
    assert data.endswith(b"\r\n")
    text = data.decode("ascii")
    assert "\n" not in text.replace("\r\n", ""), "a bare LF or CR"
    return text.split("\r\n")[:-1]


# ---------------------------------------------------------------------------------------
# A model of the PC and of FreeCOM running our batch files.

EJECT = "<take the boot disk out>"


class WaitingForKey(Exception):
    """CHOICE or PAUSE wants a key and the script has none left: the run stops there."""


class Rebooted(Exception):
    pass


@dataclass
class Drive:
    files: dict[str, bytes] = field(default_factory=dict)  # "\\DIR\\NAME" -> data
    writable: bool = True
    media: bool = True  # False: an empty floppy or CD drive
    dirs: set[str] = field(default_factory=lambda: {"\\"})


@dataclass
class Pc:
    drives: dict[str, Drive]
    boot: str  # "A"
    xms: bool = True
    ramdisk_letter: str | None = None


def model_pc(image: dict[str, bytes], boot: str, *, boot_writable: bool, hard_disks: int = 0, cd_drive: bool = False,
             floppy_a: bool = False, xms: bool = True) -> Pc:
    """A PC as DOS sees it: A: (a floppy drive when asked for or booted from), C:... hard disks
    (the boot drive C: when booted from a USB stick), then a CD drive letter."""
    drives: dict[str, Drive] = {}
    medium = Drive(files={"\\" + p.replace("/", "\\"): d for p, d in image.items()}, writable=boot_writable)
    medium.dirs |= {"\\" + p.rsplit("/", 1)[0].replace("/", "\\") for p in image if "/" in p}
    if boot == "A":
        drives["A"] = medium
    elif floppy_a:
        drives["A"] = Drive(media=False)  # an empty floppy drive
    letters = iter("CDEFGH")
    if boot == "C":
        drives[next(letters)] = medium
    for _ in range(hard_disks):
        drives[next(letters)] = Drive()
    if cd_drive:
        drives[next(letters)] = Drive(writable=False, media=False)
    return Pc(drives, boot, xms=xms)


@dataclass
class Run:
    pc: Pc
    image: dict[str, bytes]
    keys: list[str]
    env: dict[str, str]
    drive: str
    cwd: dict[str, str] = field(default_factory=dict)
    errorlevel: int = 0
    screen: list[str] = field(default_factory=list)
    screens: list[list[str]] = field(default_factory=list)  # what was on screen at each wait
    commands: list[str] = field(default_factory=list)  # external programs run, expanded
    visited: list[tuple[str, str]] = field(default_factory=list)  # (batch file, label) reached
    finished_in: str | None = None  # the batch file whose end returned to the prompt

    # --- file system -------------------------------------------------------------------
    def split(self, path: str) -> tuple[str, str]:
        path = path.upper()
        if len(path) >= 2 and path[1] == ":":
            letter, rest = path[0], path[2:]
        else:
            letter, rest = self.drive, path
        if not rest.startswith("\\"):
            rest = self.cwd.get(letter, "\\").rstrip("\\") + "\\" + rest
        return letter, rest.rstrip("\\") or "\\"

    def disk(self, letter: str) -> Drive | None:
        d = self.pc.drives.get(letter)
        return d if d is not None and d.media else None

    def exists(self, path: str) -> bool:
        letter, rest = self.split(path)
        d = self.disk(letter)
        if d is None:
            return False
        return rest in d.files

    def write(self, path: str, data: bytes) -> bool:
        letter, rest = self.split(path)
        d = self.disk(letter)
        if d is None or not d.writable:
            return False
        d.files[rest] = data
        return True

    def read(self, path: str) -> bytes | None:
        letter, rest = self.split(path)
        d = self.disk(letter)
        return d.files.get(rest) if d else None

    def listing(self, pattern: str) -> list[str]:
        letter, rest = self.split(pattern)
        folder, _, mask = rest.rpartition("\\")
        d = self.disk(letter)
        if d is None:
            return []
        assert mask in ("*.*",) or "*" not in mask
        return sorted(f"{letter}:{p}" for p in d.files if p.rpartition("\\")[0] == folder and (mask == "*.*" or p.endswith("\\" + mask)))

    # --- the shell -----------------------------------------------------------------------
    def expand(self, line: str, args: list[str]) -> str:
        out, i = [], 0
        while i < len(line):
            ch = line[i]
            if ch != "%":
                out.append(ch)
                i += 1
                continue
            nxt = line[i + 1 : i + 2]
            if nxt == "%":
                out.append("%")
                i += 2
            elif nxt.isdigit():
                n = int(nxt)
                out.append(args[n] if n < len(args) else "")
                i += 2
            else:
                end = line.find("%", i + 1)
                assert end > 0, f"a lone % in {line!r}"
                name = line[i + 1 : end].upper()
                if name in self.env:
                    out.append(self.env[name])
                elif name == "ERRORLEVEL":
                    out.append(str(self.errorlevel))
                elif name in ("CD", "_CWD"):
                    out.append(f"{self.drive}:{self.cwd.get(self.drive, chr(92))}")
                i = end + 1
        return "".join(out)

    def run_batch(self, path: str, args: list[str], depth: int = 0) -> str | None:
        """Run a batch file; returns the path of a batch file it chained to, else None."""
        assert depth < 40, "CALL nesting runs away"
        data = self.read(path)
        assert data is not None, f"{path} does not exist on the model PC"
        lines = lines_of(data)
        labels = {ln[1:].strip().upper(): n for n, ln in enumerate(lines) if ln.startswith(":")}
        pc_ = 0
        steps = 0
        name = path.upper()
        while pc_ < len(lines):
            steps += 1
            assert steps < 20000, f"{name} loops forever"
            # DOS reads a batch file line by line: once it is gone (the boot disk taken out,
            # its drive mapped elsewhere by SUBST) the batch file ends there.
            if self.read(path) != data:
                self.screen.append("Batch file missing")
                return None
            raw = lines[pc_].strip()
            pc_ += 1
            if raw.startswith(":"):
                self.visited.append((name.rsplit("\\", 1)[-1], raw[1:].upper()))
                continue
            if not raw or raw.upper().startswith("REM"):
                continue
            result = self.execute(self.expand(raw.lstrip("@"), [path, *args]), depth)
            if result is None:
                continue
            kind, target = result
            if kind == "goto":
                assert target.upper() in labels, f"{name}: GOTO {target} has no label"
                pc_ = labels[target.upper()]
            elif kind == "chain":
                return target
        return None

    def execute(self, line: str, depth: int):
        word, _, rest = line.partition(" ")
        verb = word.upper()
        if verb == "IF":
            return self.do_if(rest, depth)
        if verb == "GOTO":
            return ("goto", rest.strip())
        if verb == "FOR":
            m = re.fullmatch(r"%(\w) IN \((.*)\) DO (.*)", rest, re.I)
            assert m, f"FOR syntax: {line!r}"
            for item in m.group(2).split():
                result = self.execute(m.group(3).replace("%" + m.group(1), item), depth)
                assert result is None, "a GOTO inside FOR"
            return None
        if verb == "CALL":
            target, *args = rest.split()
            chained = self.run_batch(target, args, depth + 1)
            while chained:
                chained = self.run_batch(chained, [], depth + 1)
            return None
        if verb == "SET":
            name, _, value = rest.partition("=")
            if value:
                self.env[name.strip().upper()] = value
            else:
                self.env.pop(name.strip().upper(), None)
            return None
        if verb == "ECHO" or verb.startswith("ECHO."):
            return self.do_echo(line)
        if re.fullmatch(r"[A-Z]:", verb):
            assert self.disk(verb[0]) is not None, f"switch to a missing drive {verb}"
            self.drive = verb[0]
            return None
        if verb == "CD":
            letter, rest_path = self.split(rest.strip())
            assert rest_path in self.pc.drives[letter].dirs, f"CD to a missing folder {rest}"
            self.cwd[letter] = rest_path
            return None
        if verb == "MD":
            letter, rest_path = self.split(rest.strip())
            d = self.disk(letter)
            if d and d.writable:
                d.dirs.add(rest_path)
            return None
        if verb == "CLS":
            self.screen = []
            return None
        if verb == "PAUSE":
            self.screen.append("Press any key to continue . . .")
            self.wait()
            self.screen.append("")
            return None
        if verb == "CHOICE":
            return self.do_choice(rest)
        if verb == "COPY":
            return self.do_copy(rest)
        if verb == "DEL":
            letter, p = self.split(rest.strip())
            self.pc.drives[letter].files.pop(p, None)
            return None
        if verb == "DIR":
            self.screen.append(f"(DIR {rest})")
            return None
        if verb.endswith(".BAT") or self.read(verb) is not None and verb.endswith(".BAT"):
            return ("chain", word)
        return self.program(word, rest.split())

    def do_if(self, rest: str, depth: int):
        negate = False
        if rest.upper().startswith("NOT "):
            negate, rest = True, rest[4:]
        m = re.match(r"ERRORLEVEL (\d+) (.*)", rest, re.I)
        if m:
            cond, command = self.errorlevel >= int(m.group(1)), m.group(2)
        elif (m := re.match(r"EXIST (\S+) (.*)", rest, re.I)):
            cond, command = self.exists(m.group(1)), m.group(2)
        else:
            m = re.match(r'"([^"]*)"=="([^"]*)" (.*)', rest)
            assert m, f"IF syntax: {rest!r}"
            cond, command = m.group(1) == m.group(2), m.group(3)
        return self.execute(command, depth) if cond != negate else None

    def do_echo(self, line: str):
        text = line[5:] if line[4:5] == " " else ""
        if line.upper() in ("ECHO OFF", "@ECHO OFF"):
            return None
        assert ">" not in text, "a failed redirection prints an error on FreeCOM's screen"
        self.screen.append(text)
        return None

    def wait(self):
        self.screens.append(list(self.screen))
        while self.keys and self.keys[0] == EJECT:  # the user takes the boot disk out
            self.keys.pop(0)
            self.pc.drives[self.pc.boot].media = False
        if not self.keys:
            raise WaitingForKey
        return self.keys.pop(0)

    def do_choice(self, rest: str):
        m = re.match(r"/C:(\w+)(?: /N)?(?: /T:(\w),(\d+))? ?(.*)", rest)
        assert m, f"CHOICE syntax: {rest!r}"
        keys, text = m.group(1), m.group(4).strip()
        self.screen.append(text + ("" if "/N" in rest else f"[{','.join(keys)}]?"))
        key = self.wait().upper()
        while key not in keys:  # CHOICE beeps at other keys and waits on
            key = self.wait().upper()
        self.errorlevel = keys.index(key) + 1
        return None

    def do_copy(self, rest: str):
        src, dst = rest.replace("> NUL", "").split()
        sources = self.listing(src) if "*" in src else [self.split(src)[0] + ":" + self.split(src)[1]]
        dletter, dpath = self.split(dst)
        ok = self.disk(dletter) is not None and self.pc.drives[dletter].writable and dpath in self.pc.drives[dletter].dirs
        for s in sources:
            data = self.read(s)
            if ok and data is not None:
                self.pc.drives[dletter].files[dpath.rstrip("\\") + "\\" + s.rsplit("\\", 1)[-1]] = data
        return None

    def program(self, word: str, args: list[str]):
        """External programs: the FreeDOS tools the batch files call, and the flasher."""
        name = word.upper().rsplit("\\", 1)[-1]
        self.commands.append(" ".join([name, *args]))
        found = [d for d in (self.env.get("PATH", "").split(";")) if d and self.read(f"{d}\\{name}" if "." in name else f"{d}\\{name}.EXE") is not None]
        found += [d for d in (self.env.get("PATH", "").split(";")) if d and self.read(f"{d}\\{name}.COM") is not None]
        if name == "%COMSPEC%" or word == self.env.get("COMSPEC"):
            return None
        assert found or self.read(word) is not None or self.read(word + ".EXE") is not None, f"{name} is not on PATH {self.env.get('PATH')}"
        base = name.split(".")[0]
        if base == "SHSURDRV":
            if not self.pc.xms:
                self.errorlevel = 255
                return None
            letter = next(c for c in "CDEFGHIJKLMNOPQRSTUVWXYZ" if c not in self.pc.drives)
            self.pc.drives[letter] = Drive()
            self.pc.ramdisk_letter = letter
            self.errorlevel = ord(letter) - ord("A") + 1
        elif base == "WRTEST":
            letter = args[0].rstrip(":")
            drive = self.pc.drives.get(letter)
            self.errorlevel = 2 if drive is None else 0 if drive.media and drive.writable else 1
        elif base == "RDISK":
            letter = args[1].removeprefix("/:")
            assert letter not in self.pc.drives, "RDISK given a letter in use"
            self.pc.drives[letter] = Drive()
            self.pc.ramdisk_letter = letter
        elif base == "MKSUBST":
            letter, _, folder = args[0].rstrip(":"), None, self.split(args[1])
            source = self.pc.drives[folder[0]]
            prefix = folder[1].rstrip("\\") + "\\"
            self.pc.drives[letter] = Drive(files={"\\" + p[len(prefix):]: d for p, d in source.files.items() if p.startswith(prefix)})
        elif base == "REBOOT":
            raise Rebooted
        elif base == "CRCCHECK":
            # The real program, on the emulated CPU, over the files of the drive it checks.
            letter = args[0][0]
            files = {f"{letter}:{path}": data for path, data in self.pc.drives[letter].files.items()}
            program = self.read(f"{found[0]}\\CRCCHECK.COM")
            self.errorlevel = run_com(program, " ".join(args), files).errorlevel
        elif base == "BINFLASH":
            if args[0] == "-dump":
                self.errorlevel = 0 if self.write(args[1], b"old firmware") else 1
            else:
                self.errorlevel = 0
        return None


def boot(image: dict[str, bytes], pc: Pc, config: str | None, keys: list[str]) -> Run:
    """Start the model PC as the kernel does: on the boot drive, FreeCOM's environment."""
    env = {"PATH": "", "COMSPEC": f"{pc.boot}:\\COMMAND.COM"}
    if config is not None:
        env["CONFIG"] = config
    run = Run(pc=pc, image=image, keys=list(keys), env=env, drive=pc.boot)
    try:
        chained = run.run_batch(f"{pc.boot}:\\AUTOEXEC.BAT", [])
        last = f"{pc.boot}:\\AUTOEXEC.BAT"
        while chained:
            last = chained
            chained = run.run_batch(chained, [])
        run.finished_in = last
    except (WaitingForKey, Rebooted):
        pass
    return run


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


def test_every_choice_key_reaches_a_label(image):
    """After each CHOICE, each key's errorlevel is routed by the ladder that follows."""
    for name in BATCH_FILES:
        lines = lines_of(image[name])
        labels = {ln[1:].strip().upper() for ln in lines if ln.startswith(":")}
        for n, line in enumerate(lines):
            m = re.match(r"CHOICE /C:(\w+)", line)
            if not m:
                continue
            ladder = []
            for follow in lines[n + 1 :]:
                if follow.startswith("REM"):
                    continue
                g = re.match(r"IF (NOT )?ERRORLEVEL (\d+) GOTO (\S+)", follow)
                if not g:
                    break
                ladder.append((bool(g.group(1)), int(g.group(2)), g.group(3).upper()))
            assert ladder, f"{name}: CHOICE without a ladder: {line}"
            for key_number in range(0, len(m.group(1)) + 2):  # 0: interrupted, len+1: error
                target = next((t for neg, lvl, t in ladder if (key_number >= lvl) != neg), "fall through")
                assert target == "fall through" or target in labels


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
    assert pc.drives["A"].files["\\FWBACK1.BIN"] == b"old firmware", "the backup goes to the writable boot floppy"
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
    assert pc.drives[ram].files["\\FWBACK1.BIN"] == b"old firmware"
    assert "LOST" in " ".join(run.screens[1])
    assert "on the RAM disk and is lost at reboot" in " ".join(run.screens[-1])


def test_backups_never_overwrite_an_older_one(image):
    pc = model_pc(image, **PCS["USB stick as C:, empty floppy drive, 1 hard disk"])
    pc.drives["C"].files["\\FWBACK1.BIN"] = b"the only good copy"
    boot(image, pc, "1", keys=["2", " "])
    assert pc.drives["C"].files["\\FWBACK1.BIN"] == b"the only good copy"
    assert pc.drives["C"].files["\\FWBACK2.BIN"] == b"old firmware"


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


@pytest.mark.parametrize("name", DOS_PROGRAM_NAMES)
def test_our_dos_programs_are_their_assembled_source(tmp_path, name):
    """The .COM files shipped in src/mkrescue/dosasm are what nasm makes of their .asm source."""
    import subprocess

    from judges import need

    source = Path(__file__).parent.parent / "src" / "mkrescue" / "dosasm" / (name.split(".")[0].lower() + ".asm")
    out = tmp_path / name
    subprocess.run([need("nasm"), "-f", "bin", "-o", str(out), str(source)], check=True)
    assert out.read_bytes() == dict(dos_programs())[name]
