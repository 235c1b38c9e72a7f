"""Decide whether a package zip is the one it should be, from up to three witnesses:
the hash mkrescue's catalogue pins (a public record of the release's zip), the hash the
repository itself publishes in pkg-info/<pkg>.txt, and the hash this cache recorded
when it first took the package. Any witness that disagrees with the file refuses it;
when the witnesses disagree with each other the message says what that means and
what to do, and mkrescue never quietly believes one over another."""

from __future__ import annotations

from dataclasses import dataclass

from mkrescue.errors import IntegrityError
from mkrescue.freedos.cache import LockEntry
from mkrescue.freedos.catalogue import Pin
from mkrescue.freedos.repository import PkgInfo

FIRST_USE = "first use"
CHOICES = ("use --packages-dir with packages you trust (e.g. from the FreeDOS release's CD), --dos-dir with FreeDOS"
           " files you have, or an updated mkrescue")


@dataclass(frozen=True)
class Evidence:
    """Everything known about one file: what it is, where it came from, and what vouches for it."""

    label: str  # "base/kernel.zip"
    source: str  # the URL or path it came from
    sha256: str
    release: str  # "FreeDOS 1.3"
    pin: Pin | None
    pkg_info: PkgInfo | None  # None: not asked (offline, or the file came from --packages-dir)
    recorded: LockEntry | None
    lock_path: str


def verify(e: Evidence) -> str:
    """How the file was verified ("pin + pkg-info", "pkg-info", "first use", ...); IntegrityError if it must be refused."""
    repo_sha = e.pkg_info.sha256 if e.pkg_info is not None else None
    have = f"{e.label} from {e.source} has SHA-256 {e.sha256}"
    if repo_sha is not None and repo_sha != e.sha256:
        pkg = f"the repository's checksum ({e.pkg_info.url}) says {repo_sha}"
        if e.pin is not None and e.pin.sha256 == e.sha256:
            raise IntegrityError(f"{have}, the {e.release} package as published ({e.pin.record}), but {pkg}: the"
                                 " repository has rebuilt the package and this server still sends the old one, or its"
                                 f" checksum file is not what the repository published; nothing was kept; {CHOICES}")
        raise IntegrityError(f"{have}, but {pkg}: the download is damaged or not the file the repository publishes;"
                             " nothing was kept; try again later or from another --mirror, or " + CHOICES.removeprefix("use "))
    if e.pin is not None and e.pin.sha256 != e.sha256:
        pinned = f"mkrescue pins {e.pin.sha256} for the {e.release} package ({e.pin.record})"
        if repo_sha is not None:
            raise IntegrityError(f"{have}, as the repository's checksum ({e.pkg_info.url}) also says, but {pinned}: the"
                                 " repository has rebuilt the package since that record, or both the download and its"
                                 f" checksum are not what was published; mkrescue will not choose between them:"
                                 f" nothing was kept; {CHOICES}")
        why = f"; the repository gives no checksum to compare ({e.pkg_info.missing})" if e.pkg_info is not None else ""
        raise IntegrityError(f"{have}, but {pinned}{why}: the file is not what was published, or the repository has"
                             f" rebuilt the package since; nothing was kept; {CHOICES}")
    if e.recorded is not None and e.recorded.sha256 != e.sha256:
        recorded = (f"this cache recorded {e.recorded.sha256} from {e.recorded.source} on {e.recorded.recorded}"
                    f" (verified by {e.recorded.verified}) in {e.lock_path}")
        if repo_sha is not None:
            raise IntegrityError(f"{have}, as the repository's checksum ({e.pkg_info.url}) also says, but {recorded}:"
                                 " the repository has rebuilt the package since; nothing was kept; to take the new one,"
                                 " delete its entry there and fetch again")
        raise IntegrityError(f"{have}, but {recorded}: the source sends another file than before; nothing was kept;"
                             " if the repository really changed the package, delete its entry there and fetch again;"
                             " otherwise try another --mirror or use --dos-dir")
    witnesses = (["pin"] if e.pin is not None else []) + (["pkg-info"] if repo_sha is not None else [])
    if e.recorded is not None:
        witnesses.append(f"lock.json ({e.recorded.verified}, {e.recorded.recorded[:10]})")
    return " + ".join(witnesses) or FIRST_USE
