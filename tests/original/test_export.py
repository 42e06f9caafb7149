from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from finews.config import SiteSettings
from finews.model import Article
from finews.original.export import export_jekyll
from finews.original.frontmatter import parse_date
from finews.original.importer import Imported, import_paths
from finews.original.post import parse_post
from finews.process.sanitise import is_safe_html
from finews.store.sqlite import SQLiteStore

from . import original_samples as samples
from .test_importer import lay_out

CHINA = ZoneInfo("Asia/Shanghai")
CST = timezone(timedelta(hours=8))
SITE = SiteSettings(host="news.example", share_host="share.example",
                    base_url="http://news.example/")

#: the only differences an export may make to an imported file
REPAIRED = {
    "2022-03-04-NW202203040000000004.md": ('title: "他说"你好"再见"', 'title: "他说\\"你好\\"再见"'),
    "2022-03-07-NW202203070000000007.md": ("date:  +0800", "date: 2022-03-07 00:00:00 +0800"),
    # Jekyll sees front matter only on the first line
    "2022-02-01-NW202202010000000002.md": ("\n---\nlayout", "---\nlayout"),
}


@pytest.fixture()
def store(tmp_path):
    with SQLiteStore.open(tmp_path / "finews.sqlite3", CHINA) as opened:
        yield opened


def import_into(store, root: Path) -> None:
    for event in import_paths([root]):
        if isinstance(event, Imported):
            store.upsert_articles([(event.article, event.payload)])


def test_import_store_export_is_byte_exact(tmp_path, store):
    import_into(store, lay_out(tmp_path / "old"))
    out = tmp_path / "site"
    summary = export_jekyll(store, out, SITE)
    assert summary.posts == len(samples.GOOD)
    for name, _folder, text in samples.GOOD:
        written = (out / "_posts" / name).read_bytes()
        if name in REPAIRED:
            before, after = REPAIRED[name]
            assert written == text.replace(before, after).encode()
        elif "NW202203060000000006" in name:
            continue  # active content: checked below
        else:
            assert written == text.encode(), name
    assert summary.repaired == 4


def test_active_content_is_cut_out_and_the_rest_kept(tmp_path, store):
    import_into(store, lay_out(tmp_path / "old"))
    out = tmp_path / "site"
    export_jekyll(store, out, SITE)
    written = (out / "_posts" / "2022-03-06-NW202203060000000006.md").read_text()
    assert written == (samples.SCRIPTED.replace(' onclick="steal()"', "")
                       .replace("<script>alert(1)</script>", "")
                       .replace(' href="javascript:alert(2)"', ""))
    assert samples.EM_BODY in written
    assert is_safe_html(parse_post("x.md", written.encode(), folder="_posts").body.html)


def test_repaired_front_matter_is_yaml_with_the_same_title_and_date(tmp_path, store):
    import_into(store, lay_out(tmp_path / "old"))
    export_jekyll(store, tmp_path / "site", SITE)
    for name in REPAIRED:
        text = (tmp_path / "site" / "_posts" / name).read_text()
        front = yaml.safe_load(text.replace("\r\n", "\n").split("---\n")[1])
        original = parse_post(name, dict((n, t) for n, _, t in samples.GOOD)[name].encode(),
                              folder="_posts")
        assert front["title"] == original.title
        when = parse_date(front["date"], CHINA)
        assert when is not None and f"{when:%Y-%m-%d}" == name[:10]


def test_export_is_incremental(tmp_path, store):
    import_into(store, lay_out(tmp_path / "old"))
    first = export_jekyll(store, tmp_path / "site", SITE)
    assert first.written > 0 and first.unchanged == 0
    again = export_jekyll(store, tmp_path / "site", SITE)
    assert again.written == 0 and again.unchanged == first.written
    assert not list((tmp_path / "site").rglob("*.tmp"))


def test_category_pages_keep_original_slugs(tmp_path, store):
    import_into(store, lay_out(tmp_path / "old"))
    out = tmp_path / "site"
    export_jekyll(store, out, SITE)
    pages = {p.name: yaml.safe_load(p.read_text().split("---\n")[1])
             for p in (out / "category").iterdir()}
    assert pages["shijiribao.html"] == {"layout": "category", "title": "Shijiribao",
                                        "category": "shijiribao"}
    assert pages["TechWeb.html"]["category"] == "TechWeb"
    spaced = [v for k, v in pages.items() if v["category"] == "21shijijingjibaodao 21caijingAPP"]
    assert len(spaced) == 1 and spaced[0]["title"] == "21shijijingjibaodao 21caijingAPP"
    assert all(" " not in name for name in pages)
    for name in ("_config.yml", "_layouts/default.html", "_layouts/post.html",
                 "_layouts/category.html", "index.html"):
        assert (out / name).is_file()
    assert yaml.safe_load((out / "_config.yml").read_text())["plugins"] == ["jekyll-feed"]


def upstream(upstream_id: str, *, media: str, shape: str | None, title: str = "标题",
             slug: str | None = None, day: int = 1, url: str | None = None) -> Article:
    return Article(source="em", upstream_id=upstream_id, title=title,
                   published=datetime(2022, 3, day, 9, 30, tzinfo=CST), media=media,
                   body_html="<p>正文。</p>", digest="【标题】摘要。", shape=shape,
                   category_slug=slug, url=url, tags=(media + "新闻",), content_hash=upstream_id)


def test_upstream_stories_in_the_originals_shapes(tmp_path, store):
    store.upsert_articles([
        (upstream("NW1", media="示例日报", shape="media", title='他说"好"'), b"{}"),
        (upstream("NW2", media="TechWeb", shape="market"), b"{}"),
        (upstream("NW3", media="Techweb", shape=None), b"{}"),
        (upstream("99", media="东财滚动新闻", shape="rolling", slug="emnews",
                  url="http://finance.example/a/99.html"), b"{}"),
    ])
    out = tmp_path / "site"
    export_jekyll(store, out, SITE)
    posts = {p.name: p.read_bytes() for p in (out / "_posts").iterdir()}
    media = posts["2022-03-01-NW1.md"].decode()
    front = yaml.safe_load(media.split("---\n")[1])
    assert front["title"] == '他说"好"' and front["layout"] == "post"
    assert media.endswith("<p>正文。</p>\n\n"
                          "<http://share.example/html_News/NewsShare.html?infoCode=NW1>\n\n"
                          f"[返回示例日报新闻](//news.example/category/{front['categories']}.html)"
                          "｜[返回首页](//news.example/)")
    rolling = parse_post("x.md", posts["2022-03-01-99.md"], folder="_posts")
    assert rolling.shape == "rolling" and rolling.body.digest == "摘要。"
    assert rolling.body.link == "http://finance.example/a/99.html"
    # the original's rolling posts end with both links, like every other post
    assert rolling.body.back_links == ("[返回东财滚动新闻](//news.example/emnews/)"
                                       "｜[返回首页](//news.example/)")
    for name in ("2022-03-01-NW2.md", "2022-03-01-NW3.md"):
        assert parse_post(name, posts[name], folder="_posts").shape == "media"
    # case twins never share a file name, ignoring case
    names = [p.name.casefold() for p in (out / "category").iterdir()]
    assert len(names) == len(set(names)) == 4


def test_filters(tmp_path, store):
    store.upsert_articles([(upstream(f"NW{d}", media="示例日报", shape="media", day=d), b"")
                           for d in (1, 2, 3)] +
                          [(upstream("NW9", media="另一家", shape="media", day=2), b"")])
    out = tmp_path / "a"
    summary = export_jekyll(store, out, SITE, since=date(2022, 3, 2), until=date(2022, 3, 2))
    assert summary.posts == 2 and summary.categories == 2
    out = tmp_path / "b"
    cat = store.categories()[0]
    summary = export_jekyll(store, out, SITE, category=cat.slug)
    assert summary.posts == (3 if cat.name == "示例日报" else 1)
    assert len(list((out / "category").iterdir())) == 1
