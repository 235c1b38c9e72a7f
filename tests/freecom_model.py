"""A small model of FreeCOM running our batch files on a model PC (floppy, CD, USB stick;
0, 1 or 2 hard disks; a CD drive; XMS or none). It follows FreeCOM's documented semantics
(IF ERRORLEVEL n = n or more, GOTO, CALL, FOR, %VAR% expansion, chaining to another batch
file without CALL) and stands in for the FreeDOS tools the batch files call; the real
thing is checked by test_menu_qemu.py on real FreeDOS."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dos_emulator import run_com


def lines_of(data: bytes) -> list[str]:
    assert data.endswith(b"\r\n")
    text = data.decode("ascii")
    assert "\n" not in text.replace("\r\n", ""), "a bare LF or CR"
    return text.split("\r\n")[:-1]


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
    xms_free_kib: int = 512 * 1024  # the largest free XMS block
    ramdisk_kib: int | None = None  # the size the RAM disk was made with
    current_firmware: bytes = b"_NEC ND-1300A 1.06" + bytes(range(256)) * 1024  # what a dump reads
    failing: tuple[str, ...] = ()  # programs that fail here, e.g. KEYB


def model_pc(image: dict[str, bytes], boot: str, *, boot_writable: bool, hard_disks: int = 0, cd_drive: bool = False,
             floppy_a: bool = False, xms: bool = True, xms_free_kib: int = 512 * 1024) -> Pc:
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
    return Pc(drives, boot, xms=xms, xms_free_kib=xms_free_kib)


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
        if verb == "MENUKEY":  # our CHOICE /C:12..N /N for the menu's digits
            count, _, text = rest.partition(" ")
            self.screen.append(text)
            key = self.wait()
            while not (key.isdigit() and 1 <= int(key) <= int(count)):
                key = self.wait()
            self.errorlevel = int(key)
            return None
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
        if base in ("KEYB", "DISPLAY", "MODE"):
            # As on FreeDOS 1.4: MODE's select ends with 1 when it worked, 26 when it did not.
            select = base == "MODE" and "SELECT=" in " ".join(args)
            self.errorlevel = (26 if select else 1) if base in self.pc.failing else int(select)
        elif base == "XMSFREE":
            want, need = int(args[0]), int(args[1])
            free = self.pc.xms_free_kib
            self.errorlevel = 3 if not self.pc.xms else 0 if free >= want else 1 if free >= need else 2
        elif base == "SHSURDRV":
            size = next(int(a[3:-1]) for a in args if a.upper().startswith("/D:"))
            if not self.pc.xms or size > self.pc.xms_free_kib:
                self.errorlevel = 255
                return None
            self.pc.ramdisk_kib = size
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
        elif base in ("ASKDEV", "CHKBAK"):
            self.our_tool(self.read(f"{found[0]}\\{base}.COM"), base, args)
        elif base == "BINFLASH":
            if args[0] == "-dump":
                self.errorlevel = 0 if self.write(args[1], self.pc.current_firmware) else 1
            else:
                self.errorlevel = 0
        return None

    def our_tool(self, program: bytes, name: str, args: list[str]) -> None:
        """ASKDEV and CHKBAK are not modelled: their real machine code runs on the emulated
        CPU (dos_emulator.py) with this shell's environment, keys and files."""
        files, keys, environment = {}, "", b"\0\0\0"
        if name == "ASKDEV":
            keys = self.wait()
            environment = b"".join(f"{k}={v}".encode() + b"\0" for k, v in self.env.items()) + b"\0\0\0"
        else:
            for arg in args[:2]:
                letter, rest = self.split(arg)
                if (data := self.read(arg)) is not None:
                    files[f"{letter}:{rest}"] = data
            args = [f"{letter}:{rest}" for letter, rest in map(self.split, args[:2])] + args[2:]
        result = run_com(program, " ".join(args), files, keys=keys, environment=environment, environment_size=2048)
        self.screen.extend(result.output.replace("\r\n", "\n").split("\n")[:-1] if result.output else [])
        self.errorlevel = result.errorlevel
        if name == "ASKDEV":
            block = result.environment
            self.env = dict(entry.decode().split("=", 1) for entry in block[: block.index(b"\0\0")].split(b"\0") if entry)


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
