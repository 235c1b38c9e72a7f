"""The on-disk cache of FreeDOS packages (platformdirs user cache, or --cache-dir):

    packages/<release>/<group>/<pkg>.zip   verified package zips (FreeDOS 1.3 and 1.4 differ)
    lock.json                    SHA-256 recorded on first download of each unpinned package,
                                 with what verified it then (the repository's pkg-info, or nothing)
    lock.json.lock               held while lock.json is read and rewritten (concurrent fetches)
    dos/<key>/                   assembled DOS dirs, one per catalogue + package hashes
    tmp/                         work in progress; renamed into place only when complete

Everything lands by rename from tmp/ (same filesystem), so a crash or a failed check
never leaves a partial file where a complete one is expected."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import platformdirs
from filelock import FileLock

from mkrescue.errors import IntegrityError, UsageError

LOCK_VERSION = 1
# Work left in tmp/ by a process that was killed; older than this, nobody is still writing it.
STALE_SECONDS = 24 * 3600


def default_cache_dir() -> Path:
    return platformdirs.user_cache_path("mkrescue", appauthor=False) / "freedos"


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@dataclass(frozen=True)
class LockEntry:
    sha256: str
    size: int
    source: str
    recorded: str
    verified: str = "first use"  # entries written before mkrescue checked pkg-info were first use only


class Cache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        try:
            for sub in ("packages", "dos", "tmp"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot use {self.root} as the FreeDOS cache ({exc.strerror}):"
                             " choose another with --cache-dir") from exc
        self.lock_path = self.root / "lock.json"
        self._remove_stale_work()

    def _remove_stale_work(self) -> None:
        cutoff = time.time() - STALE_SECONDS
        for entry in (self.root / "tmp").iterdir():
            with contextlib.suppress(OSError):
                if entry.lstat().st_mtime < cutoff:
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()

    def package_path(self, relative: str) -> Path:
        return self.root / "packages" / relative

    def dos_dir(self, key: str) -> Path:
        return self.root / "dos" / key

    @contextlib.contextmanager
    def temp_file(self, suffix: str = ".part") -> Iterator[Path]:
        """A fresh file in tmp/, removed afterwards unless it was moved into place."""
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", suffix=suffix)
        os.close(fd)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    @contextlib.contextmanager
    def temp_dir(self) -> Iterator[Path]:
        path = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def install(self, temp: Path, dest: Path) -> None:
        """Move a verified file or directory into place atomically."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, dest)

    # The lock file: hashes recorded on first download, enforced afterwards.

    def lock_entries(self) -> dict[str, LockEntry]:
        if not self.lock_path.exists():
            return {}
        try:
            data = json.loads(self.lock_path.read_text(encoding="utf-8"))
            if data.get("version") != LOCK_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            return {key: LockEntry(**entry) for key, entry in data["packages"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IntegrityError(f"the lock file {self.lock_path} is damaged ({exc}):"
                                 " delete it to record the package hashes afresh") from exc

    def recorded(self, relative: str) -> LockEntry | None:
        return self.lock_entries().get(relative)

    def record(self, relative: str, sha256: str, size: int, source: str, verified: str) -> None:
        """Record a package's first hash. Read, check and rewrite happen under a file lock,
        so mkrescues fetching at once neither lose each other's entries nor quietly
        overwrite a hash another one recorded meanwhile."""
        with FileLock(self.lock_path.with_name(self.lock_path.name + ".lock")):
            entries = self.lock_entries()
            earlier = entries.get(relative)
            if earlier is not None:
                if earlier.sha256 != sha256:
                    raise IntegrityError(f"{relative} from {source} has SHA-256 {sha256}, but another mkrescue running"
                                         f" at the same time recorded {earlier.sha256} from {earlier.source}: the"
                                         " source served two different files; run again, and the file must then"
                                         " match the recorded hash")
                return
            entries[relative] = LockEntry(sha256, size, source,
                                          datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), verified)
            data = {
                "version": LOCK_VERSION,
                "comment": "SHA-256 of each FreeDOS package as first downloaded, and what verified it then;"
                           " mkrescue refuses a different file later",
                "packages": {key: vars(entry) for key, entry in sorted(entries.items())},
            }
            with self.temp_file(".json") as temp:
                temp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
                self.install(temp, self.lock_path)
