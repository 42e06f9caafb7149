"""Invented original finews posts in every shape the spec lists (exact byte shapes)."""

from __future__ import annotations

HOST = "news.example"
SHARE = "share.example"

MEDIA = (
    '---\nlayout: post\ntitle: "新区一季度重点项目建设提速"\n'
    "date: 2022-03-01 09:30:00 +0800\ncategories: shijiribao\ntags: 示例日报新闻\n---\n"
    "<p>新区今年计划开工项目四十个，其中十二个已进场施工。</p>\n"
    ' <p class="em_media">（文章来源：示例日报）</p>\n\n'
    f"<http://{SHARE}/html_News/NewsShare.html?infoCode=NW202203010000000001>\n\n"
    f"[返回示例日报新闻](//{HOST}/category/shijiribao.html)｜[返回首页](//{HOST}/)")

EM_BODY = (
    '<p>　　<span id="stock_1.600160"><a href="http://quote.eastmoney.com/unify/r/1.600160" '
    'class="keytip" data-code="1,600160">巨化股份</a></span><span id="quote_1.600160"></span>'
    "公告称拟扩产。</p>\n<!-- EM_StockImg_Start -->\n<center><a href=\"http://quote.example/1\">"
    '<img src="http://img.example/k.png"></a></center>\n<!-- EM_StockImg_End -->\n'
    '<p style="display:none">隐藏</p>\n<p class="em_media">（文章来源：<span web="1" '
    'href="http://quote.example/bk" class="em_stock_key_common" data-code="90,BK0493">'
    "化工</span>）</p>")

ROLLING = (
    '---\nlayout: post\ntitle: "央行开展逆回购操作"\n'
    "date: 2022-03-02 10:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n"
    "> 央行今日开展100亿元逆回购操作。\n\n"
    f"{EM_BODY}\n\n<http://finance.example/a/202203022000000001.html>\n\n"
    f"[返回东财滚动新闻](//{HOST}/emnews/)")

EARLY = (
    '---\nlayout: post\ntitle: "早期快讯"\n'
    "date: 2021-12-05 08:00:00\ncategories: emnews\ntags: 东财滚动新闻\n---\n\n"
    "【早期快讯】市场今日开盘平稳。\n\n<http://finance.example/a/1.html>\n")

ROLLING_RELATIVE = (
    '---\nlayout: post\ntitle: "相对链接"\n'
    "date: 2022-01-10 11:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n"
    "> 摘要。\n\n<p>正文。</p>\n\n<>\n\n[返回东财滚动新闻](../emnews/)\n")

TWO_LINES = (
    "\n---\nlayout: post\ntitle: \"两行返回\"\r\n"
    "date: 2022-02-01 12:00:00 +0800\r\ncategories: TechWeb\r\ntags: TechWeb新闻\r\n---\r\n"
    "<p>Latin media.</p>\r\n\r\n<https://share.example/x>\r\n\r\n"
    "[返回TechWeb新闻](http://news.example/category/TechWeb.html)\r\n"
    "[返回首页](http://news.example/)\r\n")

SPACE_SLUG = (
    '---\nlayout: post\ntitle: "空格分类"\n'
    "date: 2022-03-03 13:00:00 +0800\ncategories: 21shijijingjibaodao 21caijingAPP\n"
    "tags: 21世纪经济报道 21财经APP新闻\n---\n<p>正文。</p>\n\n<http://s.example/y>\n\n"
    "[返回21世纪经济报道 21财经APP新闻](//news.example/category/21shijijingjibaodao 21caijingAPP.html)"
    "｜[返回首页](//news.example/)")

QUOTE_TITLE = (
    '---\nlayout: post\ntitle: "他说"你好"再见"\n'
    "date: 2022-03-04 14:00:00 +0800\ncategories: shijiribao\ntags: 示例日报新闻\n---\n"
    "<p>正文。</p>\n\n<http://s.example/z>\n\n"
    "[返回示例日报新闻](//news.example/category/shijiribao.html)｜[返回首页](//news.example/)")

EMPTY_TIME = (
    '---\nlayout: post\ntitle: "没有时间"\n'
    "date:  +0800\ncategories: shijiribao\ntags: 示例日报新闻\n---\n<p>正文。</p>\n\n<>\n\n"
    "[返回示例日报新闻](//news.example/category/shijiribao.html)｜[返回首页](//news.example/)")

EMPTY_TITLE = (
    '---\nlayout: post\ntitle: ""\n'
    "date: 2022-03-05 15:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n"
    "> 【空标题快讯】内容在此。\n\n<p>内容在此。</p>\n\n<>\n\n[返回东财滚动新闻](//news.example/emnews/)")

SCRIPTED = (
    '---\nlayout: post\ntitle: "带脚本"\n'
    "date: 2022-03-06 16:00:00 +0800\ncategories: shijiribao\ntags: 示例日报新闻\n---\n"
    '<p onclick="steal()">正文<script>alert(1)</script>。</p>\n'
    '<a href="javascript:alert(2)" class="keytip">链接</a> ' + EM_BODY + "\n\n<>\n\n"
    "[返回示例日报新闻](//news.example/category/shijiribao.html)｜[返回首页](//news.example/)")

NO_FRONT = "<p>没有头部。</p>\n"

#: file name, folder, text: posts that import (possibly with repairs)
GOOD = [
    ("2022-03-01-NW202203010000000001.md", "_posts", MEDIA),
    ("2022-03-02-202203022000000001.md", "_posts", ROLLING),
    ("2021-12-05-202112050000000001.md", "old_post", EARLY),
    ("2022-01-10-202201100000000001.md", "old_post", ROLLING_RELATIVE),
    ("2022-02-01-NW202202010000000002.md", "_posts", TWO_LINES),
    ("2022-03-03-NW202203030000000003.md", "_posts", SPACE_SLUG),
    ("2022-03-04-NW202203040000000004.md", "_posts", QUOTE_TITLE),
    ("2022-03-07-NW202203070000000007.md", "_posts", EMPTY_TIME),
    ("2022-03-05-202203050000000005.md", "_posts", EMPTY_TITLE),
    ("2022-03-06-NW202203060000000006.md", "_posts", SCRIPTED),
]

#: file name, folder, bytes: posts that must be quarantined
BAD = [
    ("-NW202203080000000008.md", "_posts", EMPTY_TIME.encode()),
    ("2022-03-09-NW202203090000000009.md", "_posts", NO_FRONT.encode()),
    ("2022-03-10-NW202203100000000010.md", "_posts", MEDIA.encode("gb18030")),
    ("2022-03-11-NW202203110000000011.md", "_posts", b"---\nlayout: post\ntitle: x\n"),
]
