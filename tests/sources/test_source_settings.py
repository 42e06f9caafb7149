"""The page and tag keys of a source are checked like every other key."""

from __future__ import annotations

import pytest

from finews.config import from_mapping
from finews.errors import ConfigError

FEED = {"name": "f", "kind": "feed", "url": "https://news.example.com/rss.xml"}


def test_page_keys_and_tags_are_read():
    (src,) = from_mapping({"sources": [{**FEED, "fulltext": "page", "tags": [" 财经 ", "银行"],
                                        "fulltext_selector": "div.article > p",
                                        "fulltext_remove": ".share, #ad"}]}).sources
    assert (src.fulltext, src.fulltext_selector, src.fulltext_remove, src.tags) == (
        "page", "div.article > p", ".share, #ad", ("财经", "银行"))


@pytest.mark.parametrize("extra, why", [
    ({"fulltext": "api"}, "'sources[0].fulltext' must be \"page\""),
    ({"fulltext_selector": "#main"}, "needs fulltext = \"page\""),
    ({"fulltext": "page", "fulltext_selector": "div >"}, "not a valid CSS selector"),
    ({"fulltext": "page", "fulltext_remove": "[["}, "'sources[0].fulltext_remove'"),
    ({"tags": "财经"}, "must be a list of non-empty strings"),
    ({"tags": ["财经", ""]}, "must be a list of non-empty strings"),
])
def test_bad_page_keys_name_the_key(extra, why):
    with pytest.raises(ConfigError, match=why.replace("[", r"\[").replace(".", r"\.")):
        from_mapping({"sources": [{**FEED, **extra}]})
