"""Splitting post text into lines, as the byte-exact round trip needs them."""

from hypothesis import given
from hypothesis import strategies as st

from finews.original.frontmatter import split_lines


def test_endings_are_kept_and_a_lone_cr_is_not_one():
    assert split_lines("a\r\nb\nc\rd") == [("a", "\r\n"), ("b", "\n"), ("c\rd", "")]


def test_a_final_line_ending_adds_no_empty_line():
    assert split_lines("a\n\n") == [("a", "\n"), ("", "\n")]
    assert split_lines("") == []
    assert split_lines("x\r") == [("x\r", "")]


@given(st.text(alphabet="ab\r\n题", max_size=40))
def test_lines_join_back_to_the_text(text):
    lines = split_lines(text)
    assert "".join(line + end for line, end in lines) == text
    assert all("\n" not in line for line, _ in lines)
    assert all(end in ("\n", "\r\n") for _, end in lines[:-1])
    assert all(not line.endswith("\r") for line, end in lines if end == "\n")
