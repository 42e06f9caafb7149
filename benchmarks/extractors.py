"""Article extractors compared: trafilatura and readability-lxml on finews's pages.

    python3 -m pip install trafilatura           # once: not a finews dependency
    python -m benchmarks.extractors              # fixtures + 200 generated pages
    python -m benchmarks.extractors --generated 50

Without trafilatura installed only the readability rows are printed.

Two sets of pages, each with the article text it should give:

* the hand-written fixtures in ``tests/fixtures/article_pages`` (pages in the
  shapes of East Money, Sina (GBK) and 证券时报 articles: nested divs,
  related news, ads, comments);
* pages of the local upstream's summary-only site (``/news/<code>.html``,
  ``upstream.shapes.news_page``), generated stories with East Money stock
  markup, some only one paragraph long.

For each extractor: how many pages come out exactly right (the text, spaces
aside, equals the article's), the mean character precision and recall
(longest matching blocks), and the mean time per page.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "article_pages"


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    want: str          # the article's text, spaces removed


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fixture_pages() -> list[Page]:
    from finews.process.extract import page_text
    return [Page(p.name, page_text(p.read_bytes(), None),
                 _squash(p.with_suffix(".txt").read_text(encoding="utf-8")))
            for p in sorted(FIXTURES.glob("*.html"))]


def generated_pages(count: int) -> list[Page]:
    from finews.process.text import html_to_text
    from finews.upstream import shapes
    from finews.upstream.generator import CHINA, StoryGenerator
    stories = StoryGenerator(7).batch(count, datetime(2024, 3, 13, 15, tzinfo=CHINA),
                                      timedelta(minutes=2))
    base = "http://127.0.0.1:9"
    return [Page(f"news-{i}", shapes.news_page(s, stories[i + 1:i + 4], base),
                 _squash(html_to_text(s.body_html))) for i, s in enumerate(stories)]


def _trafilatura(precision: bool) -> Callable[[str], str]:
    import trafilatura  # ImportError when it is not installed

    def run(html: str) -> str:
        return trafilatura.extract(html, output_format="html", include_tables=True,
                                   include_comments=False, include_links=True,
                                   favor_precision=precision) or ""
    return run


def _readability(html: str) -> str:
    from readability import Document
    return Document(html).summary(html_partial=True)


def _finews(html: str) -> str:
    from finews.errors import ParseError
    from finews.process.extract import extract_article
    try:
        return extract_article(html.encode("utf-8"), "utf-8")
    except ParseError:
        return ""


def _extractors() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {}
    try:
        found["trafilatura (default)"] = _trafilatura(False)
        found["trafilatura (favor_precision)"] = _trafilatura(True)
    except ImportError:
        pass
    found["readability-lxml"] = _readability
    found["finews (as configured)"] = _finews
    return found


EXTRACTORS = _extractors()


def score(pages: list[Page], extract: Callable[[str], str]) -> dict[str, float]:
    from finews.process.text import html_to_text
    exact, precision, recall = 0, 0.0, 0.0
    started = time.perf_counter()
    outputs = [extract(page.html) for page in pages]
    elapsed = time.perf_counter() - started
    for page, out in zip(pages, outputs):
        got = _squash(html_to_text(out))
        exact += got == page.want
        matched = sum(b.size for b in SequenceMatcher(None, got, page.want,
                                                      autojunk=False).get_matching_blocks())
        precision += matched / len(got) if got else 0.0
        recall += matched / len(page.want) if page.want else 1.0
    n = len(pages) or 1
    return {"exact": exact, "pages": len(pages), "precision": precision / n,
            "recall": recall / n, "ms": elapsed / n * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extractors",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated", type=int, default=200,
                        help="generated news pages to score")
    args = parser.parse_args(argv)
    sets = {"fixtures": fixture_pages(), "generated": generated_pages(args.generated)}
    print("| extractor | pages | exact | precision | recall | ms/page |")
    print("|---|---|---|---|---|---|")
    for name, extract in EXTRACTORS.items():
        for label, pages in sets.items():
            r = score(pages, extract)
            print(f"| {name} | {label} ({r['pages']:.0f}) | {r['exact']:.0f} | "
                  f"{r['precision']:.3f} | {r['recall']:.3f} | {r['ms']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
