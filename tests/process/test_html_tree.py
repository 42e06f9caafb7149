import pytest

from finews.process.html_tree import (MAX_DEPTH, fragment_html, limit_nesting, outermost,
                                      parse_fragment, top_level)


def _depth(html: str) -> int:
    best = 0
    stack = [(node, 1) for node in top_level(parse_fragment(html))]
    while stack:
        node, depth = stack.pop()
        if node.is_element_node:
            best = max(best, depth)
            child = node.child
            while child is not None:
                stack.append((child, depth + 1))
                child = child.next
    return best


@pytest.mark.parametrize("html", [
    "<div>" * 5000 + "x",
    "<b><i>" * 3000 + "x",
    "<table><tr><td>" * 2000 + "x",
    "<p><table></p>" * 2000 + "x",
], ids=["div", "b-i", "table", "p-table"])
def test_deep_nesting_is_bounded_and_text_kept(html):
    limited = limit_nesting(html)
    assert _depth(limited) <= 3 * MAX_DEPTH
    assert "x" in limited


@pytest.mark.parametrize("html", [
    "<p>a</p>" * 1000,
    "<p>a<br><img src=x><br/></p>" * 500,
    "<div><p>x</p></div>",
], ids=["paragraphs", "voids", "small"])
def test_ordinary_markup_is_untouched(html):
    assert limit_nesting(html) == html


@pytest.mark.parametrize("html, expected", [
    ("<title>t</title><p>a</p>", "<title>t</title><p>a</p>"),
    ("<style>s</style>x", "<style>s</style>x"),
    ("a</body>b</html>c", "abc"),
    ("", ""),
])
def test_fragments_keep_their_leading_elements(html, expected):
    assert fragment_html(parse_fragment(html)) == expected


def test_outermost_skips_nested_matches_and_respects_scope():
    parser = parse_fragment('<i id="1"><i id="2"></i></i><b class="s"><i id="3"></i></b>')
    assert [n.attributes["id"] for n in outermost(parser, lambda n: n.tag == "i")] == ["1", "3"]
    scoped = outermost(parser, lambda n: n.tag == "i", scope=lambda n: n.tag == "b")
    assert [n.attributes["id"] for n in scoped] == ["3"]


def test_replacing_the_first_node_keeps_the_rest():
    parser = parse_fragment("<span>x</span><span>y</span>")
    first = top_level(parser)[0]
    first.replace_with(first.text(deep=True))
    assert fragment_html(parser) == "x<span>y</span>"
