from hypothesis import given, strategies as st
import pytest

from finews.search.segment import index_tokens, normalise, segment, segment_query_term


@pytest.mark.parametrize("text, expected", [
    ("招商银行", {"招商银行", "银行", "招商"}),          # 2-char words inside a long word
    ("公司拟减持股份", {"减持"}),
    ("央行表示", {"央行", "央"}),                       # single characters
    ("贵州茅台（600519）涨", {"600519"}),              # codes whole
    ("制造业PMI走强", {"pmi"}),                        # Latin lower-cased and whole
    ("ＰＭＩ升至５０．２", {"pmi", "50.2"}),            # full-width normalised
    ("拟以自有资金1.2亿元", {"1.2", "亿元"}),
])
def test_segment_contains(text, expected):
    assert expected <= set(segment(text).split())


@pytest.mark.parametrize("text", ["，。！？、；：“”（）", "...", "   ", ""])
def test_punctuation_only_gives_nothing(text):
    assert segment(text) == ""


def test_words_keep_reading_order_and_extras_are_separate():
    plain, extra = index_tokens("招商银行回应传闻")
    assert plain == ["招商银行", "回应", "传闻"]
    assert "银行" in extra and "招商银行" not in extra
    assert extra.count("银") == 1


@pytest.mark.parametrize("term, tokens", [
    ("银行", ["银行"]), ("央", ["央"]), ("减持", ["减持"]), ("600519", ["600519"]),
    ("贵州茅台减持", ["贵州", "茅台", "减持"]), ("PMI", ["pmi"]), ('NEAR(', ["near"]),
    ('*^:"', []),
])
def test_segment_query_term(term, tokens):
    assert segment_query_term(term) == tokens


@given(st.text(max_size=60))
def test_index_tokens_are_plain_words(text):
    # Whatever the input, tokens never carry FTS5 syntax or whitespace.
    for token in segment(text).split():
        assert token and all(ch.isalnum() or ch == "." for ch in token), token


@given(st.text(alphabet="银行减持央贵州茅台 ，。ABc12", max_size=30))
def test_query_tokens_are_index_tokens(text):
    # Every query token of a text is found among that text's own index tokens.
    assert set(segment_query_term(text)) <= set(segment(text).split())


def test_normalise_is_idempotent():
    assert normalise(normalise("ＡＢＣ　１２")) == normalise("ＡＢＣ　１２") == "abc 12"
