"""Shared fixtures. Tools that some tests need (nasm, QEMU) skip those tests, with the
reason, where they are not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# Fixtures defined next to their helpers, registered here once for every test module.
pytest_plugins = ["build_fixtures", "check_images"]


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found


@pytest.fixture(scope="session")
def require_nasm() -> str:
    """The path of nasm; skips the test without it."""
    return _tool("nasm", "nasm")


@pytest.fixture(scope="session")
def require_qemu() -> str:
    """The path of qemu-system-i386; skips the test without it."""
    return _tool("qemu-system-i386", "qemu-system-x86")


@pytest.fixture(scope="session")
def stub_kernel(require_nasm: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """tests/fixtures/stubkernel.asm assembled: a ~70 KiB stand-in KERNEL.SYS that prints
    MKRESCUE-STUB OK DRIVE=xx to the screen and COM1 when it was loaded the FreeDOS way."""
    out = tmp_path_factory.mktemp("stub") / "KERNEL.SYS"
    subprocess.run([require_nasm, "-f", "bin", "-o", str(out), str(FIXTURES / "stubkernel.asm")], check=True)
    return out.read_bytes()
