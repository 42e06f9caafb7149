import re
from datetime import datetime, timedelta

from finews.upstream import words
from finews.upstream.generator import CHINA, FLASH_LISTS, StoryGenerator, hostile_story

END = datetime(2024, 3, 13, 15, 0, tzinfo=CHINA)


def batch(seed: int, n: int = 300):
    return StoryGenerator(seed).batch(n, END, timedelta(minutes=1))


def test_same_seed_same_stories():
    assert batch(7, 50) == batch(7, 50)
    assert [s.title for s in batch(7, 50)] != [s.title for s in batch(8, 50)]


def test_stories_look_like_the_upstream():
    stories = batch(1)
    codes = [s.code for s in stories]
    assert len(set(codes)) == len(codes)
    for story in stories:
        assert re.fullmatch(r"\d{18}", story.code)
        assert story.code.startswith(story.published.strftime("%Y%m%d"))
        assert story.info_code == "NW" + story.code
        assert 8 <= len(story.title) <= 30
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", story.showtime)
        paragraphs = story.body_html.count("<p>")
        assert paragraphs == 1 if story.lists[0] in FLASH_LISTS else 2 <= paragraphs <= 8
        assert story.body_html.endswith(f'<p class="em_media">（文章来源：{story.media}）</p>')
    assert stories[-1].published == END
    assert stories[0].published == END - timedelta(minutes=299)


def test_variety_the_pipeline_must_handle():
    stories = batch(1)
    titles = "".join(s.title for s in stories)
    assert '"' in titles and "“" in titles and "：" in titles
    bodies = "".join(s.body_html for s in stories)
    assert 'class="keytip" data-code="' in bodies
    assert 'class="em_stock_key_common"' in bodies
    assert "<!-- EM_StockImg_Start -->" in bodies and "\u3000\u3000" in bodies
    assert any(s.lists == ("rolling", "media") for s in stories)   # duplicates
    assert {lst for s in stories for lst in s.lists} == {
        "rolling", "media", "market", "fast", "columns", "zhibo"}
    assert {s.market_type for s in stories if "market" in s.lists} == {"37", "38", "39"}


def test_media_names():
    assert 38 <= len(set(words.MEDIA)) <= 45
    assert "TechWeb" in words.MEDIA
    assert any(" " in m for m in words.MEDIA)
    assert any(m.endswith("日报") for m in words.MEDIA)


def test_hostile_story():
    story = hostile_story(END)
    assert "<script>" in story.title and ".." in story.code
