"""The Jekyll site around the posts: layouts, home page, category pages, config.

The layouts reproduce what the original's pages showed: a post page with
``(GMT+8, Asia/Shanghai, CST) <date>``, the title, the body and the tags; a
category page with the category's tag as heading and every post, newest
first; a home page with each tag's five newest posts; every page reloading
itself every 60 seconds; an Atom feed from jekyll-feed.

Jekyll splits a ``categories:`` value at spaces, so a slug such as
``21shijijingjibaodao 21caijingAPP`` names two categories; the category
layout therefore selects the posts whose whole category list equals the
page's slug split the same way.
"""

from __future__ import annotations

from ..config import SiteSettings
from .frontmatter import yaml_quote
from .writer import front_value

DEFAULT_LAYOUT = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>{% if page.title %}{{ page.title | escape }} - {% endif %}{{ site.title | escape }}</title>
{% feed_meta %}
</head>
<body>
<header><a href="{{ '/' | relative_url }}">{{ site.title | escape }}</a></header>
<main>
{{ content }}
</main>
</body>
</html>
"""

POST_LAYOUT = """\
---
layout: default
---
<article>
<p class="meta">(GMT+8, Asia/Shanghai, CST) {{ page.date | date: "%Y-%m-%d %H:%M:%S" }}</p>
<h1>{{ page.title | escape }}</h1>
{{ content }}
<p class="tags">{% for tag in page.tags %}<span>{{ tag | escape }}</span> {% endfor %}</p>
</article>
"""

CATEGORY_LAYOUT = """\
---
layout: default
---
{% assign wanted = page.category | split: " " %}
{% assign posts = site.categories[wanted.first] | where_exp: "p", "p.categories == wanted" %}
<h1>{{ posts.first.tags.first | default: page.title | escape }}</h1>
<ul>
{% for post in posts %}<li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a> {{ post.date | date: "%Y-%m-%d %H:%M" }}</li>
{% endfor %}</ul>
"""

INDEX_PAGE = """\
---
layout: default
---
{% for tag in site.tags %}<section>
<h2>{{ tag[0] | escape }}</h2>
<ul>
{% for post in tag[1] limit:5 %}<li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></li>
{% endfor %}</ul>
</section>
{% endfor %}
"""


def capitalised(slug: str) -> str:
    """The original's category title: each word's first letter upper-cased."""
    return " ".join(word[:1].upper() + word[1:] for word in slug.split(" "))


def category_page(slug_value: str) -> str:
    return ("---\nlayout: category\n"
            f"title: {front_value(capitalised(slug_value))}\n"
            f"category: {front_value(slug_value)}\n---\n")


def config_yml(site: SiteSettings) -> str:
    url = site.base_url.rstrip("/")
    return (f"title: {yaml_quote(site.title)}\n"
            f"url: {yaml_quote(url)}\n"
            f"timezone: {site.timezone}\n"
            "plugins:\n  - jekyll-feed\n"
            "exclude:\n  - old_post\n")


def static_files(site: SiteSettings) -> dict[str, str]:
    """Every file of the site except posts and category pages."""
    return {
        "_config.yml": config_yml(site),
        "_layouts/default.html": DEFAULT_LAYOUT,
        "_layouts/post.html": POST_LAYOUT,
        "_layouts/category.html": CATEGORY_LAYOUT,
        "index.html": INDEX_PAGE,
    }
