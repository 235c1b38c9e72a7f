"""FreeDOS files: where they come from (a user's directory, or packages downloaded,
verified and cached) and which of them a rescue medium uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from mkrescue.freedos.dosdir import DosFiles
    from mkrescue.freedos.download import Progress

# The releases mkrescue has a catalogue for, and the one a build uses unless told (README
# says why). Kept here, free of imports, for the command line and the build's options.
RELEASES = ("1.3", "1.4")
DEFAULT_RELEASE = "1.3"


def obtain_dos_files(dos_dir: Path | None, *, release: str = DEFAULT_RELEASE, cache_dir: Path | None = None,
                     mirror: str | None = None, packages_dir: Path | None = None, offline: bool = False,
                     progress: Progress | None = None,
                     report: Callable[[str], None] = lambda line: None, keyboard: tuple[str, ...] = ()) -> DosFiles:
    """The user's --dos-dir when given, else the release's packages from the cache, downloading what is missing.
    `keyboard`: the names of the files the keyboard layout needs."""
    from mkrescue.freedos.dosdir import locate

    if dos_dir is not None:
        return locate(dos_dir, keyboard)
    from mkrescue.freedos.provision import provision  # imports requests: only when needed

    return locate(provision(cache_dir, release=release, mirror=mirror, packages_dir=packages_dir, offline=offline,
                            progress=progress, report=report, report_cached=False, wanted=keyboard), keyboard)
