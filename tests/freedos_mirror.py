"""A FreeDOS package repository on 127.0.0.1 (pytest-httpserver) with the layout of the real
one: one folder per group holding <pkg>.zip and an index.lst (FD-REPOv1, CRC-32 of each zip),
and pkg-info/<pkg>.txt at the top with the zip's SHA-256 on a `SHA:` line. The zips are
stand-ins the tests make, shaped like FreeDOS packages (APPINFO/<PKG>.LSM, BIN/, DOC/<PKG>/,
SOURCE/<PKG>/), with member names in upper, lower or mixed case as real ones have."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

FIXED_TIME = (2022, 1, 1, 0, 0, 0)  # the same bytes every run
MISSING = None  # a pkg-info the server answers 404 for


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def lsm(title: str, version: str) -> bytes:
    return f"Begin3\r\nTitle:          {title}\r\nVersion:        {version}\r\nCopying-policy: GPL2\r\nEnd\r\n".encode()


def pkg_info(name: str, sha256: str) -> bytes:
    """A pkg-info/<pkg>.txt as the repository publishes it: some fields, then the SHA line."""
    return f"Package: {name}\r\nSize: unknown\r\nSHA: {sha256}\r\n".encode()


def _version(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.upper().startswith("APPINFO/") and name.upper().endswith(".LSM"):
                    found = re.search(rb"^Version:\s*(\S+)", archive.read(name), re.MULTILINE)
                    return found.group(1).decode() if found else "?"
    except (zipfile.BadZipFile, NotImplementedError, ValueError):  # damaged zips some tests serve
        pass
    return "?"


def index_lst(group: str, zips: dict[str, bytes]) -> bytes:
    """<group>/index.lst: a header line, then name, version, description, CRC-32 of the zip (CRLF)."""
    lines = [f"FD-REPOv1\tBuild time: 1700000000\t{group}\t{len(zips)}"]
    for name, data in sorted(zips.items()):
        lines.append(f"{name}\t{_version(data)}\tstand-in {name}\t{zlib.crc32(data):08x}\t")
    return ("\r\n".join(lines) + "\r\n").encode()


def sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def serve_repository(httpserver, zips: dict[str, bytes], prefix: str = "/repo",
                     pkg_infos: dict[str, bytes | None] | None = None) -> str:
    """Serve `zips` ({"base/kernel.zip": bytes}) in the real layout under `prefix`; return the repository URL.
    Each package gets a pkg-info with its zip's true SHA-256 unless `pkg_infos` gives other text for it,
    or MISSING (404)."""
    pkg_infos = pkg_infos or {}
    groups: dict[str, dict[str, bytes]] = {}
    for path, data in zips.items():
        group, file = path.split("/")
        name = file.removesuffix(".zip")
        groups.setdefault(group, {})[name] = data
        httpserver.expect_request(f"{prefix}/{path}").respond_with_data(data, content_type="application/zip")
        text = pkg_infos.get(name, pkg_info(name, sha256(data)))
        if text is MISSING:
            httpserver.expect_request(f"{prefix}/pkg-info/{name}.txt").respond_with_data("Not Found", status=404)
        else:
            httpserver.expect_request(f"{prefix}/pkg-info/{name}.txt").respond_with_data(text, content_type="text/plain")
    for group, members in groups.items():
        httpserver.expect_request(f"{prefix}/{group}/index.lst").respond_with_data(index_lst(group, members))
    return httpserver.url_for(prefix)
