"""Chinese prose is written one paragraph to a line.

Jupyter, GitHub and every website render a line break inside a paragraph as a space: between two
Chinese characters that is a visible gap ("的手写数字， 然后"). Chinese prose therefore never
breaks a paragraph across lines, in the chapters' markdown cells, the README and docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
from helpers import PROJECT, ROOT

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: Lines that start a block of their own: list item, table row, heading, quote, fence, HTML, math.
BLOCK_START = re.compile(r"\s*([-*+] |\d+[.)] |[|#>]|```|~~~|<|\$\$|!\[)")
FENCE = re.compile(r"\s*(```|~~~)")


def breaks_in(markdown: str) -> list[str]:
    """Each place where a paragraph runs on to the next line next to a Chinese character."""
    found, fenced = [], False
    lines = markdown.split("\n")
    for first, second in zip(lines, lines[1:], strict=False):
        if FENCE.match(first):
            fenced = not fenced
        if fenced or not first.strip() or not second.strip():
            continue
        if BLOCK_START.match(second) or re.match(r"\s*(\||#|\$\$)", first):
            continue
        if first.endswith(("  ", "\\")):  # a hard line break, meant as one
            continue
        if CJK.match(first.rstrip()[-1]) or CJK.match(second.lstrip()[0]):
            found.append(f"…{first.rstrip()[-15:]}⏎{second.lstrip()[:15]}…")
    return found


def markdown_of(path: Path) -> str:
    if path.suffix == ".py":
        notebook = jupytext.read(path, fmt="py:percent")
        return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


SOURCES = [
    *PROJECT.all_scripts(),
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    ROOT / "benchmarks" / "README.md",
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_line_break_inside_chinese_prose(path: Path) -> None:
    assert breaks_in(markdown_of(path)) == []


@pytest.mark.parametrize(
    ("markdown", "count"),
    [
        ("第一行写到一半，\n接着写。", 1),
        ("Keras 的模型\n(model) 由层组成", 1),
        ("English wraps\nlike this.", 0),
        ("一段。\n\n另一段。", 0),
        ("- 列表第一项\n- 第二项", 0),
        ("- 列表第一项写到一半，\n  接着写", 1),
        ("| 表 | 格 |\n| --- | --- |", 0),
        ("```\n代码里\n随便换行\n```", 0),
        ("## 标题\n正文", 0),
        ("硬换行  \n是有意的", 0),
    ],
)
def test_the_checker_finds_breaks_and_only_breaks(markdown: str, count: int) -> None:
    assert len(breaks_in(markdown)) == count
