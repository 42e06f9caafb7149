import pytest
from hypothesis import given, strategies as st

from finews.process.slug import SLUG_LIMIT, is_safe_slug, media_slug, safe_slug


@pytest.mark.parametrize("name, slug", [
    ("菏泽日报", "hezeribao"),
    ("21世纪经济报道", "21shijijingjibaodao"),
    ("证券时报", "zhengquanshibao"),
    ("央行", "yanghang"),
    ("央行观察", "yanghangguancha"),
    ("中国人民银行", "zhongguorenminyinhang"),
    ("银行业观察", "yinhangyeguancha"),
    ("重庆日报", "chongqingribao"),
    ("绿色金融", "lvsejinrong"),
    ("TechWeb", "techweb"),
    ("Techweb", "techweb"),
    ("21世纪经济报道 21财经APP", "21shijijingjibaodao-21caijingapp"),
    ("示例（北京）日报", "shili-beijing-ribao"),
    ("Ｒｅｕｔｅｒｓ 路透", "reuters-lutou"),
    ("Café Finance", "cafe-finance"),
    ("  --财经--  ", "caijing"),
    ("a/../b", "a-b"),
])
def test_media_slug(name, slug):
    assert media_slug(name) == slug


@pytest.mark.parametrize("name", ["", "   ", "!!!", "🙂🙂", "ﾟ"])
def test_unreadable_names_get_a_stable_hash_slug(name):
    slug = media_slug(name)
    assert slug.startswith("media-") and is_safe_slug(slug)
    assert slug == media_slug(name)


def test_different_unreadable_names_differ():
    assert media_slug("🙂") != media_slug("🙁")


def test_long_names_are_capped():
    slug = media_slug("日报" * 200)
    assert len(slug) <= SLUG_LIMIT and is_safe_slug(slug)


@pytest.mark.parametrize("slug, expected", [
    ("21shijijingjibaodao 21caijingAPP", "21shijijingjibaodao-21caijingapp"),
    ("TechWeb", "techweb"),
    ("hezeribao", "hezeribao"),
    ("emnews", "emnews"),
    ("zhongguo(xianggang)", "zhongguo-xianggang"),
    ("a--b", "a-b"),
    ("证券时报", "zhengquanshibao"),
])
def test_safe_slug(slug, expected):
    assert safe_slug(slug) == expected


@pytest.mark.parametrize("text, ok", [
    ("hezeribao", True), ("21cj-app", True), ("a", True),
    ("", False), ("Abc", False), ("a b", False), ("-a", False), ("a-", False),
    ("a--b", False), ("a_b", False), ("a.b", False), ("x" * (SLUG_LIMIT + 1), False),
])
def test_is_safe_slug(text, ok):
    assert is_safe_slug(text) is ok


@given(st.text(max_size=60))
def test_media_slug_is_always_safe_and_deterministic(name):
    slug = media_slug(name)
    assert is_safe_slug(slug)
    assert media_slug(name) == slug
    assert safe_slug(slug) == slug


@given(st.text(max_size=60))
def test_safe_slug_is_always_safe_and_idempotent(text):
    slug = safe_slug(text)
    assert is_safe_slug(slug)
    assert safe_slug(slug) == slug
