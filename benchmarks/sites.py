"""Minimal Jekyll and Hugo sites with the page set finews publishes.

Each site has: a home page (newest 50 stories, then each outlet with its
newest 5), one page per category listing its newest 50 stories and its
count, one page per story (title, time, outlet, body) and an Atom/RSS feed
of the newest 50. finews writes more than this (numbered category pages,
day pages, per-category feeds, sitemaps), so the comparison does not favour
it.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Jekyll 4.3.2's ``Site#each_site_file`` (jekyll/jekyll#9187): the 4.3.1
#: method checks every file against an Array of those already seen, which is
#: quadratic in the number of pages. A Set makes it linear.
EACH_SITE_FILE_FIX = """\
require "set"

module Jekyll
  class Site
    def each_site_file
      seen_files = Set.new
      %w(pages static_files_to_write docs_to_write).each do |type|
        send(type).each do |item|
          next if seen_files.include?(item)

          seen_files << item
          yield item
        end
      end
    end
  end
end
"""

_JEKYLL = {
    "_config.yml": """\
title: 金融消息
url: "http://127.0.0.1:8000"
permalink: /:categories/:year/:month/:day/:title.html
markdown: kramdown
plugins: [jekyll-feed]
feed:
  posts_limit: 50
exclude: [Gemfile, Gemfile.lock]
""",
    "_layouts/default.html": """\
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ page.title }} · {{ site.title }}</title>{% feed_meta %}</head>
<body><header><a href="/">{{ site.title }}</a></header>
<main>{{ content }}</main></body></html>
""",
    "_layouts/post.html": """\
---
layout: default
---
<article><h1>{{ page.title }}</h1>
<p><time>{{ page.date | date: "%Y-%m-%d %H:%M" }}</time> {{ page.tags | first }}</p>
{{ content }}</article>
""",
    "_layouts/category.html": """\
---
layout: default
---
{% assign posts = site.categories[page.slug] %}
<h1>{{ page.title }}</h1><p>{{ posts.size }} 篇</p>
<ul>{% for post in posts limit:50 %}<li><a href="{{ post.url }}">{{ post.title }}</a> {{ post.date | date: "%m-%d %H:%M" }}</li>{% endfor %}</ul>
""",
    "index.html": """\
---
layout: default
title: 首页
---
<h2>最新</h2>
<ul>{% for post in site.posts limit:50 %}<li><a href="{{ post.url }}">{{ post.title }}</a></li>{% endfor %}</ul>
{% for cat in site.categories %}<section><h2><a href="/category/{{ cat[0] }}.html">{{ cat[0] }}</a></h2>
<ul>{% for post in cat[1] limit:5 %}<li><a href="{{ post.url }}">{{ post.title }}</a></li>{% endfor %}</ul></section>
{% endfor %}
""",
    "_plugins_fix/each_site_file.rb": EACH_SITE_FILE_FIX,
}

_HUGO = {
    "config.toml": """\
baseURL = "http://127.0.0.1:8000/"
title = "金融消息"
languageCode = "zh-cn"
disableKinds = ["taxonomy", "section", "sitemap", "robotsTXT", "404"]
rssLimit = 50
ignoreErrors = ["error-disable-taxonomy"]

[taxonomies]
category = "categories"

[outputs]
home = ["HTML", "RSS"]
term = ["HTML"]
page = ["HTML"]

[permalinks]
posts = "/:year/:month/:day/:slug/"

[markup.goldmark.renderer]
unsafe = true
""",
    "layouts/_default/baseof.html": """\
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><header><a href="/">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "layouts/_default/single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "2006-01-02 15:04" }}</time> {{ .Params.media }}</p>
{{ .Content }}</article>{{ end }}
""",
    "layouts/_default/term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ len .Pages }} 篇</p>
<ul>{{ range first 50 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "01-02 15:04" }}</li>{{ end }}</ul>{{ end }}
""",
    "layouts/index.html": """\
{{ define "main" }}<h2>最新</h2>
<ul>{{ range first 50 .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ range $name, $t := .Site.Taxonomies.categories }}<section><h2><a href="{{ "categories/" | relURL }}{{ $name | urlize }}/">{{ $name }}</a></h2>
<ul>{{ range first 5 $t.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>
{{ end }}{{ end }}
""",
}


def _write_all(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def jekyll_skeleton(root: Path) -> None:
    """Config, layouts, home page and the backported fix (in ``_plugins_fix``)."""
    _write_all(root, _JEKYLL)


def jekyll_categories(root: Path, used: dict[str, str]) -> None:
    """One ``category/<slug>.html`` per category that has stories."""
    folder = root / "category"
    folder.mkdir(parents=True, exist_ok=True)
    for slug, media in used.items():
        (folder / f"{slug}.html").write_text(
            f"---\nlayout: category\nslug: {slug}\n"
            f"title: {json.dumps(media + '新闻', ensure_ascii=False)}\n---\n",
            encoding="utf-8")


def hugo_skeleton(root: Path) -> None:
    _write_all(root, _HUGO)
