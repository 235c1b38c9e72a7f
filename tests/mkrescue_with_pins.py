"""Run mkrescue as `python -m mkrescue` does, except that the shipped catalogues' pins are
replaced: argv[1] is JSON {release: {package: sha256 or null}}. Stand-in packages can never
match the real public hashes, so the CLI tests that need a download to succeed pin the
stand-ins' hashes instead (or none); everything else is the shipped catalogue."""

import dataclasses
import json
import sys

from mkrescue.freedos import catalogue


def _with_pins(pins: dict[str, dict[str, str | None]], load=catalogue.load):
    def patched(release: str = catalogue.DEFAULT_RELEASE) -> catalogue.Catalogue:
        shipped, override = load(release), pins.get(release, {})

        def pin(package: catalogue.Package) -> catalogue.Pin | None:
            if package.name not in override:
                return package.pin
            sha = override[package.name]
            return catalogue.Pin(sha, "a test's stand-in") if sha else None

        return dataclasses.replace(shipped, packages=tuple(dataclasses.replace(p, pin=pin(p)) for p in shipped.packages))
    return patched


if __name__ == "__main__":
    catalogue.load = _with_pins(json.loads(sys.argv[1]))
    from mkrescue.cli import main

    main(sys.argv[2:])
