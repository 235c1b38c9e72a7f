"""The catalogues of FreeDOS packages mkrescue needs, one per FreeDOS release
(catalogue-<release>.json, package data): where each package lives in that release's
repository, the SHA-256 of its zip where a public record pins it, which zip members go
where in the assembled DOS dir, its licence and where its source is. Versions are not
here: they are read from each package's LSM when it is fetched. This module loads and
validates a catalogue; a broken one is a bug in mkrescue, so it raises ShippedDataError."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mkrescue.dosname import is_valid_83
from mkrescue.errors import ShippedDataError
from mkrescue.freedos import DEFAULT_RELEASE, RELEASES
from mkrescue.freedos.extract import unsafe_reason

SCHEMA = 2
_NAME = re.compile(r"[a-z0-9_]{1,8}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
TARGET_DIRS = ("BIN",)
SOURCES_TXT = "LICENSES/SOURCES.TXT"


@dataclass(frozen=True)
class FileEntry:
    member: str  # path inside the package zip (matched case-insensitively)
    target: str  # path inside the assembled DOS dir


@dataclass(frozen=True)
class LicenceSource:
    member: str
    inner: str | None = None  # a member of the zip `member` (e.g. a SOURCES.ZIP) holding the text


@dataclass(frozen=True)
class Sources:
    in_package: str | None  # a member or folder prefix inside the zip holding the source (FreeDOS: SOURCE/<PKG>/)
    elsewhere: str | None  # where else the source is published


@dataclass(frozen=True)
class Pin:
    sha256: str  # of the package zip as the release published it
    record: str  # the public record(s) the hash comes from, for messages


@dataclass(frozen=True)
class Package:
    name: str
    group: str
    licence: str
    pin: Pin | None  # None: the repository's pkg-info, else the cache's lock file, vouches for the zip
    lsm: tuple[str, ...]  # where the version can be read, first present wins (names changed between releases)
    files: tuple[FileEntry, ...]
    licence_text: tuple[LicenceSource, ...]  # alternatives, the first present wins
    sources: Sources
    optional: bool = False  # fetched only for a build that wants one of its files (a keyboard layout's)

    @property
    def path(self) -> str:
        """Where the zip is, relative to the repository root (and to a mirror's)."""
        return f"{self.group}/{self.name}.zip"

    @property
    def pkg_info_path(self) -> str:
        """Where the repository publishes the zip's SHA-256 (a line `SHA: <hex>`), relative to its root."""
        return f"pkg-info/{self.name}.txt"

    @property
    def licence_target(self) -> str:
        return f"LICENSES/{self.name.upper()}.TXT"


@dataclass(frozen=True)
class Catalogue:
    release: str  # "1.3": what --freedos takes
    title: str  # "FreeDOS 1.3"
    base_url: str  # the official repository; SOURCES.TXT names it whatever served the files
    fallback_urls: tuple[str, ...]  # the same repository on other hosts, tried when base_url's host fails
    notice: tuple[str, ...]
    packages: tuple[Package, ...]
    fingerprint: str  # SHA-256 of the canonical JSON: a changed catalogue gives a fresh DOS dir

    def packages_for(self, wanted: tuple[str, ...] = ()) -> tuple[Package, ...]:
        """The packages every build needs, and the optional ones holding a file named in `wanted`."""
        names = {name.upper() for name in wanted}
        return tuple(p for p in self.packages
                     if not p.optional or any(f.target.split("/")[-1] in names for f in p.files))


def load(release: str = DEFAULT_RELEASE) -> Catalogue:
    """The catalogue of one FreeDOS release, shipped inside the package."""
    if release not in RELEASES:
        raise ShippedDataError(f"no FreeDOS catalogue for release {release!r}; there are {', '.join(RELEASES)}")
    text = resources.files("mkrescue.freedos").joinpath(f"catalogue-{release}.json").read_text(encoding="utf-8")
    catalogue = from_dict(json.loads(text))
    if catalogue.release != release:
        raise ShippedDataError(f"FreeDOS catalogue-{release}.json says it is release {catalogue.release!r}")
    return catalogue


def from_dict(data: dict[str, Any]) -> Catalogue:
    if data.get("schema") != SCHEMA:
        raise ShippedDataError(f"FreeDOS catalogue: schema {data.get('schema')!r}, expected {SCHEMA}")
    base_url = _url(_text(data, "base_url", "catalogue"))
    fallbacks = data.get("fallback_urls", [])
    if not isinstance(fallbacks, list) or not all(isinstance(url, str) for url in fallbacks):
        raise ShippedDataError("FreeDOS catalogue: 'fallback_urls' must be a list of URLs")
    packages = tuple(_package(p) for p in _list(data, "packages", "catalogue"))
    _check_unique([p.name for p in packages], "package name")
    targets = [f.target for p in packages for f in p.files] + [p.licence_target for p in packages] + [SOURCES_TXT]
    _check_unique([t.upper() for t in targets], "target")
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return Catalogue(
        release=_text(data, "release", "catalogue"),
        title=_text(data, "title", "catalogue"),
        base_url=base_url,
        fallback_urls=tuple(_url(url) for url in fallbacks),
        notice=tuple(str(line) for line in data.get("notice", ())),
        packages=packages,
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def _package(data: dict[str, Any]) -> Package:
    name = _text(data, "name", "package")
    where = f"package {name!r}"
    group = _text(data, "group", where)
    for value, what in ((name, "name"), (group, "group")):
        if not _NAME.fullmatch(value):
            raise ShippedDataError(f"FreeDOS catalogue: {where}: {what} {value!r} is not a FreeDOS package name")
    lsm = data.get("lsm", [])
    if not isinstance(lsm, list):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: 'lsm' must be a list of members")
    files = tuple(
        FileEntry(_member(f, "member", where), _target(_text(f, "target", where), where))
        for f in _list(data, "files", where)
    )
    licence_text = tuple(
        LicenceSource(_member(s, "member", where), _member(s, "inner", where) if "inner" in s else None)
        for s in _list(data, "licence_text", where)
    )
    return Package(
        name=name,
        group=group,
        licence=_text(data, "licence", where),
        pin=_pin(data.get("pin"), where),
        lsm=tuple(_member({"lsm": member}, "lsm", where) for member in lsm),
        files=files,
        licence_text=licence_text,
        sources=_sources(data.get("sources"), where),
        optional=_flag(data, "optional", where),
    )


def _flag(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: {key!r} must be true or false")
    return value


def _pin(data: Any, where: str) -> Pin | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not _SHA256.fullmatch(str(data.get("sha256"))):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: 'pin' needs 'sha256', 64 lower-case hex digits")
    return Pin(data["sha256"], _text(data, "record", where))


def _url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ShippedDataError(f"FreeDOS catalogue: {value!r} is not an http(s) URL")
    return value.rstrip("/")


def _sources(data: Any, where: str) -> Sources:
    if not isinstance(data, dict) or not (data.get("in_package") or data.get("elsewhere")):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: 'sources' needs 'in_package' and/or 'elsewhere'")
    return Sources(_member(data, "in_package", where) if "in_package" in data else None,
                   _text(data, "elsewhere", where) if "elsewhere" in data else None)


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ShippedDataError(f"FreeDOS catalogue: {where}: {key!r} must be a non-empty string")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: {key!r} must be a non-empty list of objects")
    return value


def _member(data: dict[str, Any], key: str, where: str) -> str:
    value = _text(data, key, where)
    reason = unsafe_reason(value)
    if reason:
        raise ShippedDataError(f"FreeDOS catalogue: {where}: member {value!r} {reason}")
    return value


def _target(value: str, where: str) -> str:
    parts = value.split("/")
    if len(parts) != 2 or parts[0] not in TARGET_DIRS or not is_valid_83(parts[1]):
        raise ShippedDataError(f"FreeDOS catalogue: {where}: target {value!r} must be BIN/<8.3 upper-case name>")
    return value


def _check_unique(values: list[str], what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ShippedDataError(f"FreeDOS catalogue: {what} {value!r} appears twice")
        seen.add(value)
