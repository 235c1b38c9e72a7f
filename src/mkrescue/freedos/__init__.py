"""FreeDOS files: where they come from (a user's directory, or packages downloaded,
verified and cached) and which of them a rescue medium uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from mkrescue.freedos.catalogue import DEFAULT_RELEASE
from mkrescue.freedos.dosdir import DosFiles, locate

if TYPE_CHECKING:
    from mkrescue.freedos.download import Progress


def obtain_dos_files(dos_dir: Path | None, *, release: str = DEFAULT_RELEASE, cache_dir: Path | None = None,
                     mirror: str | None = None, packages_dir: Path | None = None, offline: bool = False,
                     progress: Progress | None = None,
                     report: Callable[[str], None] = lambda line: None) -> DosFiles:
    """The user's --dos-dir when given, else the release's packages from the cache, downloading what is missing."""
    if dos_dir is not None:
        return locate(dos_dir)
    from mkrescue.freedos.provision import provision  # imports requests: only when needed

    return locate(provision(cache_dir, release=release, mirror=mirror, packages_dir=packages_dir, offline=offline,
                            progress=progress, report=report, report_cached=False))
