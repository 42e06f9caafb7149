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


@given(st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFF65),   # full- and half-width forms
    st.sampled_from("　，。｜：“”《》ﬁ①Ⅻ㍿ｶﾞé\u0301Aa1 上海银行"),
    st.characters(max_codepoint=0x3000)), max_size=40))
def test_normalise_is_nfkc_in_lower_case(text):
    import unicodedata
    assert normalise(text) == unicodedata.normalize("NFKC", text).lower()


def _search_mode_reference(text):
    """What index_tokens must equal: cutting the text a second time in search mode."""
    import rjieba
    from finews.search.segment import _HAN, _clean
    norm = normalise(text)
    plain = _clean(rjieba.cut(norm))
    known = set(plain)
    extra = dict.fromkeys(t for t in _clean(rjieba.cut_for_search(norm)) if t not in known)
    for char in _HAN.findall(norm):
        if char not in known:
            extra.setdefault(char)
    return plain, set(extra)


@pytest.mark.parametrize("text", [
    "中华人民共和国中央人民政府今日发布公告", "招商银行股份有限公司拟减持", "上海证券交易所科创板",
    "人工智能大模型产业链", "国家发展和改革委员会", "ＰＭＩ升至５０．２，制造业景气回升",
])
def test_extras_equal_jiebas_search_mode(text):
    plain, extra = index_tokens(text)
    assert (plain, set(extra)) == _search_mode_reference(text)
    assert len(extra) == len(set(extra))


@given(st.text(alphabet="中华人民共和国央行银行招商减持股份有限公司科创板交易所 ，。AB1.2", max_size=40))
def test_extras_equal_jiebas_search_mode_on_any_text(text):
    plain, extra = index_tokens(text)
    assert (plain, set(extra)) == _search_mode_reference(text)


@given(st.text(max_size=40))
def test_normalise_is_nfkc_simplified_lower_case(text):
    import unicodedata
    from finews.search.chinese import to_simplified
    assert normalise(text) == to_simplified(unicodedata.normalize("NFKC", text)).lower()


def test_traditional_characters_normalise_to_simplified():
    assert normalise("銀行") == normalise("银行") == "银行"
    assert normalise("貴州茅臺發佈公告") == "贵州茅台发布公告"
    assert normalise("ＰＭＩ數據") == "pmi数据"
    assert segment_query_term("證券時報") == segment_query_term("证券时报")


def test_the_dictionary_loads_only_when_something_is_segmented(tmp_path):
    # ~30 MB per process: a build or a server that never segments goes without.
    import subprocess
    import sys
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from finews.cli import main\n"
        "from finews.config import SiteSettings\n"
        "from finews.publish import build_site\n"
        "from finews.store.sqlite import SQLiteStore\n"
        "from zoneinfo import ZoneInfo\n"
        "with SQLiteStore.open(Path(sys.argv[1]) / 'db', ZoneInfo('Asia/Shanghai')) as s:\n"
        "    build_site(s, Path(sys.argv[1]) / 'site', SiteSettings())\n"
        "print('rjieba' in sys.modules)\n"
        "from finews.search.segment import index_tokens\n"
        "print(index_tokens('上海银行减持'), 'rjieba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True,
                         capture_output=True, text=True).stdout.split("\n")
    assert out[0] == "False"
    assert "银行" in out[1] and out[1].endswith("True")
