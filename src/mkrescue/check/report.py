"""Findings and the report they make: the only output of a check, as data, JSON or text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OK = "ok"


class ImageKind(StrEnum):
    """What an image is, as the check tells from its bytes (never from its name)."""

    FLOPPY = "floppy"
    ISO = "iso"
    USB = "usb"
    UNKNOWN = "unknown"


# The JSON layout's version: bumped only when a key changes meaning or disappears.
SCHEMA = 1
# A hostile image can repeat one fault thousands of times (a FAT full of bad
# pointers): the first few say everything, the rest are counted.
MAX_PER_CODE = 10


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # stable, e.g. "fat.cross-link"
    message: str
    where: str = ""  # e.g. "boot image: partition 1", "El Torito initial entry"

    def to_json(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "message": self.message, "where": self.where}


@dataclass(frozen=True)
class Report:
    image: Path
    kind: ImageKind
    findings: tuple[Finding, ...]
    description: str = ""  # e.g. "ISO 9660, El Torito floppy emulation (1440 KiB), hybrid"

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, severity: Severity | None = None) -> set[str]:
        return {f.code for f in self.findings if severity is None or f.severity == severity}

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            # A name that is not valid UTF-8 (surrogate-escaped by Python) is shown with U+FFFD:
            # JSON must be valid Unicode.
            "image": os.fsencode(self.image).decode("utf-8", "replace"),
            "kind": self.kind,
            "description": self.description,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_json() for f in self.findings],
        }


def format_text(report: Report) -> str:
    """The human report: what the image is, one line per finding, a verdict."""
    lines = [f"{report.image}: {report.description or report.kind}"]
    width = max((len(f.code) for f in report.findings), default=0)
    for f in report.findings:
        where = f"[{f.where}] " if f.where else ""
        lines.append(f"  {f.severity.upper() if f.severity == Severity.ERROR else f.severity:<7} {f.code:<{width}}  {where}{f.message}")
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "the image is damaged" if errors else "the image looks right"
    lines.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}: {verdict}")
    return "\n".join(lines)


class _Sink:
    """What every scoped view of one check shares."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.errors = 0


class Findings:
    """Collects findings while a check runs; `scoped` gives a view that prefixes `where`,
    so the same FAT check reads the same on a floppy, a partition or a boot image."""

    def __init__(self, prefix: str = "", sink: _Sink | None = None) -> None:
        self.prefix = prefix
        self._sink = sink or _Sink()

    def scoped(self, where: str) -> Findings:
        return Findings(self._join(where), self._sink)

    def _join(self, where: str) -> str:
        return f"{self.prefix}: {where}" if self.prefix and where else self.prefix or where

    def add(self, severity: Severity, code: str, message: str, where: str = "") -> None:
        sink = self._sink
        seen = sink.counts.get(code, 0)
        sink.counts[code] = seen + 1
        sink.errors += severity == Severity.ERROR
        if seen < MAX_PER_CODE:
            sink.items.append(Finding(severity, code, message, self._join(where)))

    def error(self, code: str, message: str, where: str = "") -> None:
        self.add(Severity.ERROR, code, message, where)

    def warning(self, code: str, message: str, where: str = "") -> None:
        self.add(Severity.WARNING, code, message, where)

    def ok(self, code: str, message: str, where: str = "") -> None:
        self.add(Severity.OK, code, message, where)

    def error_count(self) -> int:
        return self._sink.errors

    def finish(self) -> tuple[Finding, ...]:
        """The findings, with one line per code that was cut short saying how many more there were."""
        items = self._sink.items
        extra = []
        for code, count in self._sink.counts.items():
            if count > MAX_PER_CODE:
                severity = next(f.severity for f in items if f.code == code)
                extra.append(Finding(severity, code, f"... and {count - MAX_PER_CODE} more like this"))
        return tuple(items) + tuple(extra)
