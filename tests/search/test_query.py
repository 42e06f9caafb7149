import pytest
from hypothesis import given, strategies as st

from finews.errors import QueryError
from finews.search.query import MAX_QUERY_CHARS, parse
from finews.store.sqlite.fts_query import match
from finews.store.sqlite.fts_query import negative as render_negative
from finews.store.sqlite.fts_query import positive as render_positive


@pytest.mark.parametrize("text, positive, negative_", [
    ("央行 降准", '"央行" AND "降准"', None),
    ("降准 央行 OR 证监会", '"降准" AND ("央行" OR "证监会")', None),
    ("银行 -招商银行", '"银行"', '"招商银行"'),
    ('银行 -"平安 银行"', '"银行"', '"平安 银行"'),
    ("贵州茅台减持", '("贵州" AND "茅台" AND "减持")', None),
    ('"unbalanced', '"unbalanced"', None),
    ("NEAR( a * ^ :", '"near" AND "a"', None),
    ("AND OR NOT", '("and" OR "not")', None),
    ("or 银行", '"or" AND "银行"', None),          # only capital OR is an operator
    ("银行\x00\x1b央行", '"银行" AND "央行"', None),  # control characters split words
])
def test_parse(text, positive, negative_):
    parsed = parse(text)
    assert (render_positive(parsed), render_negative(parsed)) == (positive, negative_)


@pytest.mark.parametrize("text", ['"贵州茅台 减持"', "“贵州茅台 减持”", '"贵州茅台减持'])
def test_top_level_phrase_needs_its_words_and_a_text_check(text):
    parsed = parse(text)
    assert render_positive(parsed) == '("贵州" AND "茅台" AND "减持")'
    assert parsed.phrases == ("贵州茅台减持",)


def test_phrase_inside_or_is_an_fts_phrase():
    assert render_positive(parse('"贵州茅台 减持" OR 回购')) == '("贵州 茅台 减持" OR "回购")'


@pytest.mark.parametrize("text, message", [
    ("", "no words"), ("   ", "no words"), ('*^:"()', "no words"), ('""', "no words"),
    ("-银行", "only excludes"), ("OR 银行", "OR needs"), ("银行 OR", "OR needs"),
    ("银行 OR OR 央行", "OR needs"), ("银行 OR -央行", "excluded"),
    ("银" * (MAX_QUERY_CHARS + 1), "too long"),
    (" ".join(f"w{i}" for i in range(40)), "too many"),
])
def test_parse_errors(text, message):
    with pytest.raises(QueryError, match=message):
        parse(text)


def test_match_limits_only_the_positive_part_to_columns():
    parsed = parse("银行 -招商银行")
    assert match(parsed, "{title}") == '({title} : ("银行")) NOT ("招商银行")'


@given(st.text(max_size=80))
def test_every_token_reaches_fts_quoted(text):
    try:
        parsed = parse(text)
    except QueryError:
        return
    # Outside quoted strings only our own operators and parentheses remain.
    outside = match(parsed).split('"')[0::2]
    leftover = " ".join(outside).replace("AND", "").replace("OR", "").replace("NOT", "")
    assert set(leftover) <= set("() ")
