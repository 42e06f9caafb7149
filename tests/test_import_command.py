"""`finews import` on a folder of original posts, then `finews build`: URLs kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

POST = ('---\nlayout: post\ntitle: "{title}"\ndate: {date} +0800\ncategories: {slug}\n'
        'tags: {media}新闻\n---\n<p>{title}的正文。</p>\n\n'
        '<http://share.example/html_News/NewsShare.html?infoCode={id}>\n\n'
        '[返回{media}新闻](//news.example/category/{slug}.html)｜[返回首页](//news.example/)')


def write_post(folder: Path, *, id: str, date: str, slug: str, media: str, title: str):
    folder.mkdir(parents=True, exist_ok=True)
    text = POST.format(id=id, date=date, slug=slug, media=media, title=title)
    (folder / f"{date[:10]}-{id}.md").write_text(text, encoding="utf-8")


def finews(*args, cwd):
    return subprocess.run([sys.executable, "-m", "finews.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_import_then_build_keeps_slugs_and_urls(tmp_path):
    site = tmp_path / "oldsite"
    write_post(site / "_posts", id="NW1", date="2022-03-01 09:30:00", slug="hezeribao",
               media="菏泽日报", title="新区项目提速")
    write_post(site / "old_post", id="NW2", date="2022-02-01 10:00:00",
               slug="yangxingguancha", media="央行观察", title="逆回购操作")
    write_post(site / "old_post", id="NW3", date="2022-02-02 10:00:00",
               slug="21shijijingjibaodao 21caijingAPP", media="21世纪经济报道 21财经APP",
               title="空格分类")
    (site / "_posts" / "2022-03-01-broken.md").write_bytes(b"\xff\xfe not a post")
    (site / "_posts" / "notes.txt").write_text("not a post", encoding="utf-8")

    result = finews("import", str(site / "_posts"), str(site / "old_post"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 3 posts" in result.stdout
    assert "quarantined 1" in result.stdout
    assert "skipped 1" in result.stdout

    built = finews("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "data" / "site"
    # Jekyll's story URLs and the original category pages still resolve
    assert (out / "hezeribao/2022/03/01/NW1.html").is_file()
    assert (out / "category/hezeribao.html").is_file()
    assert (out / "yangxingguancha/2022/02/01/NW2.html").is_file()  # the old reading stays
    safe = out / "category/21shijijingjibaodao-21caijingapp.html"
    assert safe.is_file()
    old = out / "category/21shijijingjibaodao 21caijingAPP.html"
    assert old.is_file() and "21shijijingjibaodao-21caijingapp.html" in old.read_text("utf-8")

    again = finews("import", str(site), cwd=tmp_path)
    assert "stored 0 new, 0 updated, 3 unchanged" in again.stdout


def test_export_jekyll_gives_back_the_imported_files(tmp_path):
    site = tmp_path / "oldsite"
    write_post(site / "_posts", id="NW1", date="2022-03-01 09:30:00", slug="hezeribao",
               media="菏泽日报", title="新区项目提速")
    write_post(site / "_posts", id="NW2", date="2022-03-02 09:30:00", slug="hezeribao",
               media="菏泽日报", title='他说"你好"')  # invalid YAML in the original
    assert finews("import", str(site), cwd=tmp_path).returncode == 0

    result = finews("export-jekyll", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exported 2 posts in 1 categories" in result.stdout
    name = "2022-03-01-NW1.md"
    assert (tmp_path / "out/_posts" / name).read_bytes() == \
        (site / "_posts" / name).read_bytes()
    import yaml
    repaired = (tmp_path / "out/_posts/2022-03-02-NW2.md").read_text("utf-8")
    front = yaml.safe_load(repaired.split("---\n")[1])
    assert front["title"] == '他说"你好"'
    assert "repaired 2022-03-02-NW2.md" in result.stderr

    again = finews("export-jekyll", "out", cwd=tmp_path)
    assert " 0 files written" in again.stdout

    bad = finews("export-jekyll", "out2", "--category", "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "nope" in bad.stderr
    bad = finews("export-jekyll", "out2", "--since", "yesterday", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
