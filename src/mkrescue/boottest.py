"""Boot an image in QEMU without a display and read what it shows: the 80x25 text
screen (from VGA text memory, through QEMU's QMP monitor) and what COM1 received.

The image is never written to (-snapshot), and QEMU never outlives boot()."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import stat
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mkrescue.errors import BootTestFailed, InputFileError, OutputError, UsageError, WriteError, os_reason
from mkrescue.media import BootMedia
from mkrescue.outfile import pending

QEMU = "qemu-system-i386"
QEMU_64 = "qemu-system-x86_64"  # OVMF is x86-64 firmware
FIRMWARES = ("bios", "uefi")
# OVMF from Debian's `ovmf` package: UEFI without CSM, as a UEFI-only PC has it.
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
# What OVMF sends to the serial port when no medium has an EFI boot loader: it gives
# up and opens its shell, which never boots anything by itself.
UEFI_FAILURES = ("UEFI Interactive Shell",)
VGA_TEXT = 0xB8000
COLUMNS, ROWS = 80, 25
POLL_SECONDS = 0.2
STABLE_SECONDS = 2.0  # without `expect`: the screen counts as final once unchanged this long
KEY_SECONDS = 0.1  # between two keys, so the guest sees each one
AFTER_KEYS_SECONDS = 1.0  # for the guest to react to the last key
START_SECONDS = 10.0  # for QEMU to open its monitor socket
MAX_TIMEOUT = 24 * 3600.0  # --timeout: a day is more than any boot needs
# One key or combination (ctrl-alt-kp_multiply is 21): QEMU's monitor refuses long lines.
MAX_KEY_LENGTH = 64
# What the screen shows when a PC cannot start the image: SeaBIOS's words, then our boot sector's.
BOOT_FAILURES = ("No bootable device", "Boot failed", "KERNEL.SYS missing", "Disk error", "Bad FAT chain")


@dataclass(frozen=True)
class Step:
    """Wait for `text` on the screen (or COM1), then type `keys` (QEMU key names)."""

    text: str
    keys: tuple[str, ...]


STEP_ARROW = "=>"


def parse_step(given: str) -> Step:
    """'TEXT=>KEYS' (KEYS: QEMU key names separated by blanks, e.g. '1 dot 0 ret'; none
    to only wait) as a Step."""
    text, arrow, keys = given.rpartition(STEP_ARROW)
    if not arrow or not text.strip():
        raise UsageError(f"--step {given!r} is not TEXT=>KEYS: give the text to wait for, then =>, then the keys, "
                         "e.g. --step 'Choose 1 to 6=>2'")
    return Step(text.strip(), tuple(keys.split()))


class QemuMissing(BootTestFailed):
    def __init__(self, program: str = QEMU) -> None:
        super().__init__(f"{program} not found: install QEMU (e.g. apt-get install qemu-system-x86) to boot-test images")


def failure_line(screen: str, serial: str = "") -> str | None:
    """The screen line saying the image did not boot, if one does; or that UEFI firmware
    found nothing to start (it says so on COM1)."""
    shown = next((line.strip() for line in screen.splitlines() if any(f in line for f in BOOT_FAILURES)), None)
    if shown is None and any(f in serial for f in UEFI_FAILURES):
        return "UEFI Interactive Shell (the firmware found no EFI boot loader)"
    return shown


@dataclass(frozen=True)
class BootResult:
    screen: str  # the 80x25 text screen: 25 lines joined by "\n", trailing spaces stripped
    serial: str  # what COM1 received, CR LF as "\n"
    matched: bool  # `expect` was seen on the screen or the serial port in time; without `expect`: the screen settled
    missed_step: str | None = None  # "step N, TEXT": the step whose text never came (then nothing after it ran)
    reads: tuple[tuple[int, int], ...] = ()  # (offset, bytes) of each read of the image until then, before any `keys`; BIOS only

    @property
    def bytes_read(self) -> int:
        return sum(length for _, length in self.reads)

    @property
    def failure(self) -> str | None:
        """The screen line saying the image did not boot, if one does."""
        return failure_line(self.screen, self.serial)

    def problem(self, expect: str | None, timeout: float) -> str | None:
        """Why this boot does not pass, in one line; None when it does."""
        if self.failure:
            return f"the image did not boot: the screen says {self.failure!r}"
        if self.missed_step:
            return f"{self.missed_step} did not appear within {timeout:g} s"
        if not self.matched:
            return f"{expect!r} did not appear within {timeout:g} s" if expect else f"the screen never settled within {timeout:g} s"
        return None


def _check_image(image: Path) -> None:
    from mkrescue.check import image_mode

    if not stat.S_ISREG(image_mode(image)):
        raise InputFileError(f"{image} is not a regular file (a pipe or a device): give an image file")


def media_for(image: Path) -> BootMedia:
    """How to attach an image: from its content, as `check` recognises it, as a PC would boot it."""
    from mkrescue.check import detect  # the checker is loaded only when it is needed
    from mkrescue.check.report import ImageKind

    attach = {ImageKind.FLOPPY: BootMedia.FLOPPY, ImageKind.ISO: BootMedia.CDROM, ImageKind.USB: BootMedia.HDD}

    image = Path(image)
    _check_image(image)
    with image.open("rb") as fp:
        kind = detect(fp, image.stat().st_size)
    if kind not in attach:
        raise BootTestFailed(f"{image} is not a floppy, CD or USB image: nothing a PC could boot; check it with mkrescue check")
    return attach[kind]


def _check_screenshot(screenshot: Path, image: Path, force: bool) -> None:
    """The screenshot never replaces the image, nor an existing file without --force."""
    if not screenshot.parent.is_dir():
        raise OutputError(f"the folder {screenshot.parent} for the screenshot does not exist: create it first")
    if screenshot.is_dir():
        raise OutputError(f"--screenshot {screenshot} is a folder: give a file name such as {screenshot / 'screen.png'}")
    with contextlib.suppress(OSError):
        if os.path.samestat(screenshot.stat(), image.stat()):
            raise OutputError(f"--screenshot {screenshot} is the image under test: choose another name for the screenshot")
    if (screenshot.exists() or screenshot.is_symlink()) and not force:
        raise OutputError(f"--screenshot {screenshot} already exists: choose another name or pass --force to replace it")


def boot(image: Path, media: BootMedia | str, *, expect: str | None = None, timeout: float = 60.0,
         keys: Sequence[str] = (), screenshot: Path | None = None, force: bool = False,
         steps: Sequence[Step] = (), firmware: str = "bios") -> BootResult:
    """Boot `image` attached as `media`; first play `steps` in
    order, each waiting up to `timeout` seconds for its text (on a screen that changed
    since the keys of the step before, if it typed any), then typing its keys. Then wait
    until `expect` shows up on the screen or the serial port (without `expect`: until the
    screen has not changed for a while), or until `timeout` seconds have passed. Then type
    `keys`, each a QEMU key name as the monitor's `sendkey` takes it ("a", "1", "ret",
    "shift-a"), and return what the screen and the serial port show; with `screenshot`,
    also save the screen as a PNG there (replacing a file only with `force`). A screen
    saying the PC cannot boot the image ends any wait at once. `firmware` "uefi" boots a
    UEFI-only PC (OVMF, no CSM) instead of a BIOS PC."""
    try:
        media = BootMedia(media)
    except ValueError:
        raise ValueError(f"media must be one of {', '.join(BootMedia)}, not {media!r}") from None
    if firmware not in FIRMWARES:
        raise ValueError(f"firmware must be one of {', '.join(FIRMWARES)}, not {firmware!r}")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise UsageError(f"--timeout {timeout:g} is not a number of seconds from above 0 to {MAX_TIMEOUT:g}")
    image = Path(image)
    _check_image(image)
    if screenshot is not None:
        _check_screenshot(Path(screenshot), image, force)
    program = QEMU_64 if firmware == "uefi" else QEMU
    qemu = shutil.which(program)
    if qemu is None:
        raise QemuMissing(program)
    if firmware == "uefi" and not (OVMF_CODE.is_file() and OVMF_VARS.is_file()):
        raise BootTestFailed(f"OVMF (UEFI firmware for QEMU) not found as {OVMF_CODE}: install it (apt-get install ovmf)")
    try:
        temporary = tempfile.TemporaryDirectory(prefix="mkrescue-boot-")
    except OSError as exc:
        raise WriteError(f"cannot make a temporary folder in {tempfile.gettempdir()} ({os_reason(exc)}): free space"
                         " there, or set TMPDIR to a folder with room") from exc
    with temporary as tmp:
        work = Path(tmp)
        monitor, serial, screen_dump, log = work / "qmp", work / "serial", work / "screen", work / "qemu.log"
        trace = work / "reads"
        machine = _uefi_options(work) if firmware == "uefi" else _machine_options()
        # Every read of a drive, whichever device model (floppy, IDE, USB) makes it; under
        # BIOS the image is the only medium attached (UEFI's firmware flash is one more, so
        # there reads are not traced).
        tracing = [] if firmware == "uefi" else ["-trace", "blk_co_preadv", "-D", str(trace)]
        command = [qemu, *machine, *_media_options(image, media),
                   "-qmp", f"unix:{monitor},server=on,wait=off", "-serial", f"file:{serial}", *tracing]
        with log.open("wb") as log_file:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        qmp = None
        try:
            qmp = _Qmp(monitor, process, log)
            typed = [*(key for step in steps for key in step.keys), *keys]
            if typed:  # QEMU's schema is asked only when there is something to type
                _check_key_names(typed, _key_names(qmp))

            def look() -> tuple[str, str]:
                qmp.command("pmemsave", val=VGA_TEXT, size=COLUMNS * ROWS * 2, filename=str(screen_dump))
                return _screen_text(screen_dump.read_bytes()), _serial_text(serial)

            def type_keys(names: Sequence[str]) -> None:
                for key in names:
                    refusal = qmp.command("human-monitor-command", **{"command-line": f"sendkey {key}"})
                    if refusal:  # the human monitor answers errors in text, success with nothing
                        raise BootTestFailed(f"QEMU cannot type {key!r}: {str(refusal).strip()}")
                    time.sleep(KEY_SECONDS)

            missed, before = None, None
            for number, step in enumerate(steps, 1):
                if not _wait(look, step.text, time.monotonic() + timeout, changed_from=before):
                    missed = f"step {number}, {step.text!r},"
                    break
                before = look() if step.keys else None  # a step without keys only checks the screen
                type_keys(step.keys)
            matched = missed is None and _wait(look, expect, time.monotonic() + timeout, changed_from=before)
            reads = _reads(trace)
            if keys and missed is None:
                type_keys(keys)
                time.sleep(AFTER_KEYS_SECONDS)
            screen, serial_text = look()
            if screenshot is not None:
                png = work / "screen.png"
                qmp.command("screendump", filename=str(png), format="png")
                _save_screenshot(png.read_bytes(), Path(screenshot), force)
        finally:
            if qmp is not None:
                qmp.close()
            process.kill()
            process.wait()
    return BootResult(screen=screen, serial=serial_text, matched=matched, missed_step=missed, reads=reads)


def _save_screenshot(png: bytes, screenshot: Path, force: bool) -> None:
    try:
        with pending(screenshot, force) as out:
            out.file.write(png)
            out.commit()
    except OSError as exc:
        raise WriteError(f"cannot save the screenshot as {screenshot}: {os_reason(exc)};"
                         " choose a folder you can write to") from exc


def _machine_options() -> list[str]:
    # TCG, not KVM: these boots are all emulated-device I/O, where every KVM exit costs
    # more than TCG's translation. Measured in a VM with /dev/kvm: the stub kernel from a
    # floppy in 0.3 s under TCG, 6 to 30 s under KVM; from a CD or disk 0.3 s against 2 s.
    return ["-accel", "tcg", "-m", "32", "-display", "none", "-nic", "none", "-snapshot", "-no-user-config"]


def _uefi_options(work: Path) -> list[str]:
    """A UEFI-only PC: OVMF's code read-only, its variables in a copy of their own (the
    firmware writes boot entries there). A CSM wrapper wants memory and, from 2.x on,
    keeps one CPU for itself."""
    variables = work / "OVMF_VARS.fd"
    shutil.copyfile(OVMF_VARS, variables)
    # -nodefaults: no empty CD drive, which the BIOS inside a CSM wrapper would try first.
    return ["-M", "pc", "-nodefaults", "-m", "512", "-smp", "2", "-vga", "std", "-accel", "tcg", "-display", "none",
            "-nic", "none", "-snapshot", "-no-user-config",
            "-drive", f"if=pflash,unit=0,format=raw,readonly=on,file={_qemu_path(OVMF_CODE)}",
            "-drive", f"if=pflash,unit=1,format=raw,file={_qemu_path(variables)}"]


def _qemu_path(path: Path) -> str:
    return str(path.resolve()).replace(",", ",,")  # QEMU doubles commas inside option values


def _media_options(image: Path, media: BootMedia) -> list[str]:
    file = "file=" + _qemu_path(image)
    if media == BootMedia.FLOPPY:
        return ["-drive", f"if=floppy,index=0,format=raw,{file}", "-boot", "order=a"]
    if media == BootMedia.CDROM:
        return ["-drive", f"if=ide,index=2,media=cdrom,format=raw,readonly=on,{file}", "-boot", "order=d"]
    if media == BootMedia.HDD:
        return ["-drive", f"if=ide,index=0,media=disk,format=raw,{file}", "-boot", "order=c"]
    controller = "usb-ehci,id=usb" if media == BootMedia.USB2 else "qemu-xhci,id=usb"  # a USB 2 stick, or a USB 3 one
    return ["-device", controller, "-drive", f"if=none,id=stick,format=raw,{file}",
            "-device", "usb-storage,bus=usb.0,drive=stick,bootindex=0"]


def _wait(look, expect: str | None, deadline: float, changed_from: tuple[str, str] | None = None) -> bool:
    """Poll the screen and the serial port until `expect` shows on a screen other than
    `changed_from` (or, without `expect`, until the screen has settled); False when the
    deadline comes first, or at once when the screen says the PC cannot boot."""
    last, since = None, time.monotonic()
    while True:
        seen = look()
        now = time.monotonic()
        if expect is not None:
            if seen != changed_from and (expect in seen[0] or expect in seen[1]):
                return True
            if failure_line(*seen):
                return False
        elif seen != last:
            last, since = seen, now
        elif now - since >= STABLE_SECONDS:
            return True
        if now >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def _screen_text(memory: bytes) -> str:
    """VGA text memory (character, attribute pairs) as lines of text."""
    characters = memory[0::2].decode("cp437").replace("\0", " ")
    return "\n".join(characters[row * COLUMNS:(row + 1) * COLUMNS].rstrip() for row in range(ROWS))


def _serial_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("cp437").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


_READ = re.compile(rb"blk_co_preadv .* offset (\d+) bytes (\d+) ")


def _reads(trace: Path) -> tuple[tuple[int, int], ...]:
    """(offset, bytes) of each read in QEMU's trace so far; a line still being written has no end yet."""
    try:
        lines = trace.read_bytes().split(b"\n")[:-1]
    except FileNotFoundError:
        return ()
    return tuple((int(m[1]), int(m[2])) for m in map(_READ.search, lines) if m)


def _key_names(qmp: _Qmp) -> frozenset[str]:
    """The key names this QEMU's sendkey takes: its QKeyCode enum, read from its own schema
    (the enum that names "ret", "spc" and "kp_enter"), so no list here can go stale."""
    for entry in qmp.command("query-qmp-schema"):
        values = entry.get("values") or [member.get("name") for member in entry.get("members", ()) if "name" in member]
        if entry.get("meta-type") == "enum" and {"ret", "spc", "kp_enter"} <= set(values):
            return frozenset(values)
    return frozenset()  # a QEMU whose schema hides it: sendkey itself will refuse a wrong name


def _check_key_names(keys: Sequence[str], names: frozenset[str]) -> None:
    """Refuse a key QEMU cannot type before the boot is waited for, not when its step comes.
    A key is names joined by '-' (shift-a), each a key name or a hex scan code (0x1e)."""
    if not names:
        return
    for key in keys:
        if len(key) > MAX_KEY_LENGTH:
            raise UsageError(f"the key {key[:20]!r}... is {len(key)} characters long; a key combination such as"
                             f" ctrl-alt-delete has at most {MAX_KEY_LENGTH}: separate keys with spaces")
        for part in key.split("-"):
            if part not in names and part != "<" and not re.fullmatch(r"0x[0-9a-fA-F]{1,4}", part):
                raise UsageError(f"QEMU has no key named {part!r} (in {key!r}): use QEMU key names such as"
                                 " 1, y, ret, spc, dot, esc, shift-a")


class _Qmp:
    """A minimal client of QEMU's JSON monitor on a Unix socket."""

    def __init__(self, path: Path, process: subprocess.Popen, log: Path) -> None:
        self.process, self.log = process, log
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise self._failure("QEMU stopped at start")
            try:
                self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.socket.settimeout(START_SECONDS)
                self.socket.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.socket.close()
                if time.monotonic() > deadline:
                    raise self._failure("QEMU did not open its monitor") from None
                time.sleep(0.05)
        self.reader = self.socket.makefile("rb")
        self._receive()  # the greeting
        self.command("qmp_capabilities")

    def command(self, name: str, **arguments) -> object:
        self.socket.sendall(json.dumps({"execute": name, "arguments": arguments}).encode() + b"\n")
        while True:
            reply = self._receive()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise BootTestFailed(f"QEMU refused {name}: {reply['error'].get('desc', reply['error'])}")
            # anything else is an asynchronous event

    def close(self) -> None:
        self.reader.close()
        self.socket.close()

    def _receive(self) -> dict:
        try:
            line = self.reader.readline()
        except OSError as exc:
            raise self._failure(f"QEMU's monitor failed ({exc})") from None
        if not line:
            raise self._failure("QEMU stopped")
        return json.loads(line)

    def _failure(self, what: str) -> BootTestFailed:
        """`what`, with the last line QEMU printed, which usually says why."""
        self.process.poll()
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        return BootTestFailed(f"{what}: {lines[-1]}" if lines else what)
