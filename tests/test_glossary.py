"""Every term a chapter introduces as 中文(English) is in the one glossary, docs/术语表.md."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT, SCRIPTS

# A run of Chinese characters followed by an English term in ASCII parentheses: 张量(tensor).
FIRST_USE = re.compile(r"[\u4e00-\u9fff]\(([A-Za-z][A-Za-z .\-]*)\)")


def glossary_terms() -> set[str]:
    text = (ROOT / "docs" / "术语表.md").read_text(encoding="utf-8")
    terms = set()
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) == 3 and cells[0] not in ("中文", "---"):
            # "Dense layer (fully connected layer)" names two English terms.
            english = cells[1].lower()
            terms.add(re.sub(r"\s*\(.*\)", "", english))
            terms.update(re.findall(r"\(([^)`]+)\)", english))
    return terms


@pytest.mark.parametrize("script", sorted(SCRIPTS.glob("ch*.py")), ids=lambda p: p.stem)
def test_terms_introduced_in_a_chapter_are_in_the_glossary(script):
    known = glossary_terms()
    lines = script.read_text(encoding="utf-8").splitlines()
    prose = [line for line in lines if line.startswith("#")]
    introduced = {m.group(1).strip().lower() for line in prose for m in FIRST_USE.finditer(line)}
    assert introduced, "a chapter introduces at least one term"
    assert sorted(introduced - known) == []
