"""A tiny DOS for testing our own .COM tools in CI, where there is no FreeDOS: the real
machine code runs on the Unicorn CPU emulator in 16-bit real mode, and the few DOS services
the tools call (files, console, exit) are answered here from a dict of files. What the tools
do on real FreeDOS is tested in QEMU when FreeDOS files are at hand (test_menu_qemu.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

unicorn = pytest.importorskip("unicorn", reason="the Unicorn CPU emulator runs our DOS tools (pip install unicorn)")
from unicorn import x86_const as x86  # noqa: E402

SEGMENT = 0x1000  # where the .COM and its PSP live
PARENT = 0x0800  # the shell that "runs" it: a PSP whose environment block follows
PARENT_ENV = 0x0900
CARRY = 0x0001
MAX_STEPS = 50_000_000  # instructions: a tool that loops forever fails the test, not the run
MAX_HANDLES = 15  # as DOS's FILES=20 less the five standard handles
XMS_ENTRY = 0xF000  # segment of the stand-in XMS driver's entry: INT E0h, RETF
XMS_TRAP = 0xE0


class DosExit(Exception):
    pass


@dataclass
class DosRun:
    """What a tool left behind: its exit code, what it printed, the files as they are now."""

    errorlevel: int
    output: str
    files: dict[str, bytes]
    environment: bytes = b""  # the parent's environment block as the tool left it


@dataclass
class _Dos:
    files: dict[str, bytearray]
    drive: str
    output: list[str] = field(default_factory=list)
    handles: dict[int, list] = field(default_factory=dict)  # handle -> [path, position]
    errorlevel: int | None = None
    keys: list[int] = field(default_factory=list)  # what the user types, in order

    def path(self, name: str) -> str:
        name = name.upper().replace("/", "\\")
        if len(name) < 2 or name[1] != ":":
            name = f"{self.drive}{name if name.startswith(chr(92)) else chr(92) + name}"
        return name

    def string(self, uc, address: int, end: int) -> str:
        data = bytearray()
        while (byte := uc.mem_read(address + len(data), 1)[0]) != end:
            data.append(byte)
        return data.decode("latin-1")

    def open(self, path: str, create: bool) -> int:
        if create:
            self.files[path] = bytearray()
        elif path not in self.files:
            raise FileNotFoundError
        if len(self.handles) >= MAX_HANDLES:
            raise OSError("too many open files")
        handle = max([4, *self.handles]) + 1
        self.handles[handle] = [path, 0]
        return handle

    def call(self, uc) -> None:
        ah = uc.reg_read(x86.UC_X86_REG_AH)
        ds, dx = uc.reg_read(x86.UC_X86_REG_DS), uc.reg_read(x86.UC_X86_REG_DX)
        bx, cx = uc.reg_read(x86.UC_X86_REG_BX), uc.reg_read(x86.UC_X86_REG_CX)
        buffer = ds * 16 + dx
        result, failed = None, False
        if ah == 0x02:
            self.output.append(chr(uc.reg_read(x86.UC_X86_REG_DL)))
        elif ah == 0x07:
            if not self.keys:
                raise AssertionError("the program waits for a key nobody types")
            uc.reg_write(x86.UC_X86_REG_AL, self.keys.pop(0))
        elif ah == 0x09:
            self.output.append(self.string(uc, buffer, ord("$")))
        elif ah in (0x25, 0x35):
            pass  # interrupt vectors: nothing here raises critical errors
        elif ah in (0x3C, 0x3D):
            try:
                result = self.open(self.path(self.string(uc, buffer, 0)), create=ah == 0x3C)
            except FileNotFoundError:
                result, failed = 2, True
            except OSError:
                result, failed = 4, True
        elif ah == 0x3E:
            failed = self.handles.pop(bx, None) is None
            result = 6 if failed else None
        elif ah == 0x3F:
            if bx not in self.handles:
                result, failed = 6, True
            else:
                entry = self.handles[bx]
                data = bytes(self.files[entry[0]][entry[1]:entry[1] + cx])
                entry[1] += len(data)
                uc.mem_write(buffer, data)
                result = len(data)
        elif ah == 0x40:
            data = bytes(uc.mem_read(buffer, cx))
            if bx in (1, 2):
                self.output.append(data.decode("latin-1"))
            elif bx in self.handles:
                entry = self.handles[bx]
                self.files[entry[0]][entry[1]:entry[1] + len(data)] = data
                entry[1] += len(data)
            else:
                result, failed = 6, True
            result = len(data) if not failed else result
        elif ah == 0x42:
            if bx not in self.handles:
                result, failed = 6, True
            else:
                entry = self.handles[bx]
                base = {0: 0, 1: entry[1], 2: len(self.files[entry[0]])}[uc.reg_read(x86.UC_X86_REG_AL)]
                entry[1] = base + (cx << 16 | dx)
                uc.reg_write(x86.UC_X86_REG_DX, entry[1] >> 16)
                result = entry[1] & 0xFFFF
        elif ah == 0x41:
            failed = self.files.pop(self.path(self.string(uc, buffer, 0)), None) is None
            result = 2 if failed else None
        elif ah == 0x4C:
            self.errorlevel = uc.reg_read(x86.UC_X86_REG_AL)
            uc.emu_stop()
            return
        else:
            raise NotImplementedError(f"INT 21h AH={ah:02X}h is not part of this tiny DOS")
        if result is not None:
            uc.reg_write(x86.UC_X86_REG_AX, result)
        flags = uc.reg_read(x86.UC_X86_REG_EFLAGS)
        uc.reg_write(x86.UC_X86_REG_EFLAGS, flags | CARRY if failed else flags & ~CARRY)


@dataclass(frozen=True)
class Xms:
    """A stand-in XMS driver: its largest free block, and whether it knows XMS 3.0's
    32-bit function 88h (HIMEMX does; an XMS 2.0 driver or a 286 fails it)."""

    free_kib: int
    version3: bool = True

    def call(self, uc) -> None:
        ah = uc.reg_read(x86.UC_X86_REG_AH)
        if ah == 0x88 and self.version3:
            uc.reg_write(x86.UC_X86_REG_EAX, self.free_kib)
            uc.reg_write(x86.UC_X86_REG_BL, 0 if self.free_kib else 0xA0)
        elif ah == 0x88:
            uc.reg_write(x86.UC_X86_REG_AX, 0)
            uc.reg_write(x86.UC_X86_REG_BL, 0x80)  # not implemented
        elif ah == 0x08:
            uc.reg_write(x86.UC_X86_REG_AX, min(self.free_kib, 0xFFFF))
            uc.reg_write(x86.UC_X86_REG_BL, 0 if self.free_kib else 0xA0)
        else:
            raise NotImplementedError(f"XMS function {ah:02X}h is not part of this stand-in")


def run_com(program: bytes, arguments: str, files: dict[str, bytes], drive: str = "C:", keys: str = "",
            environment: bytes = b"\0\0\0", environment_size: int = 256, xms: Xms | None = None) -> DosRun:
    """Run a .COM program with a command tail and a set of files ("C:\\DIR\\NAME": bytes);
    keys are what the user types; environment is the parent shell's block (its variables,
    the empty string, the count of strings after them and those), in a memory block of
    environment_size bytes (a multiple of 16); with `xms`, an XMS driver answers INT 2Fh
    AX=4300h/4310h and far calls."""
    dos = _Dos({k.upper(): bytearray(v) for k, v in files.items()}, drive, keys=list(keys.encode("latin-1")))
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_16)
    uc.mem_map(0, 0x100000)
    mcb = (PARENT_ENV - 1) * 16
    uc.mem_write(mcb, b"M" + PARENT.to_bytes(2, "little") + (environment_size // 16).to_bytes(2, "little"))
    uc.mem_write(PARENT_ENV * 16, environment.ljust(environment_size, b"\xee"))
    uc.mem_write(PARENT * 16 + 0x2C, PARENT_ENV.to_bytes(2, "little"))
    base = SEGMENT * 16
    uc.mem_write(base + 0x16, PARENT.to_bytes(2, "little"))
    tail = (" " + arguments if arguments else "").encode("ascii")
    uc.mem_write(base, b"\xcd\x20")  # PSP:0 is INT 20h, where a final RET lands
    uc.mem_write(base + 0x80, bytes([len(tail)]) + tail + b"\r")
    uc.mem_write(base + 0x100, program)
    for register in (x86.UC_X86_REG_CS, x86.UC_X86_REG_DS, x86.UC_X86_REG_ES, x86.UC_X86_REG_SS):
        uc.reg_write(register, SEGMENT)
    uc.reg_write(x86.UC_X86_REG_SP, 0xFFFE)  # a zero word on the stack: RET goes to PSP:0
    uc.mem_write(XMS_ENTRY * 16, bytes((0xCD, XMS_TRAP, 0xCB)))  # INT E0h, RETF

    def interrupt(uc, number, _data):
        if number == 0x21:
            dos.call(uc)
        elif number == 0x20:
            dos.errorlevel = 0
            uc.emu_stop()
        elif number == 0x2F and uc.reg_read(x86.UC_X86_REG_AX) == 0x4300:
            uc.reg_write(x86.UC_X86_REG_AL, 0x80 if xms else 0x00)
        elif number == 0x2F and uc.reg_read(x86.UC_X86_REG_AX) == 0x4310 and xms:
            uc.reg_write(x86.UC_X86_REG_ES, XMS_ENTRY)
            uc.reg_write(x86.UC_X86_REG_BX, 0)
        elif number == XMS_TRAP and xms:
            xms.call(uc)
        else:
            raise NotImplementedError(f"INT {number:02X}h is not part of this tiny DOS")

    uc.hook_add(unicorn.UC_HOOK_INTR, interrupt)
    uc.emu_start(base + 0x100, 0, count=MAX_STEPS)
    if dos.errorlevel is None:
        raise AssertionError(f"the program did not exit within {MAX_STEPS} instructions")
    environment = bytes(uc.mem_read(PARENT_ENV * 16, environment_size))
    return DosRun(dos.errorlevel, "".join(dos.output), {k: bytes(v) for k, v in dos.files.items()}, environment)
