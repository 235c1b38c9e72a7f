"""Provisioning: get every package of a release's catalogue into the cache (from the
cache itself, a --packages-dir, or the repository / a --mirror), verify each one
(verify.py), and assemble the DOS dir that dosdir.locate() reads:

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
from mkrescue.freedos import DEFAULT_RELEASE, RELEASES
from mkrescue.freedos.catalogue import SOURCES_TXT, Catalogue, Package, load
from mkrescue.freedos.dosdir import check_dos_file
from mkrescue.freedos.download import MAX_DOWNLOAD_BYTES, Downloader, Progress, redact_url
from mkrescue.freedos.extract import PackageZip
from mkrescue.freedos.repository import Repository
from mkrescue.freedos.verify import FIRST_USE, Evidence, verify

# Bump when the layout of the assembled dir changes, so old cached dirs are not reused.
ASSEMBLY_VERSION = 1
OFFLINE_ADVICE = ("use --packages-dir DIR (the FreeDOS .zip packages), --dos-dir DIR (FreeDOS files already extracted),"
                  " or go online (optionally with --mirror URL)")


def provision(cache_dir: Path | None = None, *, release: str = DEFAULT_RELEASE, mirror: str | None = None,
              packages_dir: Path | None = None, offline: bool = False, progress: Progress | None = None,
              report: Callable[[str], None] = lambda line: None, catalogue: Catalogue | None = None,
              downloader: Downloader | None = None, report_cached: bool = True, wanted: tuple[str, ...] = ()) -> Path:
    """Return the assembled DOS dir (in the cache) of a FreeDOS `release`. Downloads only what is missing;
    checks every zip against the repository's pkg-info SHA-256, the hash pinned in the catalogue and the
    hash recorded in the cache's lock file (verify.py), before anything is recorded or extracted.
    `report` gets one line per package: its version (from its LSM), SHA-256, how it was verified and where
    it came from (a plain cache hit only with `report_cached`: a build need not repeat it every time),
    and a line whenever another host is tried.
    `progress` shows each download's progress (None: silent); ignored when a `downloader` is given.
    `catalogue` and `downloader` default to the release's catalogue and normal timeouts/retries.
    `wanted`: file names (e.g. a keyboard layout's) whose optional packages join the required ones."""
    catalogue = catalogue or load(release)
    if mirror is not None and not mirror.startswith(("http://", "https://")):
        raise UsageError(f"--mirror {redact_url(mirror)} is not an http:// or https:// URL of a FreeDOS repository")
    named = mirror.rstrip("/").rsplit("/", 1)[-1] if mirror is not None else None
    if named in RELEASES and named != catalogue.release:  # .../repositories/1.4 with the 1.3 catalogue
        raise UsageError(f"--mirror {redact_url(mirror)} looks like a FreeDOS {named} repository, but the packages"
                         f" asked for are {catalogue.title}'s: add --freedos {named}")
    if packages_dir is not None and not Path(packages_dir).is_dir():
        raise UsageError(f"--packages-dir {packages_dir} is not a directory")
    cache = Cache(cache_dir)
    if downloader is None:
        downloader = Downloader(progress=progress)
    # A --mirror is the user's choice: used alone. The official repository has a second host.
    urls = [mirror] if mirror is not None else [catalogue.base_url, *catalogue.fallback_urls]
    source = _Source(Repository(urls, downloader, report), None if packages_dir is None else Path(packages_dir), offline)
    try:
        return _fill(cache, catalogue, catalogue.packages_for(wanted), source, report, report_cached)
    except OSError as exc:
        file = f"{exc.filename}: " if exc.filename else ""
        raise WriteError(f"could not put the FreeDOS files into the cache {cache.root}: {file}{os_reason(exc)};"
                         " free space there, or choose another folder with --cache-dir") from exc


@dataclass(frozen=True)
class _Source:
    """Where missing packages come from: a --packages-dir first, else the repository unless offline."""

    repository: Repository
    packages_dir: Path | None
    offline: bool


def _fill(cache: Cache, catalogue: Catalogue, packages: tuple[Package, ...], source: _Source,
          report: Callable[[str], None], report_cached: bool) -> Path:
    """Every package into the cache, then the DOS dir assembled from them (once per set of hashes)."""
    hashes = {package.name: _obtain(package, catalogue, cache, source, report, report_cached)
              for package in packages}
    key_text = "\n".join([f"assembly {ASSEMBLY_VERSION}", catalogue.fingerprint]
                         + [f"{p.path} {hashes[p.name]}" for p in packages])
    dest = cache.dos_dir(hashlib.sha256(key_text.encode()).hexdigest()[:16])
    if dest.is_dir():
        return dest
    with cache.temp_dir() as work:
        _assemble(catalogue, packages, cache, hashes, work)
        try:
            cache.install(work, dest)
        except OSError:
            if not dest.is_dir():  # else another mkrescue finished the same dir first: theirs is as good
                raise
    return dest


def _obtain(package: Package, catalogue: Catalogue, cache: Cache, source: _Source, report: Callable[[str], None],
            report_cached: bool) -> str:
    """Make sure the verified zip is in the cache; return its SHA-256."""
    key = f"{catalogue.release}/{package.path}"  # the cache's name for it, and its key in lock.json
    dest = cache.package_path(key)
    if dest.is_file():
        cached = _check_cached(package, cache, key, dest)
        if cached is not None:
            sha, how = cached
            if report_cached:
                report(_line(package, _contents(package, dest, key).version, sha, how, "cached"))
            return sha
        report(f"{package.path}: the cached copy no longer matches its hash: discarded, fetching it again")
        dest.unlink()
    local = _find_local(source.packages_dir, package) if source.packages_dir is not None else None
    if local is None and source.offline:
        where = f"in --packages-dir {source.packages_dir} or " if source.packages_dir is not None else ""
        raise DownloadError(f"offline, and the FreeDOS {catalogue.release} package {package.path} is not {where}in the"
                            f" cache ({cache.root}): {OFFLINE_ADVICE}")
    with cache.temp_file() as temp:
        if local is not None:
            size = local.stat().st_size
            if size > MAX_DOWNLOAD_BYTES:  # before copying: a huge file is never copied
                raise IntegrityError(f"{local} is {size} bytes, far more than a FreeDOS package: it is not"
                                     f" {package.path}; remove it from --packages-dir")
            shutil.copyfile(local, temp)
            sha, size, origin, pkg_info, how = sha256_file(temp), temp.stat().st_size, str(local), None, "copied from"
        else:
            sha, size, origin = source.repository.download(package.path, temp, package.path)
            with cache.temp_file(".txt") as info_temp:
                pkg_info = source.repository.pkg_info(package.pkg_info_path, info_temp)
            how = "downloaded from"
        evidence = Evidence(package.path, origin, sha, catalogue.title, package.pin, pkg_info,
                            cache.recorded(key), str(cache.lock_path))
        verified = verify(evidence)
        # Extract once before the zip reaches the cache or the lock: a package we cannot use is refused now.
        contents = _contents(package, temp, f"{package.path} from {origin}")
        cache.install(temp, dest)
    new = package.pin is None and evidence.recorded is None  # a pin needs no record; a recorded hash is there
    if new:
        cache.record(key, sha, size, origin, verified)
    if pkg_info is not None and pkg_info.sha256 is None:
        verified += f" ({pkg_info.missing})"
    if new:
        verified += f"; recorded in {cache.lock_path}"
    report(_line(package, contents.version, sha, verified, f"{how} {origin}"))
    return sha


def _check_cached(package: Package, cache: Cache, key: str, path: Path) -> tuple[str, str] | None:
    """(SHA-256, how it is verified) of a cached zip that still matches its pin or recorded hash, else None."""
    sha = sha256_file(path)
    if package.pin is not None:
        return (sha, "pin") if sha == package.pin.sha256 else None
    entry = cache.recorded(key)
    if entry is None:
        # The lock file was deleted to accept new hashes: the cached copy was checked when it came in.
        cache.record(key, sha, path.stat().st_size, "cache", FIRST_USE)
        return sha, f"{FIRST_USE}; recorded again in {cache.lock_path}"
    if sha != entry.sha256:
        return None
    return sha, f"lock.json ({entry.verified}, {entry.recorded[:10]})"


def _line(package: Package, version: str | None, sha: str, verified: str, origin: str) -> str:
    """The one line `mkrescue fetch` prints for a package."""
    return f"{package.path}: version {version or 'unknown (no LSM)'}, SHA-256 {sha}, verified by {verified}; {origin}"


@dataclass(frozen=True)
class _Contents:
    """Everything the DOS dir takes from one package."""

    files: dict[str, bytes]  # target path -> bytes, the licence text included
    licence_member: str  # where the licence text came from
    version: str | None  # from the package's LSM; None when it has none
    lsm: str | None  # the LSM member it came from
    has_source: bool  # the source the catalogue expects inside the package is there


def _contents(package: Package, zip_path: Path, label: str) -> _Contents:
    with PackageZip(zip_path, label) as archive:
        files = {entry.target: archive.read(entry.member) for entry in package.files}
        for entry in package.files:  # the rules --dos-dir files obey, checked before the package is recorded
            check_dos_file(f"{label}: {entry.member}", entry.target.rsplit("/", 1)[-1], len(files[entry.target]),
                           "refusing this package: try another --mirror, or use --dos-dir")
        licence_member, text = _licence_text(package, archive)
        files[package.licence_target] = _crlf(text)
        lsm = next((member for member in package.lsm if archive.has(member)), None)
        version = _lsm_version(archive.read(lsm)) if lsm is not None else None
        has_source = package.sources.in_package is not None and archive.has_prefix(package.sources.in_package)
    return _Contents(files, licence_member, version, lsm if version else None, has_source)


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


def _assemble(catalogue: Catalogue, packages: tuple[Package, ...], cache: Cache, hashes: dict[str, str],
              work: Path) -> None:
    entries = []
    for package in packages:
        contents = _contents(package, cache.package_path(f"{catalogue.release}/{package.path}"), package.path)
        for target, data in contents.files.items():
            _write(work / target, data)
        entries.append(_sources_entry(catalogue, package, hashes[package.name], contents))
    lines = [f"FreeDOS components on this medium ({catalogue.title}, package repository {catalogue.base_url})", "",
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
    version = (f"{contents.version} (from {contents.lsm})" if contents.version
               else f"unknown (the package has no LSM with a Version line: {', '.join(package.lsm)})")
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
    """The Version field of an LSM ("Version:  2043"), printable ASCII and short, as it goes into messages and files."""
    match = re.search(rb"^Version:[ \t]*([\x21-\x7e][\x20-\x7e]{0,39})[ \t]*\r?$", lsm, re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode("ascii").rstrip() if match else None


def _crlf(text: bytes) -> bytes:
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
