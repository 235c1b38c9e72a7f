import pytest

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
