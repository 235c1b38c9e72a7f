"""Fixtures for building images: a stand-in FreeDOS folder and user files.

The FreeDOS stand-ins are not FreeDOS: a fake kernel unless a test passes the stub
kernel, and small fake programs; enough to prove layout, writing and checking."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

FAKE_KERNEL = b"\xeb\x3cFAKE-KERNEL" + bytes(range(256)) * 40
FAKE_FILES = {
    "BIN/COMMAND.COM": b"\xe9FAKE-FREECOM" + b"\x90" * 3000,
    "BIN/CHOICE.EXE": b"MZ" + b"FAKE-CHOICE".ljust(1500, b"\0"),
    "BIN/HIMEMX.EXE": b"MZ" + b"FAKE-HIMEMX".ljust(4000, b"\0"),
    "BIN/SHSURDRV.EXE": b"MZ" + b"FAKE-SHSURDRV".ljust(5000, b"\0"),
    "LICENSES/KERNEL.TXT": b"GNU GENERAL PUBLIC LICENSE Version 2 (stand-in)\r\n",
}


def make_dos_dir(root: Path, kernel: bytes = FAKE_KERNEL) -> Path:
    (root / "BIN").mkdir(parents=True, exist_ok=True)
    (root / "BIN" / "KERNL386.SYS").write_bytes(kernel)
    for name, data in FAKE_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def dos_dir(tmp_path: Path) -> Path:
    return make_dos_dir(tmp_path / "freedos")


@pytest.fixture
def user_files(tmp_path: Path) -> tuple[Path, Path]:
    """A flasher (a tiny DOS MZ program) and a firmware file, as a user would have them."""
    flasher = tmp_path / "binflash.exe"
    flasher.write_bytes(b"MZ" + bytes(510) + b"FLASHER" * 100)
    firmware = tmp_path / "ND1300A-firmware.bin"
    firmware.write_bytes(b"_NEC ND-1300A 1.07" + bytes(range(256)) * 1024)
    return flasher, firmware


def run_mkrescue(*args: object, preexec_fn=None) -> subprocess.CompletedProcess:
    """mkrescue run as a user runs it, in its own process; arguments may be paths."""
    return subprocess.run([sys.executable, "-m", "mkrescue", *map(str, args)], capture_output=True, text=True,
                          preexec_fn=preexec_fn)


def build_with_stub_kernel(tmp_path: Path, stub_kernel: bytes, user_files, name: str, *extra: str) -> Path:
    """An image `name` built by mkrescue whose KERNEL.SYS is the stub kernel."""
    flasher, firmware = user_files
    dos = make_dos_dir(tmp_path / "freedos", kernel=stub_kernel)
    out = tmp_path / name
    built = run_mkrescue("--flasher", flasher, "--fw", firmware, "--dos-dir", dos, "-o", out, *extra)
    assert built.returncode == 0, built.stderr
    return out


def files_limited_to(max_bytes: int):
    """A subprocess preexec_fn after which the kernel refuses to grow any file past
    max_bytes (EFBIG, "file too large"), as a full disk refuses writes."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return limit
