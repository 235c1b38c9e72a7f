"""An output file that appears complete or not at all, never replaces a file that appeared
while it was written (unless --force), and leaves no temporary file behind, even after kill -9.

On Linux the content is written to an unnamed file (O_TMPFILE) in the output's folder and
linked to its name only when complete: a killed process leaves nothing, the kernel frees
the blocks. Without O_TMPFILE (another system, a filesystem without it) the content goes to
`.NAME.mkrescue-PID-XXXX.part`, removed on any error or on SIGTERM/SIGHUP (cli.main turns
them into exceptions); one left by kill -9 is removed by the next run once its process is gone.

The final step without --force is link(), which fails when the name exists: a file that
appeared meanwhile (another build to the same name) is never replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mkrescue.errors import OutputError

PART_TAG = ".mkrescue-"
PART_SUFFIX = ".part"
# Parts named the way earlier versions did (mkstemp's ".NAME.XXXXXXXX.part"), with no
# process id to ask: older than this, nobody is still writing them.
LEGACY_STALE_SECONDS = 24 * 3600
_LEGACY_PART = re.compile(r"[a-z0-9_]{8}" + re.escape(PART_SUFFIX))


class PendingFile:
    """The content of an output under way: `file` to write, `path` to read it back."""

    def __init__(self, dest: Path, force: bool) -> None:
        self.dest, self.force = dest, force
        self._named: Path | None = None
        fd = _open_unnamed(dest.parent)
        if fd is None:
            fd, name = tempfile.mkstemp(prefix=f".{dest.name}{PART_TAG}{os.getpid()}-", suffix=PART_SUFFIX,
                                        dir=dest.parent)
            self._named = Path(name)
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would surprise users; honour their umask
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        self.path = self._named or Path(f"/proc/self/fd/{fd}")
        self._syncing: threading.Thread | None = None
        self._sync_error: OSError | None = None

    def start_sync(self) -> None:
        """Start putting the written content on the disk while the caller goes on (the build
        checks the image meanwhile: the disk's wait and the check's work overlap)."""
        self.file.flush()
        thread = threading.Thread(target=self._sync, args=(self.file.fileno(),), name="fsync", daemon=True)
        thread.start()
        # Only a started thread is waited for: a signal inside start() leaves it untracked,
        # and the fsync of a descriptor closed meanwhile fails harmlessly (or syncs another file).
        self._syncing = thread

    def _sync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            self._sync_error = exc

    def _wait_for_sync(self) -> None:
        if self._syncing is not None:
            self._syncing.join()
            self._syncing = None

    def commit(self) -> None:
        """Give the complete content its name, once it is on the disk (so that after a power
        cut the name never holds less); OutputError when that name appeared meanwhile."""
        if self._syncing is None:
            self.start_sync()
        self._wait_for_sync()
        if self._sync_error is not None:
            raise self._sync_error
        try:
            if self.force:
                # link() cannot replace; a named step in between, renamed over the old file.
                staged = self._named or _link_staged(self.file.fileno(), self.dest)
                os.replace(staged, self.dest)
            elif self._named is None:
                _link_unnamed(self.file.fileno(), self.dest)
            else:
                os.link(self._named, self.dest)
        except FileExistsError:
            raise OutputError(f"{self.dest} appeared while the image was being built (another build?): it was"
                              " left as it is and nothing was written; choose another name or pass --force") from None
        self.discard()

    def discard(self) -> None:
        # Not closed under a running fsync (a signal may still cut this wait short: the
        # fsync then ends on its own, and the kernel frees an unnamed file after it).
        self._wait_for_sync()
        with contextlib.suppress(OSError):
            self.file.close()
        if self._named is not None:
            self._named.unlink(missing_ok=True)


@contextlib.contextmanager
def pending(dest: Path, force: bool) -> Iterator[PendingFile]:
    """A PendingFile for `dest`, discarded on the way out unless it was committed. Stale parts
    of `dest` that earlier runs left are removed first."""
    remove_stale_parts(dest)
    out = PendingFile(dest, force)
    try:
        yield out
    finally:
        out.discard()


def _open_unnamed(folder: Path) -> int | None:
    """An unnamed file in `folder` that /proc can name for link(), or None where that is not possible."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None  # the filesystem or the kernel has no O_TMPFILE
        raise
    if not os.path.exists(f"/proc/self/fd/{fd}"):
        os.close(fd)
        return None
    return fd


def _link_unnamed(fd: int, dest: Path) -> None:
    """Give the unnamed file `fd` the name `dest` (linkat of /proc/self/fd/N, following the
    link; a dir fd is passed because os.link calls plain link() without one, which would not follow)."""
    proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(str(fd), dest, src_dir_fd=proc, follow_symlinks=True)
    finally:
        os.close(proc)


def _link_staged(fd: int, dest: Path) -> Path:
    """The unnamed file linked under a fresh part name next to `dest`."""
    for _ in range(100):
        staged = dest.with_name(f".{dest.name}{PART_TAG}{os.getpid()}-{os.urandom(4).hex()}{PART_SUFFIX}")
        try:
            _link_unnamed(fd, staged)
            return staged
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(dest))


def remove_stale_parts(dest: Path) -> None:
    """Remove the part files of `dest` whose writer is gone (killed before it could clean up)."""
    prefix = f".{dest.name}."
    try:
        entries = list(os.scandir(dest.parent))
    except OSError:
        return  # the output check reports an unusable folder
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(PART_SUFFIX)):
            continue
        rest = entry.name[len(prefix) - 1:]
        with contextlib.suppress(OSError, ValueError):
            if rest.startswith(PART_TAG):
                if _alive(int(rest[len(PART_TAG):].split("-", 1)[0])):
                    continue
            elif not (_LEGACY_PART.fullmatch(rest[1:])
                      and entry.stat(follow_symlinks=False).st_mtime < time.time() - LEGACY_STALE_SECONDS):
                continue
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
