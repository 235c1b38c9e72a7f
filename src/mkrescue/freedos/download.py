"""Download one file over HTTP(S) into a given path, hashing it on the way.

Transient failures (no connection, timeouts, 5xx/429 answers, a body that breaks
off before its Content-Length) are retried with exponential backoff; anything
else (404, 403, ...) fails at once. urllib3's Retry cannot retry a body that
breaks off mid-stream, so one loop here covers every transient case alike.
All downloads of one Downloader share an overall time limit, so no server, however
slow or however many files, keeps mkrescue waiting for more than that."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3

from mkrescue import __version__
from mkrescue.errors import DownloadError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CHUNK = 64 * 1024
# Far above any FreeDOS package (FreeCOM, the largest we use, is about 2 MB).
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
# How a download shows its progress: called with a label and the size the server announced,
# it gives a context whose value is called with the length of every chunk received.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]
ADVICE = "check the network, or use --mirror URL, --packages-dir DIR (the .zip packages) or --dos-dir DIR (FreeDOS files)"


# All downloads of one run together: FreeDOS's packages are a few MB, so this is generous.
TIME_LIMIT = 600.0


class ServerFailed(DownloadError):
    """The server did not deliver the file: no answer (status None) or an HTTP status other than 200."""

    def __init__(self, message: str, reason: str, status: int | None) -> None:
        super().__init__(message)
        self.reason = reason  # e.g. "HTTP 403 Forbidden", "the connection failed: connection refused"
        self.status = status


class _Transient(Exception):
    """A failure worth another attempt."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


def redact_url(url: str) -> str:
    """The URL as it may be shown or stored: a password in it replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


@dataclass
class Downloader:
    connect_timeout: float = 15.0
    read_timeout: float = 30.0  # the longest silence tolerated between two chunks
    retries: int = 3  # attempts after the first
    backoff: float = 1.0  # seconds before the first retry, doubling each time
    progress: Progress | None = None  # None: downloads are silent
    max_bytes: int = MAX_DOWNLOAD_BYTES
    time_limit: float = TIME_LIMIT  # seconds for all downloads of this Downloader together
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        # Zips are already compressed; identity encoding keeps Content-Length comparable to what we receive.
        self.session.headers.update({"User-Agent": f"mkrescue/{__version__}", "Accept-Encoding": "identity"})
        self._deadline = time.monotonic() + self.time_limit

    def fetch(self, url: str, dest: Path, label: str, max_bytes: int | None = None,
              waiting: Callable[[str], None] = lambda line: None) -> tuple[str, int]:
        """Write url's body to dest (overwritten); return its SHA-256 and size. `max_bytes`: a smaller
        limit than the Downloader's for this one file; `waiting` is told before each retry why and for
        how long mkrescue waits. ServerFailed when the server did not deliver."""
        limit = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        for attempt in range(self.retries + 1):
            try:
                return self._attempt(url, dest, label, limit)
            except _Transient as exc:
                delay = self.backoff * 2**attempt
                if attempt == self.retries or time.monotonic() + delay >= self._deadline:
                    tries = f" (tried {attempt + 1} times)" if attempt else ""
                    raise ServerFailed(f"could not download {redact_url(url)}: {exc}{tries}; {ADVICE}", f"{exc}{tries}",
                                       exc.status) from exc
                waiting(f"{redact_url(url)}: {exc}; trying again in {delay:g} s ({attempt + 2} of {self.retries + 1} tries)")
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _remaining(self, url: str) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise DownloadError(f"gave up on {redact_url(url)}: the downloads took more than the {self.time_limit:g} s allowed"
                                f" in all (the server is too slow); {ADVICE}")
        return remaining

    def _attempt(self, url: str, dest: Path, label: str, limit: int) -> tuple[str, int]:
        remaining = self._remaining(url)
        timeout = (min(self.connect_timeout, remaining), min(self.read_timeout, remaining))
        try:
            with self.session.get(url, stream=True, timeout=timeout) as response:
                status = f"HTTP {response.status_code} {response.reason}"
                if response.status_code in RETRY_STATUS:
                    raise _Transient(status, response.status_code)
                if response.status_code != 200:
                    raise ServerFailed(f"could not download {redact_url(url)}: {status}; a FreeDOS repository (or --mirror of one)"
                                       " should have it at this path; " + ADVICE.removeprefix("check the network, or "),
                                       status, response.status_code)
                expected = _content_length(response)
                if expected is not None and expected > limit:
                    raise DownloadError(f"{redact_url(url)} is {expected} bytes, far more than a FreeDOS repository file: refusing it")
                digest, size = self._save(response, dest, label, expected, limit)
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise _Transient(f"the server did not answer in time (nothing for {timeout[1]:g} s)") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                urllib3.exceptions.ProtocolError) as exc:
            reason = _reason(exc, url)
            if any(isinstance(cause, socket.gaierror) for cause in _causes(exc)):
                # Asking the resolver again a few seconds later gets the same answer (offline, most often).
                raise ServerFailed(f"could not download {redact_url(url)}: {reason}; {ADVICE}", reason, None) from exc
            raise _Transient(f"the connection failed: {reason}") from exc
        except requests.RequestException as exc:
            raise DownloadError(f"could not download {redact_url(url)}: {_reason(exc, url)}") from exc
        if expected is not None and size != expected:
            raise _Transient(f"the body ended after {size} of {expected} bytes")
        return digest, size

    def _save(self, response: requests.Response, dest: Path, label: str, expected: int | None,
              limit: int) -> tuple[str, int]:
        shown = self.progress(label, expected) if self.progress and expected else contextlib.nullcontext(None)
        digest = hashlib.sha256()
        size = 0
        with dest.open("wb") as out, shown as advance:
            # read1 returns what has arrived (iter_content waits for a whole chunk, however slowly
            # it trickles in), so the time limit is checked at least once per read timeout.
            while chunk := response.raw.read1(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DownloadError(f"{redact_url(response.url)} sends more than {limit} bytes,"
                                        " far more than a FreeDOS repository file: refusing it")
                self._remaining(response.url)
                out.write(chunk)
                digest.update(chunk)
                if advance is not None:
                    advance(len(chunk))
        return digest.hexdigest(), size


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """exc and what caused it, outermost first: requests wraps urllib3's errors (the cause
    in .reason or the first argument), which wrap the socket's."""
    for _ in range(16):  # a chain this deep is not what HTTP libraries make; stop rather than loop
        yield exc
        nested = [getattr(exc, "reason", None), *exc.args[:1], exc.__cause__, exc.__context__]
        exc = next((inner for inner in nested if isinstance(inner, BaseException)), None)
        if exc is None:
            return


def _reason(exc: BaseException, url: str) -> str:
    """What went wrong in words a user can act on, without the libraries' object names."""
    causes = list(_causes(exc))
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return f"the name {urlsplit(url).hostname} does not resolve (no network, or no DNS)"
    innermost = causes[-1]
    if isinstance(innermost, OSError) and innermost.strerror:
        return innermost.strerror.lower()
    return str(innermost) or type(innermost).__name__
