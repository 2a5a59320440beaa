"""The README's links, chapter table, make commands and the two figures it quotes hold.

The README links measured figures rather than quoting them; the two it keeps (chapter 1's test
accuracy, the time from a fresh clone to that accuracy) are read here from the files they come
from, never typed into this test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import NOTEBOOKS, PROJECT, ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"\s*```")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"`([^`]+)`")
#: `make TARGET` where a command starts: at the start, after `&&` or `;`, or after VAR=value.
MAKE = re.compile(
    r"(?:^|&&|;|(?:^|\s)[A-Z_]+=\S*)\s*make\s+(?:-C\s+(?:<[^>]*>|\S+)\s+)?([a-z][\w-]*)\b(?!=)"
)


def text() -> str:
    return README.read_text(encoding="utf-8")


def prose_and_code(markdown: str) -> tuple[list[str], list[str]]:
    """The lines outside fenced code blocks, and the code (fenced lines and inline code spans)."""
    prose, code, fenced = [], [], False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            code.append(line)
        else:
            code.extend(INLINE_CODE.findall(line))
            prose.append(INLINE_CODE.sub("", line))
    return prose, code


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    prose, _ = prose_and_code(markdown)
    return {slug(line.lstrip("#")) for line in prose if re.match(r"#+ ", line)}


def relative_links() -> list[str]:
    prose, _ = prose_and_code(text())
    found = [target for line in prose for target in LINK.findall(line)]
    return [t for t in found if not re.match(r"[a-z]+:", t)]


def test_every_relative_link_resolves() -> None:
    links = relative_links()
    assert links, "the README links its notebooks and results"
    for target in links:
        path, _, anchor = target.partition("#")
        file = (ROOT / path) if path else README
        assert file.exists(), f"README links {target!r}, which is not in the repository"
        if anchor and file.suffix == ".md":
            assert anchor.lower() in anchors(file.read_text(encoding="utf-8")), target


def test_anchor_check_catches_a_missing_heading() -> None:
    assert slug("Layout") in anchors("# x\n\n## Layout\n")
    assert slug("中文") == "中文" and slug("Two commands") == "two-commands"
    assert "layout" not in anchors("## Lay out\n")


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.split("\n") if line.startswith("| ")]


def test_each_chapter_has_a_row_with_its_notebook_and_answers_in_both_languages() -> None:
    rows = table_rows(text())
    chapters = PROJECT.chapters()
    assert len(chapters) >= 6
    for script in chapters:
        notebook = PROJECT.notebook_of(script).relative_to(ROOT).as_posix()
        answers = f"notebooks/{script.name[:4]}_answers.ipynb"
        linking = [row for row in rows if f"]({notebook})" in row]
        assert len(linking) == 2, f"{notebook}: one row in the Chinese table, one in the English"
        for row in linking:
            assert f"]({answers})" in row, f"{notebook}'s row links {answers}"
        assert (ROOT / answers).is_file()


def makefile_targets() -> set[str]:
    targets: set[str] = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").split("\n"):
        rule = re.match(r"([A-Za-z][\w .$()/-]*?)\s*:(?!=)", line)
        if rule and not line.startswith("\t"):
            targets.update(rule.group(1).split())
    return targets


def test_every_make_command_the_readme_names_is_a_target() -> None:
    _, code = prose_and_code(text())
    named = {target for snippet in code for target in MAKE.findall(snippet)}
    assert {"run", "test"} <= named
    missing = named - makefile_targets()
    assert not missing, f"the README names make targets the Makefile lacks: {sorted(missing)}"


# --- the two figures the README keeps ---------------------------------------------------------


def printed(notebook: str) -> str:
    """Everything a committed notebook printed, in order."""
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    return "".join(
        "".join(output.get("text", ""))
        for cell in cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def test_chapter_1_accuracy_in_the_table_is_the_notebooks() -> None:
    found = re.search(r"test_acc: (\d\.\d+)", printed("ch01_mnist_dense.ipynb"))
    assert found, "chapter 1's notebook prints test_acc"
    percent = f"{float(found.group(1)) * 100:.1f}%"
    rows = [row for row in table_rows(text()) if "](notebooks/ch01_mnist_dense.ipynb)" in row]
    assert len(rows) == 2
    for row in rows:
        # The committed run's figure comes first; the book's may follow it.
        assert re.findall(r"\d+\.\d%", row)[0] == percent, row


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def install_median(path: Path, installer: str) -> str:
    """The clone → test_acc median of ``installer`` in a benchmarks/install_time.py results file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("| installer |"))
    header = cells(lines[start])
    for line in lines[start + 2 :]:
        row = dict(zip(header, cells(line), strict=True))
        if row["installer"] == installer:
            return row["clone → test_acc"]
    raise AssertionError(f"{path.name} has no median for {installer}")


def test_install_time_is_next_to_its_results_file() -> None:
    paragraphs = [p for p in text().split("\n\n") if "](benchmarks/results/install-time-" in p]
    assert len(paragraphs) == 2, "the Chinese and the English install section each link it"
    for paragraph in paragraphs:
        (target,) = set(re.findall(r"\]\((benchmarks/results/install-time-[^)]+)\)", paragraph))
        seconds = install_median(ROOT / target, "uv")
        assert f"{seconds} 秒" in paragraph or f"{seconds} s " in paragraph, paragraph


# --- the layout, described once in docs/CONTRIBUTING.md ----------------------------------------


def layout() -> str:
    """docs/CONTRIBUTING.md's Layout section, which the README links instead of repeating it."""
    text = (ROOT / "docs" / "CONTRIBUTING.md").read_text(encoding="utf-8")
    start = text.index("\n## Layout\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_layout_paths_exist() -> None:
    rows = table_rows(layout())[2:]
    assert rows
    for row in rows:
        for path in INLINE_CODE.findall(cells(row)[0]):
            pattern = path.replace("chNN", "ch[0-9][0-9]").replace("_topic", "_*")
            assert list(ROOT.glob(pattern.rstrip("/"))), f"Layout names {path}, not in the tree"


def test_layout_names_every_module_tool_lock_and_chapter() -> None:
    named = set(INLINE_CODE.findall(layout()))
    package = ROOT / "src" / "keras_tutorial"
    expected = {
        *(p.stem for p in package.glob("*.py") if not re.fullmatch(r"__init__|ch\d\d", p.stem)),
        *(f"{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"),
        "gpu_builds.tsv",
        *(f"tools/{p.name}" for p in (ROOT / "tools").glob("*.py") if p.stem != "__init__"),
        *(p.stem for p in (ROOT / "benchmarks").glob("*.py") if not p.stem.startswith("__")),
        *(p.stem for p in PROJECT.chapters()),
    }
    locks = {p.name for p in (ROOT / "requirements").glob("*.txt")}
    expected |= {name for name in locks if not name.startswith("gpu-")} | {"gpu-*.txt"}
    missing = {name for name in expected if name not in named and f"{name}.py" not in named}
    assert not missing, f"docs/CONTRIBUTING.md's Layout does not name {sorted(missing)}"
