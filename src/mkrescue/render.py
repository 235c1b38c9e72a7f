"""Render templates/*.j2 into DOS text files: CRLF line ends, plain ASCII, short lines."""

from __future__ import annotations

from functools import cache

import jinja2

from mkrescue.errors import TemplateProblem

# COMMAND.COM reads at most 127 characters of a command line; keep every line within it.
MAX_LINE = 127


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mkrescue", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def to_dos_text(text: str, name: str) -> bytes:
    """Turn rendered text into a DOS file: CRLF, ASCII only, lines a DOS shell can read."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            raise TemplateProblem(f"{name} line {number} is {len(line)} characters, DOS reads at most {MAX_LINE}")
        if not line.isascii():
            raise TemplateProblem(f"{name} line {number} has characters DOS cannot show: {line!r}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def render(template: str, **context: object) -> bytes:
    """Render templates/<template>.j2 into the bytes of a DOS text file."""
    text = _environment().get_template(f"{template}.j2").render(**context)
    return to_dos_text(text, template)
