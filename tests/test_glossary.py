"""Every term a chapter introduces as 中文(English) is a pair of the glossary, docs/术语表.md.

A chapter may write the parentheses in ASCII, 张量(tensor), or full width, 张量（tensor）, and
may add an abbreviation after a comma: 随机梯度下降(stochastic gradient descent, SGD). The
Chinese before the parentheses must be the glossary's Chinese for that English term:
扩散(broadcasting) is wrong when the glossary says 广播.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from helpers import PROJECT, ROOT

GLOSSARY = ROOT / "docs" / "术语表.md"

_WORD = r"[A-Za-z][A-Za-z0-9 .'\-]*"
# A Chinese character, then English words (an abbreviation may follow a comma) in ASCII or
# full-width parentheses. Code in backticks, 训练(`fit`), names no term, nor does an aside with
# Chinese in it, （AVX2 机器上…）.
FIRST_USE = re.compile(rf"[\u4e00-\u9fff][(（]\s*({_WORD}(?:[,，]\s*{_WORD})*?)\s*[)）]")
NOTE = re.compile(r"[`\u4e00-\u9fff]")  # a parenthesis of the glossary that explains, not names


@dataclass(frozen=True)
class Entry:
    """One glossary row: the Chinese term and its English names (the term, then synonyms)."""

    chinese: str
    english: tuple[str, ...]
    qualified: bool  # the English cell has a parenthesis that tells this sense from others


def parse_english(cell: str) -> tuple[tuple[str, ...], bool]:
    """ "stochastic gradient descent (SGD)" → ("stochastic gradient descent", "sgd"), True.

    Parentheses hold synonyms or abbreviations, separated by commas; one with backticks or
    Chinese in it is a note (``context manager (`with` 语句)``) and adds no name.
    """
    names = [re.sub(r"\s*\(.*?\)", "", cell).strip().lower()]
    groups = re.findall(r"\(([^)]*)\)", cell)
    for group in groups:
        if not NOTE.search(group):
            names += [part.strip().lower() for part in group.split(",") if part.strip()]
    return tuple(dict.fromkeys(names)), bool(groups)


def glossary() -> list[Entry]:
    entries = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) != 3 or cells[0] in ("中文", "---"):
            continue
        english, qualified = parse_english(cells[1])
        entries.append(Entry(cells[0], english, qualified))
    return entries


def problems(text: str, entries: list[Entry]) -> list[str]:
    """What is wrong with the terms ``text`` introduces, one line per problem."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in FIRST_USE.finditer(line):
            names = [part.strip().lower() for part in re.split("[,，]", match.group(1))]
            before = line[: match.start() + 1]
            # The longest glossary term that ends the Chinese text: 全连接层, not 层.
            ending = [e for e in entries if before.endswith(e.chinese)]
            longest = max((len(e.chinese) for e in ending), default=0)
            mine = [e for e in ending if len(e.chinese) == longest]
            if any(all(name in e.english for name in names) for e in mine):
                continue
            known = sorted({e.chinese for e in entries if names[0] in e.english})
            if known:
                why = f"the glossary writes {names[0]!r} as {' / '.join(known)}"
                if mine and names[0] in mine[0].english:
                    extra = ", ".join(repr(n) for n in names if n not in mine[0].english)
                    why = f"the glossary lists no {extra} for {mine[0].chinese}"
            else:
                why = f"{names[0]!r} is not in the glossary"
            found.append(f"line {number}: …{line[max(0, match.start() - 8) : match.end()]}: {why}")
    return found


@pytest.mark.parametrize("script", PROJECT.all_scripts(), ids=lambda p: p.stem)
def test_terms_introduced_in_a_chapter_are_glossary_pairs(script):
    # Chapters and their answer scripts alike; a chapter introduces at least one term.
    text = script.read_text(encoding="utf-8")
    if not script.stem.endswith("_answers"):
        assert FIRST_USE.search(text), "a chapter introduces at least one term"
    assert "\n".join(problems(text, glossary())) == ""


@pytest.mark.parametrize(
    "line",
    [
        "数组之间的这种规则叫做广播(broadcasting)。",
        "数组之间的这种规则叫做广播（broadcasting）。",
        "用两层全连接层(Dense layer)和独热编码（one-hot encoding）",
        "随机梯度下降(stochastic gradient descent, SGD)每次只看一小批",
        "随机梯度下降（stochastic gradient descent，SGD）",
        "Jupyter 的内核(kernel)、计算内核(kernel) 和层的权重矩阵(weight matrix) `kernel`",
        "训练(`fit`)、评估(`evaluate`)不是术语；（AVX2 机器上约 30 秒）也不是。",
    ],
)
def test_correct_pairs_pass(line):
    assert problems(line, glossary()) == []


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("这种规则叫做扩散(broadcasting)。", "the glossary writes 'broadcasting' as 广播"),
        ("这种规则叫做扩散（broadcasting）。", "the glossary writes 'broadcasting' as 广播"),
        ("对输出层输入（logits）的导数", "the glossary writes 'logits' as 原始分数"),
        (
            "用全批量梯度下降(gradient descent)",
            "the glossary writes 'gradient descent' as 梯度下降",
        ),
        (
            "随机梯度下降(stochastic gradient descent, SDG)",
            "the glossary lists no 'sdg' for 随机梯度下降",
        ),
        ("一种新东西叫做魔法(magic)", "'magic' is not in the glossary"),
        ("一种新东西叫做魔法（magic）", "'magic' is not in the glossary"),
        ("核心(kernel)", "the glossary writes 'kernel' as 内核 / 权重矩阵 / 计算内核"),
    ],
)
def test_wrong_or_missing_pairs_are_named(line, why):
    found = problems(line, glossary())
    assert len(found) == 1 and found[0].endswith(why), found


def test_the_glossary_gives_each_chinese_term_one_row():
    entries = glossary()
    assert len(entries) >= 70, "the glossary table was not read"
    chinese = [e.chinese for e in entries]
    assert sorted({c for c in chinese if chinese.count(c) > 1}) == []
    assert all(e.chinese and e.english[0] for e in entries)


def test_an_english_term_with_several_chinese_terms_says_which_sense_each_is():
    # kernel: a Jupyter kernel (内核), a compute kernel (计算内核), a layer's `kernel` (权重矩阵).
    entries = glossary()
    by_term: dict[str, list[Entry]] = {}
    for entry in entries:
        by_term.setdefault(entry.english[0], []).append(entry)
    shared = {term: group for term, group in by_term.items() if len(group) > 1}
    assert sorted(shared) == ["kernel"]
    for group in shared.values():
        assert all(e.qualified for e in group), group
        assert len({e.english for e in group}) == len(group), group


def test_glossary_english_cells_are_read_as_names_and_notes():
    assert parse_english("stochastic gradient descent (SGD)") == (
        ("stochastic gradient descent", "sgd"),
        True,
    )
    assert parse_english("Dense layer (fully connected layer)") == (
        ("dense layer", "fully connected layer"),
        True,
    )
    assert parse_english("context manager (`with` 语句)") == (("context manager",), True)
    assert parse_english("kernel (weight matrix) (Keras 层的 `kernel`)") == (
        ("kernel", "weight matrix"),
        True,
    )
    assert parse_english("tensor") == (("tensor",), False)
