"""The benchmark corpus: generated stories plus planted stories to find.

Stories come from ``finews.upstream.generator`` (deterministic for a seed).
``NEEDLES`` are stories planted at fixed places across the archive, from the
oldest to the newest; each relevance query names the needles that must be in
its top 10. They test what search must get right: words inside longer words,
single characters, Latin words and numbers, phrases across word boundaries,
OR, exclusion, filters, and title hits for words that are common in bodies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from finews.model import Article, StockMention
from finews.upstream.generator import StoryGenerator

END = datetime(2024, 6, 1, tzinfo=timezone.utc)
STEP = timedelta(minutes=2)


@dataclass(frozen=True)
class Needle:
    key: str
    title: str
    body: str
    media: str = "证券时报"
    stocks: tuple[tuple[str, str, str], ...] = ()


_N = [
    ("perovskite", "钙钛矿电池效率再创纪录", "多家企业披露钙钛矿叠层组件量产计划。"),
    ("sodium", "钠离子电池迎来装车潮", "钠离子电池成本优势逐步显现。"),
    ("lowalt", "低空经济产业联盟成立", "飞行汽车与无人机物流加快落地。"),
    ("robot", "人形机器人公司完成融资", "人形机器人关节模组订单增长。"),
    ("bci", "脑机接口临床试验启动", "脑机接口企业获得二类医疗器械证。"),
    ("quantum", "量子计算原型机发布", "超导量子比特数量突破五百个。"),
    ("sic", "碳化硅衬底扩产", "碳化硅功率器件需求旺盛。"),
    ("photoresist", "光刻胶国产化提速", "高端光刻胶验证进展顺利。"),
    ("rareearth", "稀土永磁材料价格企稳", "稀土永磁企业订单排至年底。"),
    ("satellite", "卫星互联网组网加速", "低轨卫星发射次数创新高。"),
    ("offshore", "海上风电项目集中开工", "深远海风电招标规模扩大。"),
    ("pig", "猪周期拐点临近", "生猪出栏均价连续三周回升。"),
    ("freight", "集装箱运价指数大涨", "欧线集装箱运价单周上涨逾两成。"),
    ("icetour", "冰雪旅游订单翻番", "哈尔滨冰雪大世界客流创纪录。"),
    ("premade", "预制菜标准征求意见", "预制菜企业加快冷链布局。"),
    ("vanadium", "全钒液流储能电站并网", "钒电解液供应紧张。"),
    ("openai", "OpenAI发布新模型", "国内大模型厂商跟进，GPT类应用加速落地。"),
    ("code", "科创板新股上市首日表现", "该公司（688599）开盘大涨。"),
    ("number", "某公司中标9876万元项目", "中标金额为9876万元，占去年营收的两成。"),
    ("yen", "日元汇率跌破关口", "日元兑美元汇率创三十四年新低。"),
    ("goldetf", "黄金ETF持仓创新高", "国际金价上涨带动黄金ETF份额增加。"),
    ("copperfoil", "锂电铜箔加工费下调", "铜箔企业开工率回落。"),
    ("dairy", "乳业龙头下调奶价", "原奶价格持续低迷，乳业利润承压。"),
    ("tcm", "中药材价格指数回落", "三七、当归等中药材价格下跌。"),
    ("crossborder", "跨境支付通上线", "内地与香港跨境支付互联互通正式启动。"),
    ("bond", "可转债市场扩容", "本周可转债发行规模超过百亿元。"),
    ("dataasset", "数据资产入表首批披露", "多家上市公司在年报中披露数据资源。"),
    ("liquidcool", "液冷服务器出货量增长", "算力中心液冷渗透率提升。"),
    ("hydrogen1", "氢燃料电池重卡示范运营", "氢燃料电池系统成本下降。"),
    ("hydrogen2", "加氢站建设提速", "氢燃料加氢站数量突破四百座。"),
]

NEEDLES: tuple[Needle, ...] = tuple(Needle(k, t, b) for k, t, b in _N) + (
    Needle("media", "券商中国调查：营业部数量缩减", "营业部撤并潮持续。", media="券商中国"),
    Needle("stock", "贵州茅台经销商大会召开", "经销商大会释放稳价信号。",
           stocks=(("1", "600519", "贵州茅台"),)),
    Needle("titlecommon", "央行降准0.25个百分点", "本次调整将释放长期资金。"),
)

#: (query, filters, keys that must be in the top 10).
RELEVANCE: tuple[tuple[str, dict, tuple[str, ...]], ...] = (
    ("钙钛矿", {}, ("perovskite",)), ("钠离子", {}, ("sodium",)),
    ("低空经济", {}, ("lowalt",)), ("飞行汽车", {}, ("lowalt",)),
    ("人形机器人 融资", {}, ("robot",)), ("脑机接口", {}, ("bci",)),
    ("量子", {}, ("quantum",)), ("碳化硅", {}, ("sic",)), ("光刻胶", {}, ("photoresist",)),
    ("永磁", {}, ("rareearth",)), ("卫星", {}, ("satellite",)),
    ("海上风电", {}, ("offshore",)), ("生猪", {}, ("pig",)), ("集装箱", {}, ("freight",)),
    ("冰雪", {}, ("icetour",)), ("预制菜", {}, ("premade",)), ("钒", {}, ("vanadium",)),
    ("openai", {}, ("openai",)), ("GPT", {}, ("openai",)), ("688599", {}, ("code",)),
    ("9876万元", {}, ("number",)), ("日元", {}, ("yen",)), ("黄金ETF", {}, ("goldetf",)),
    ("铜箔", {}, ("copperfoil",)), ("奶价", {}, ("dairy",)), ("当归", {}, ("tcm",)),
    ('"跨境支付 互联互通"', {}, ("crossborder",)), ("可转债 扩容", {}, ("bond",)),
    ("数据资产", {}, ("dataasset",)), ("液冷", {}, ("liquidcool",)),
    ("氢燃料", {}, ("hydrogen1", "hydrogen2")), ("氢燃料 -加氢站", {}, ("hydrogen1",)),
    ("钙钛矿 OR 碳化硅", {}, ("perovskite", "sic")),
    ("营业部", {"media": "券商中国"}, ("media",)),
    ("经销商大会", {"stock": "600519"}, ("stock",)),
    ('"央行降准0.25个百分点"', {}, ("titlecommon",)),
)


def _article(seq: int, title: str, body: str, media: str, published: datetime,
             stocks) -> Article:
    return Article(
        source="bench", upstream_id=f"b{seq}", title=title, published=published,
        media=media, body_html=body, digest="",
        stocks=tuple(StockMention(*s) for s in stocks),
        content_hash=hashlib.sha1(f"{seq}".encode()).hexdigest())


def needle_positions(n: int) -> dict[int, Needle]:
    """Where each needle goes: spread evenly, the first near the oldest story."""
    gap = n // (len(NEEDLES) + 1)
    return {gap // 2 + i * gap: needle for i, needle in enumerate(NEEDLES)}


def stories(n: int, seed: int = 1) -> Iterator[tuple[Article, str | None]]:
    """(article, needle key or None), oldest first."""
    gen = StoryGenerator(seed)
    planted = needle_positions(n)
    start = END - STEP * (n - 1)
    for i in range(n):
        when = start + STEP * i
        story = gen.make(when)
        needle = planted.get(i)
        if needle is None:
            yield _article(i, story.title, story.body_html, story.media, when,
                           story.stocks), None
        else:
            # A needle's text sits among ordinary generated paragraphs.
            body = f"<p>{needle.body}</p>\n{story.body_html}"
            yield _article(i, needle.title, body, needle.media, when,
                           needle.stocks or story.stocks), needle.key
