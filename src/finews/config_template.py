"""The commented ``finews.toml`` that ``finews init`` writes."""

TEMPLATE = '''\
# finews configuration. Every key is optional; the values shown are the defaults
# unless marked "example". Environment variables override this file:
# FINEWS_DATA_DIR, FINEWS_OUTPUT_DIR, FINEWS_STORE_URL and FINEWS_<SECTION>_<KEY>
# (e.g. FINEWS_SITE_BASE_URL, FINEWS_SERVE_PORT, FINEWS_FETCH_RETRIES).

# Where the store and the site live, relative to this file.
data_dir = "data"
# output_dir = "data/site"          # the static site (default: <data_dir>/site)

[store]
# url = "sqlite:///data/finews.sqlite3"   # default: one SQLite file in data_dir
# url = "postgresql://finews@localhost/finews"   # or a PostgreSQL database (example)

[site]
title = "金融消息"
base_url = "http://127.0.0.1:8000/"  # absolute URL of the site (feeds, sitemap)
host = "127.0.0.1:8000"              # host written in Jekyll back-links
share_host = "finance.eastmoney.com" # host of East Money share links in Jekyll posts
timezone = "Asia/Shanghai"           # times are stored in UTC and shown in this zone
page_size = 50                       # stories per category page
home_per_category = 5                # no longer used: the home page indexes outlets
home_latest = 50                     # newest stories on the home page
home_cluster_hours = 24              # the home page's largest clusters: of these last hours
collapse_clusters = false            # show a cluster once in the home page's newest and the feed
feed_size = 50                       # entries per Atom feed
live_interval = 15                   # seconds between an open page's checks for news
search_url = ""                      # where the search box sends queries (default: <base_url>search)

[fetch]
connect_timeout = 5.0
read_timeout = 15.0
max_bytes = 8388608                  # answers larger than this are refused
retries = 2                          # extra attempts, with capped exponential back-off
backoff_base = 0.5
backoff_max = 30.0
per_host = 2                         # requests in flight to one host
# user_agent = "finews/0.1"
allow_private = false                # allow loopback/private addresses for all sources
lease = 300.0                        # seconds a fetch worker's claim on a source holds
lease_batch = 4                      # sources a fetch worker claims at a time

[serve]
host = "127.0.0.1"
port = 8000
search_workers = 0                   # processes answering searches (0: the server's threads)

# Sources. kind = "json" (a news-list API read through a preset and/or a
# mapping) or "feed" (RSS/Atom). `finews presets` lists the presets.
#
# [[sources]]                        # example: East Money 7x24 fast news
# name = "em-724"
# kind = "json"
# preset = "em-fast"
# url = "https://np-weblist.eastmoney.com/comm/web/getFastNewsList?client=web&biz=web_724&fastColumn=102&sortEnd=&pageSize=100&req_trace=finews"
# interval = 120                     # seconds between polls
# [sources.headers]
# Referer = "https://kuaixun.eastmoney.com/"
#
# [[sources]]                        # example: the original finews's per-media list
# name = "em-media"
# kind = "json"
# preset = "em-media"
# url = "http://example.com/web/webapi?type=45&count=100&newsid=1"
# fulltext_host = "choicewzp1.eastmoney.com"  # where the preset fetches full text:
#                                    # host[:port] or http(s)://host[:port] (a mirror,
#                                    # a proxy, a local server); `finews presets` shows
#                                    # each preset's default
#
# [[sources]]                        # example: any JSON list, mapped field by field
# name = "my-list"
# kind = "json"
# url = "https://example.com/api/news?page=1"
# interval = 300
# [sources.mapping]
# items = "data.list"                # where the items are
# id = "code"                        # which field is the id
# title = "title"
# digest = "summary"
# time = "showTime"                  # China time "YYYY-MM-DD HH:MM:SS", ISO 8601 or epoch
# media = "mediaName"
# url = "uniqueUrl|url"              # alternatives: the first present wins
# fulltext_url = "https://example.com/api/article?id={id}"
# fulltext_body = "data.content"
#
# [[sources]]                        # example: an RSS or Atom feed
# name = "some-feed"
# kind = "feed"
# url = "https://example.com/feed.xml"
# media = "示例日报"                  # file every story under this outlet
# tags = ["财经"]                     # tags for every story of this source
# fulltext = "page"                  # the feed has summaries only: read each article page
# fulltext_selector = "#ContentBody" # optional: the article's element on the page
# fulltext_remove = ".share"         # optional: elements to drop from the article
#
# `finews sources add URL` finds a site's feed and appends it here;
# `finews sources import FILE.opml` adds a feed reader's subscriptions.
'''
