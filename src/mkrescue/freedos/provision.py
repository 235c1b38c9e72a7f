"""Provisioning: get every package of the catalogue into the cache (from the cache
itself, a --packages-dir, or the repository / a --mirror), check each against its
SHA-256, and assemble the DOS dir that dosdir.locate() reads:

    BIN/KERNEL.SYS, BIN/COMMAND.COM, BIN/...   the members the catalogue names
    LICENSES/<PKG>.TXT                         each package's licence text
    LICENSES/SOURCES.TXT                       name, version, licence, package URL, SHA-256, sources
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mkrescue.errors import DownloadError, IntegrityError, UsageError, WriteError, os_reason
from mkrescue.freedos.cache import Cache, sha256_file
from mkrescue.freedos.catalogue import SOURCES_TXT, Catalogue, Package, load
from mkrescue.freedos.download import Downloader, Progress
from mkrescue.freedos.extract import PackageZip

# Bump when the layout of the assembled dir changes, so old cached dirs are not reused.
ASSEMBLY_VERSION = 1
OFFLINE_ADVICE = ("use --packages-dir DIR (the FreeDOS .zip packages), --dos-dir DIR (FreeDOS files already extracted),"
                  " or go online (optionally with --mirror URL)")


def provision(cache_dir: Path | None = None, *, mirror: str | None = None, packages_dir: Path | None = None,
              offline: bool = False, progress: Progress | None = None, report: Callable[[str], None] = lambda line: None,
              catalogue: Catalogue | None = None, downloader: Downloader | None = None,
              report_cached: bool = True) -> Path:
    """Return the assembled DOS dir (in the cache). Downloads only what is missing; verifies every
    zip's SHA-256 (pinned in the catalogue, else recorded in the cache's lock file on first download
    and enforced after); `report` gets one line per package: name, version, what happened, source, SHA-256
    (a plain cache hit only with `report_cached`: a build need not repeat it every time).
    `progress` shows each download's progress (None: silent); ignored when a `downloader` is given. `catalogue` and `downloader` default to the shipped catalogue and normal timeouts/retries."""
    catalogue = catalogue or load()
    if mirror is not None and not mirror.startswith(("http://", "https://")):
        raise UsageError(f"--mirror {mirror} is not an http:// or https:// URL of a FreeDOS repository")
    if packages_dir is not None and not Path(packages_dir).is_dir():
        raise UsageError(f"--packages-dir {packages_dir} is not a directory")
    cache = Cache(cache_dir)
    if downloader is None:
        downloader = Downloader(progress=progress)
    base_url = (mirror or catalogue.base_url).rstrip("/")
    try:
        return _fill(cache, catalogue, base_url, packages_dir, offline, downloader, report, report_cached)
    except OSError as exc:
        file = f"{exc.filename}: " if exc.filename else ""
        raise WriteError(f"could not put the FreeDOS files into the cache {cache.root}: {file}{os_reason(exc)};"
                         " free space there, or choose another folder with --cache-dir") from exc


def _fill(cache: Cache, catalogue: Catalogue, base_url: str, packages_dir: Path | None, offline: bool,
          downloader: Downloader, report: Callable[[str], None], report_cached: bool) -> Path:
    """Every package into the cache, then the DOS dir assembled from them (once per set of hashes)."""
    hashes = {
        package.name: _obtain(package, cache, base_url, packages_dir, offline, downloader, report, report_cached)
        for package in catalogue.packages
    }
    key_text = "\n".join([f"assembly {ASSEMBLY_VERSION}", catalogue.fingerprint]
                         + [f"{p.path} {hashes[p.name]}" for p in catalogue.packages])
    dest = cache.dos_dir(hashlib.sha256(key_text.encode()).hexdigest()[:16])
    if dest.is_dir():
        return dest
    with cache.temp_dir() as work:
        _assemble(catalogue, cache, hashes, work)
        try:
            cache.install(work, dest)
        except OSError:
            if not dest.is_dir():  # else another mkrescue finished the same dir first: theirs is as good
                raise
    return dest


def _obtain(package: Package, cache: Cache, base_url: str, packages_dir: Path | None, offline: bool,
            downloader: Downloader, report: Callable[[str], None], report_cached: bool) -> str:
    """Make sure the verified zip is in the cache; return its SHA-256."""
    dest = cache.package_path(package.path)
    label = f"{package.path} {package.version}"
    if dest.is_file():
        sha = sha256_file(dest)
        expected = _expected(package, cache)
        if expected is None:
            # The lock file was deleted to accept new hashes: the cached copy was checked when it came in.
            cache.record(package.path, sha, dest.stat().st_size, "cache")
            report(f"{label}: cached, sha256 {sha} (recorded new hash in {cache.lock_path})")
            return sha
        if sha == expected[0]:
            if report_cached:
                report(f"{label}: cached, sha256 {sha}")
            return sha
        dest.unlink()
        report(f"{label}: the cached copy has SHA-256 {sha}, not {expected[0]}: discarded, fetching it again")
    local = _find_local(Path(packages_dir), package) if packages_dir is not None else None
    if local is not None:
        source, how = str(local), "copied from"
    elif offline:
        where = f"in --packages-dir {packages_dir} or " if packages_dir is not None else ""
        raise DownloadError(f"offline, and the FreeDOS package {package.path} is not {where}in the cache"
                            f" ({cache.root}): {OFFLINE_ADVICE}")
    else:
        source, how = f"{base_url}/{package.path}", "downloaded from"
    with cache.temp_file() as temp:
        if local is not None:
            shutil.copyfile(local, temp)
            sha, size = sha256_file(temp), temp.stat().st_size
        else:
            sha, size = downloader.fetch(source, temp, package.path)
        expected = _expected(package, cache)
        if expected is not None and sha != expected[0]:
            raise IntegrityError(f"{package.path} from {source} has SHA-256 {sha}, not the {expected[0]} {expected[1]};"
                                 " the file was discarded: the source may serve a damaged or altered copy,"
                                 " so try another --mirror or use --dos-dir")
        # Extract once before the zip reaches the cache or the lock: a package we cannot use is refused now.
        _contents(package, temp, f"{package.path} from {source}")
        cache.install(temp, dest)
    if expected is None:
        cache.record(package.path, sha, size, source)
        report(f"{label}: {how} {source}, sha256 {sha} (recorded new hash in {cache.lock_path}; pin it in the catalogue)")
    else:
        report(f"{label}: {how} {source}, sha256 {sha}")
    return sha


def _expected(package: Package, cache: Cache) -> tuple[str, str] | None:
    """The SHA-256 the zip must have, with where that comes from, or None if nothing is known yet."""
    if package.sha256 is not None:
        return package.sha256, "that mkrescue's catalogue pins"
    entry = cache.recorded(package.path)
    if entry is None:
        return None
    return entry.sha256, (f"recorded in {cache.lock_path} on {entry.recorded}"
                          " (if the repository really changed the package, delete its entry there and fetch again)")


@dataclass(frozen=True)
class _Contents:
    """Everything the DOS dir takes from one package."""

    files: dict[str, bytes]  # target path -> bytes, the licence text included
    licence_member: str  # where the licence text came from
    lsm_version: str | None
    has_source: bool  # the source the catalogue expects inside the package is there


def _contents(package: Package, zip_path: Path, label: str) -> _Contents:
    with PackageZip(zip_path, label) as archive:
        files = {entry.target: archive.read(entry.member) for entry in package.files}
        licence_member, text = _licence_text(package, archive)
        files[package.licence_target] = _crlf(text)
        version = _lsm_version(archive.read(package.lsm)) if package.lsm and archive.has(package.lsm) else None
        has_source = package.sources.in_package is not None and archive.has_prefix(package.sources.in_package)
    return _Contents(files, licence_member, version, has_source)


def _find_local(root: Path, package: Package) -> Path | None:
    """<root>/<group>/<pkg>.zip or <root>/<pkg>.zip, in any letter case (FreeDOS media use PACKAGES\\BASE\\KERNEL.ZIP)."""
    for parts in ((package.group, f"{package.name}.zip"), (f"{package.name}.zip",)):
        current = root
        for part in parts:
            match = next((c for c in sorted(current.iterdir()) if c.name.lower() == part), None) if current.is_dir() else None
            if match is None:
                break
            current = match
        else:
            if current.is_file():
                return current
    return None


def _assemble(catalogue: Catalogue, cache: Cache, hashes: dict[str, str], work: Path) -> None:
    entries = []
    for package in catalogue.packages:
        contents = _contents(package, cache.package_path(package.path), package.path)
        for target, data in contents.files.items():
            _write(work / target, data)
        entries.append(_sources_entry(catalogue, package, hashes[package.name], contents))
    lines = [f"FreeDOS components on this medium ({catalogue.release}, package repository {catalogue.base_url})", "",
             *catalogue.notice, "", *[line for entry in entries for line in entry]]
    _write(work / SOURCES_TXT, _crlf("\n".join(lines).encode("ascii", "replace") + b"\n"))


def _licence_text(package: Package, archive: PackageZip) -> tuple[str, bytes]:
    for source in package.licence_text:
        if not archive.has(source.member):
            continue
        if source.inner is None:
            return source.member, archive.read(source.member)
        with PackageZip(archive.read(source.member), f"{package.path}:{source.member}") as inner:
            if inner.has(source.inner):
                return f"{source.member}:{source.inner}", inner.read(source.inner)
    names = ", ".join(s.member + (f":{s.inner}" if s.inner else "") for s in package.licence_text)
    raise IntegrityError(f"{package.path} has none of its licence files ({names}): it is not the FreeDOS package"
                         " mkrescue expects; use --dos-dir with FreeDOS files you have")


def _sources_entry(catalogue: Catalogue, package: Package, sha: str, contents: _Contents) -> list[str]:
    version = contents.lsm_version or f"{package.version} (expected; the package has no LSM version line)"
    elsewhere = package.sources.elsewhere
    if contents.has_source:
        sources = f"{package.sources.in_package} inside this same package" + (f"; also {elsewhere}" if elsewhere else "")
    else:
        sources = "not inside this package" + (f"; {elsewhere}" if elsewhere else "")
    return [
        f"{package.name.upper()}",
        f"  Version:  {version}",
        f"  Licence:  {package.licence}; text in {package.licence_target.split('/')[1]} (from {contents.licence_member})",
        f"  Package:  {catalogue.base_url}/{package.path}",
        f"  SHA-256:  {sha}",
        f"  Sources:  {sources}",
        "",
    ]


def _lsm_version(lsm: bytes) -> str | None:
    match = re.search(rb"^Version:[ \t]*(.+?)[ \t]*\r?$", lsm, re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode("ascii", "replace") if match else None


def _crlf(text: bytes) -> bytes:
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
