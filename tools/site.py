"""Build the tutorial's static website from the committed notebooks: ``python -m tools.site``.

``make site`` runs this. It lays out build/site-src/ (site/conf.py, the home page with the chapters
in order, every chapter and answers notebook as committed, the glossary, the GPU guide from the
README) and runs Sphinx on it into build/site/, which any static file server can serve (or a
browser open from disk). Nothing is executed: the pages show the outputs the notebooks were
committed with. Everything the pages load is inside build/site/ (MathJax included).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import re
import shutil
import sys
import time
from pathlib import Path

from keras_tutorial import project
from keras_tutorial.errors import TutorialError, install_handler

ROOT = project.find(Path(__file__)).root
SITE = ROOT / "site"
GLOSSARY = ROOT / "docs" / "术语表.md"
README = ROOT / "README.md"
#: The README section that becomes the GPU page (Chinese half of the README).
GPU_HEADING = "### 在 NVIDIA GPU 上运行（Ubuntu）"
DEFAULT_OUT = ROOT / "build" / "site"

# MathJax 3 as the sphinx-mathjax-offline package ships it: the TeX-to-HTML bundle, the parts it
# loads on demand (TeX extensions, menu, accessibility) and the CHTML fonts; not the other bundles.
MATHJAX_DIST = "sphinx-mathjax-offline"
MATHJAX_KEEP = ["tex-chtml.js", "input", "output/chtml", "output/chtml.js", "ui", "a11y", "sre"]

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"


def readme_section(text: str, heading: str) -> str:
    """The README section under ``heading`` (to the next heading of its level), as a page."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.split("\n")
    try:
        start = lines.index(heading)
    except ValueError:
        raise TutorialError(
            f"README.md 里找不到标题“{heading}”：GPU 页面从这一节生成。",
            f"README.md has no heading '{heading}': the GPU page is made from that section.",
        ) from None
    body: list[str] = []
    fenced = False
    for line in lines[start + 1 :]:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(rf"^#{{1,{level}}} ", line):
            break
        body.append(line)
    # The section's heading becomes the page title; its subheadings move up with it.
    page = [heading[level - 1 :]]
    fenced = False
    for line in body:
        if line.startswith("```"):
            fenced = not fenced
        heading_line = not fenced and re.match(r"^#+ ", line)
        page.append(line[level - 1 :] if heading_line else line)
    # No line breaks to join: tests/test_prose.py keeps the README's Chinese paragraphs on one line.
    return unlink_repo_files("\n".join(page))


def unlink_repo_files(markdown: str) -> str:
    """Links to the repository's files, which are not on the site, become code after the text."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-z]+://|^#", target):
            return match.group(0)
        return f"{match.group(1)}（`{target}`）"

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", replace, markdown)


def glossary_terms(markdown: str) -> list[str]:
    """The Chinese terms of the glossary table (its first column)."""
    terms = []
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        row = line.startswith("|") and len(cells) >= 2 and re.search(f"[{_CJK}]", cells[0])
        if row and cells[0] != "中文":
            terms += [t for t in re.split(r"[/、，,]\s*", cells[0]) if t]
    return terms


def notebooks(proj: project.Project) -> list[Path]:
    """Every chapter and answers notebook in reading order (each chapter, then its answers).

    A script whose notebook is not there yet (a chapter being written) is left out with a note;
    tests/test_notebooks.py is what insists that every script has its notebook.
    """
    found = []
    for script in proj.all_scripts():
        notebook = proj.notebook_of(script)
        if notebook.is_file():
            found.append(notebook)
        else:
            name = notebook.relative_to(proj.root)
            print(f"跳过 / skipped: {name}（还没有生成 / not generated yet: make notebooks）")
    if not found:
        raise TutorialError(
            "notebooks/ 里没有任何章节的 notebook：先运行 make notebooks。",
            "notebooks/ holds no chapter notebook: run make notebooks first.",
        )
    return found


def copy_mathjax(dest: Path) -> None:
    try:
        dist = importlib.metadata.distribution(MATHJAX_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise TutorialError(
            f"没有安装 {MATHJAX_DIST}：请用 make site 运行（它按 requirements/site.txt 安装）。",
            f"{MATHJAX_DIST} is not installed: run make site (it installs requirements/site.txt).",
        ) from None
    source = Path(str(dist.locate_file("sphinx-mathjax-offline/static/mathjax")))
    for part in MATHJAX_KEEP:
        src, dst = source / part, dest / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


def stage(src: Path) -> None:
    """Lay out the Sphinx source folder ``src``: configuration, pages and notebooks."""
    proj = project.Project(ROOT)
    if src.exists():
        shutil.rmtree(src)
    # site/: conf.py, _static/, _templates/ and the home page, which gets the chapters below.
    shutil.copytree(SITE, src, ignore=shutil.ignore_patterns("__pycache__"))
    pages = []
    for notebook in notebooks(proj):
        shutil.copy2(notebook, src / notebook.name)
        pages.append(notebook.stem)
    glossary = GLOSSARY.read_text(encoding="utf-8")
    (src / "glossary.md").write_text(glossary, encoding="utf-8")
    (src / "search_dict.txt").write_text("\n".join(glossary_terms(glossary)) + "\n", "utf-8")
    gpu = readme_section(README.read_text(encoding="utf-8"), GPU_HEADING)
    (src / "gpu.md").write_text(gpu, encoding="utf-8")
    toctree = [
        "```{toctree}",
        ":maxdepth: 1",
        ":caption: 章节",
        "",
        *pages,
        "```",
        "",
        "```{toctree}",
        ":maxdepth: 1",
        ":caption: 参考",
        "",
        "glossary",
        "gpu",
        "```",
        "",
    ]
    home = (SITE / "index.md").read_text(encoding="utf-8").rstrip("\n")
    (src / "index.md").write_text(home + "\n\n" + "\n".join(toctree), encoding="utf-8")
    copy_mathjax(src / "_static" / "mathjax")


def build(out: Path, src: Path) -> None:
    """Stage the sources in ``src`` and build the HTML site into ``out``."""
    # jieba announces loading its dictionary on stderr at every build; its import sets its level.
    import jieba
    from sphinx.cmd.build import build_main

    jieba.setLogLevel(logging.WARNING)
    stage(src)
    if out.exists():
        shutil.rmtree(out)
    # -W: a warning (a broken reference, a page outside the table of contents) fails the build.
    status = build_main(["-b", "html", "-q", "-W", "--keep-going", "-E", str(src), str(out)])
    if status != 0:
        raise TutorialError(
            f"Sphinx 构建网站失败（退出码 {status}），原因见上面的警告。",
            f"Sphinx failed to build the site (exit status {status}); see the warnings above.",
        )
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    (out / ".buildinfo").unlink(missing_ok=True)
    # What no page loads: the theme's translation catalogues (used while building) and the
    # source maps of its minified scripts (for developer tools only), 4 of the site's 16 MiB.
    shutil.rmtree(out / "_static" / "locales", ignore_errors=True)
    for source_map in (out / "_static").rglob("*.js.map"):
        source_map.unlink()


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    install_handler()
    parser = argparse.ArgumentParser(
        prog="python -m tools.site", description="由 notebook 生成静态网站 / build the website"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出目录 / output folder")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    started = time.perf_counter()
    build(out, out.parent / (out.name + "-src"))
    seconds = time.perf_counter() - started
    mib = size_of(out) / 2**20
    print(f"网站已生成 / site built: {out}  ({seconds:.1f} s, {mib:.1f} MiB)")
    print(f"本机预览 / preview: python3 -m http.server -d {out} 8000 → http://127.0.0.1:8000/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
