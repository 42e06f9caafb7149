"""jieba against rjieba (jieba-rs) on generated news text: speed and quality.

Run: ``python -m benchmarks.search.segmenters --n 5000``

Quality is measured two ways: agreement (documents segmented identically by
both), and vocabulary recall: how many occurrences of the generator's own
named words (companies, sectors, actions, topics, organisations) come out as
one token in plain mode, or are found among the search-mode tokens.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone

import jieba
import rjieba

from finews.process.text import html_to_text
from finews.upstream import words
from finews.upstream.generator import StoryGenerator

VOCAB = sorted({c[2] for c in words.COMPANIES} | set(words.SECTORS) | set(words.ACTIONS)
               | set(words.TOPICS) | set(words.ORGS) | set(words.MOVES), key=len)


def texts(n: int) -> list[str]:
    gen = StoryGenerator(seed=11)
    end = datetime(2024, 6, 1, tzinfo=timezone.utc)
    return [s.title + "\n" + html_to_text(s.body_html)
            for s in gen.batch(n, end, timedelta(minutes=3))]


def speed(fn, docs: list[str]) -> float:
    start = time.perf_counter()
    for doc in docs:
        fn(doc)
    return len(docs) / (time.perf_counter() - start)


def vocab_recall(cut, docs: list[str]) -> float:
    found = total = 0
    for doc in docs:
        tokens = set(cut(doc))
        for word in VOCAB:
            if word in doc:
                total += 1
                found += word in tokens
    return found / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    n = parser.parse_args().n
    jieba.setLogLevel(60)
    jieba.initialize()
    rjieba.cut("预热")
    docs = texts(n)
    chars = sum(map(len, docs)) / len(docs)
    print(f"{n} generated stories, {chars:.0f} characters each on average\n")
    print("| segmenter | plain stories/s | search-mode stories/s | vocab as plain token "
          "| vocab in search tokens |")
    print("|---|---|---|---|---|")
    for name, cut, search in (("jieba 0.42.1", jieba.lcut, jieba.lcut_for_search),
                              ("rjieba 0.2.2 (jieba-rs)", rjieba.cut, rjieba.cut_for_search)):
        print(f"| {name} | {speed(cut, docs):,.0f} | {speed(search, docs):,.0f} | "
              f"{vocab_recall(cut, docs):.3f} | {vocab_recall(search, docs):.3f} |")
    same = sum(jieba.lcut(d) == rjieba.cut(d) for d in docs)
    same_s = sum(jieba.lcut_for_search(d) == rjieba.cut_for_search(d) for d in docs)
    print(f"\nidentical output: plain {same}/{n}, search mode {same_s}/{n}")


if __name__ == "__main__":
    main()
