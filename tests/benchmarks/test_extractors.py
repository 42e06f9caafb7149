"""The extractor comparison runs, so its figures in BENCHMARKS.md can be redone."""

from __future__ import annotations

from benchmarks.extractors import EXTRACTORS, fixture_pages, generated_pages, main, score


def test_every_extractor_is_scored_on_both_page_sets(capsys):
    assert main(["--generated", "4"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 2 * len(EXTRACTORS)


def test_finews_as_configured_keeps_every_fixture_paragraph():
    pages = fixture_pages() + generated_pages(10)
    result = score(pages, EXTRACTORS["finews (as configured)"])
    assert result["recall"] == 1.0 and result["exact"] >= 2
