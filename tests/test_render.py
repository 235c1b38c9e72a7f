import jinja2
import pytest

from mkrescue import compiled_templates, render
from mkrescue.cli import main
from mkrescue.errors import MkrescueError, TemplateProblem
from mkrescue.render import MAX_LINE, to_dos_text


def test_dos_text_is_crlf_and_ascii():
    assert to_dos_text("ECHO A\nECHO B\n", "X.BAT") == b"ECHO A\r\nECHO B\r\n"


@pytest.mark.parametrize("text, message", [("E" * (MAX_LINE + 1), "DOS reads at most"), ("ECHO \u00e9", "cannot show")])
def test_a_line_dos_cannot_read_is_one_line_error(text, message):
    """A rendered line DOS cannot read is reported like any other expected failure."""
    with pytest.raises(TemplateProblem, match=message) as caught:
        to_dos_text(text, "X.BAT")
    assert isinstance(caught.value, MkrescueError) and "X.BAT line 1" in str(caught.value)


def _skip_unless_compiled_by_installed_jinja2() -> None:
    """compiled_templates/ belongs to one Jinja2 version; with any other, builds compile the
    sources instead (proved below with the version faked), so there is nothing to compare."""
    if compiled_templates.JINJA2_VERSION != jinja2.__version__:
        pytest.skip(f"compiled_templates/ was made by Jinja2 {compiled_templates.JINJA2_VERSION} and "
                    f"Jinja2 {jinja2.__version__} is installed: builds compile the sources; "
                    "python -m mkrescue.render ships them for this version")


def test_shipped_compiled_templates_are_what_jinja2_makes_of_the_sources_now():
    _skip_unless_compiled_by_installed_jinja2()
    shipped = {path.name: path.read_text(encoding="utf-8") for path in render.COMPILED.glob("*.py")}
    assert shipped == render.compiled_modules(), "a template or Jinja2 changed: run python -m mkrescue.render"


def test_another_jinja2_skips_the_comparison_with_a_reason_instead_of_failing(monkeypatch):
    monkeypatch.setattr(jinja2, "__version__", "99.0")
    with pytest.raises(pytest.skip.Exception, match="made by Jinja2 .* and Jinja2 99.0 is installed"):
        test_shipped_compiled_templates_are_what_jinja2_makes_of_the_sources_now()


def test_the_installed_jinja2_still_compares(monkeypatch):
    """The skip is for another version only: with the shipped one, a stale module fails."""
    monkeypatch.setattr(render, "compiled_modules", lambda: {"__init__.py": "stale"})
    with pytest.raises(AssertionError, match="run python -m mkrescue.render"):
        test_shipped_compiled_templates_are_what_jinja2_makes_of_the_sources_now()


@pytest.mark.parametrize("output", ["rescue.img", "rescue.iso"])
def test_a_build_uses_the_compiled_templates_and_the_sources_make_the_same_image(
        tmp_path, dos_dir, user_files, monkeypatch, output):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _skip_unless_compiled_by_installed_jinja2()
    flasher, firmware = user_files

    def build(loader: type) -> bytes:
        render._environment.cache_clear()
        assert type(render._environment().loader) is loader
        main(["--flasher", str(flasher), "--fw", str(firmware), "--dos-dir", str(dos_dir), "--force",
              "-o", str(tmp_path / output)])  # returns only when the build succeeded
        return (tmp_path / output).read_bytes()

    try:
        compiled = build(jinja2.ModuleLoader)
        # Another Jinja2 than the one that made compiled_templates/: the sources are compiled.
        monkeypatch.setattr(compiled_templates, "JINJA2_VERSION", "0.0")
        assert build(jinja2.FileSystemLoader) == compiled
    finally:
        render._environment.cache_clear()
