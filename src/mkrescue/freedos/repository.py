"""A FreeDOS package repository reached over HTTP, on one host or on several that serve
the same tree (www.ibiblio.org and ibiblio.org). When a host does not answer, or answers
403 or 5xx (both seen from the FreeDOS tree), the next one is tried, the user is told,
and the host that worked serves the rest of the run. Also reads the repository's own
checksum of a package: REPO/pkg-info/<pkg>.txt, a text file with a line `SHA: <sha256>`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mkrescue.freedos.download import ADVICE, RETRY_STATUS, Downloader, ServerFailed, redact_url

# Answers that say "this host, now" rather than "this file": worth asking the next host.
_HOST_FAILURE = frozenset({403, *RETRY_STATUS})
# A pkg-info file is a few hundred bytes of text.
MAX_PKG_INFO_BYTES = 64 * 1024
_SHA_LINE = re.compile(rb"^SHA:[ \t]*([0-9A-Fa-f]{64})[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class PkgInfo:
    """What the repository says about a package's zip."""

    url: str
    sha256: str | None  # None: no usable checksum; `missing` says why
    missing: str = ""


class Repository:
    def __init__(self, base_urls: Sequence[str], downloader: Downloader, report: Callable[[str], None]) -> None:
        self.base_urls = [url.rstrip("/") for url in base_urls]
        self.downloader = downloader
        self.report = report
        self._current = 0  # the host that last worked

    def url(self, relative: str) -> str:
        return f"{self.base_urls[self._current]}/{relative}"

    def download(self, relative: str, dest: Path, label: str, max_bytes: int | None = None) -> tuple[str, int, str]:
        """Fetch REPO/relative into dest; return its SHA-256, size and the URL that served it (any
        password in it redacted: the URL is shown and recorded)."""
        failures: list[str] = []
        while True:
            url = self.url(relative)
            try:
                sha, size = self.downloader.fetch(url, dest, label, max_bytes, self.report)
                return sha, size, redact_url(url)
            except ServerFailed as exc:
                host_failed = exc.status is None or exc.status in _HOST_FAILURE
                shown = redact_url(url)
                failure = f"{shown} answered {exc.reason}" if exc.status else f"{shown} failed ({exc.reason})"
                if not host_failed or self._current + 1 == len(self.base_urls):
                    if failures:
                        raise ServerFailed(f"could not download {relative}: {'; '.join([*failures, failure])}; {ADVICE}",
                                           exc.reason, exc.status) from exc
                    raise
                failures.append(failure)
                self._current += 1
                self.report(f"{failure}; trying {redact_url(self.base_urls[self._current])} instead")

    def pkg_info(self, relative: str, temp: Path) -> PkgInfo:
        """The SHA-256 the repository publishes for a package (relative: pkg-info/<pkg>.txt). A repository
        without the file, or with one that holds no single SHA line, gives a PkgInfo without sha256."""
        try:
            _, _, url = self.download(relative, temp, relative, MAX_PKG_INFO_BYTES)
        except ServerFailed as exc:
            if exc.status is None:
                raise  # no host answered at all: the packages themselves cannot come either
            shown = redact_url(self.url(relative))
            return PkgInfo(shown, None, f"{shown} answered {exc.reason}")
        found = {match.lower() for match in _SHA_LINE.findall(temp.read_bytes())}
        if len(found) != 1:
            what = "no 'SHA: <sha256>' line" if not found else f"{len(found)} different SHA lines"
            return PkgInfo(url, None, f"{url} has {what}")
        return PkgInfo(url, found.pop().decode("ascii"))

