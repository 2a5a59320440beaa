"""Generate the chapter notebooks from their py:percent scripts and execute them.

``python -m tools.notebooks [ch01 ...]`` rebuilds ``notebooks/chNN_*.ipynb`` from
``scripts/chNN_*.py`` (all chapters and their answers when none is named) and executes each top to
bottom, so the committed notebooks show the outputs of one clean run. It first brings the modules
generated from ``# @save`` cells up to date (:mod:`tools.lib`), since chapters import them.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

from keras_tutorial import project
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.files import atomic_path
from keras_tutorial.settings import Parser
from tools import lib

PROJECT = project.find(__file__)
ROOT = PROJECT.root
NOTEBOOKS = PROJECT.notebooks

_ANSI_CURSOR = re.compile(r"\x1b\[[0-9;]*[A-HJKST]")


def chapter_scripts(names: list[str] | None = None) -> list[Path]:
    """The chapter scripts, all of them or those whose name starts with one of ``names``."""
    scripts = PROJECT.all_scripts()
    if names:
        scripts = [s for s in scripts if any(s.stem.startswith(n) for n in names)]
    return scripts


def render_terminal_text(text: str) -> str:
    """Apply carriage returns and backspaces the way a terminal would.

    Keras redraws its progress bar with ``\\b`` and ``\\r``; a notebook file would otherwise keep
    every intermediate frame.
    """
    lines = []
    for raw in text.split("\n"):
        line: list[str] = []
        pos = 0
        for part in re.split("(\r|\x08)", raw):
            if part == "\r":
                pos = 0
            elif part == "\x08":
                pos = max(0, pos - 1)
            else:
                line[pos : pos + len(part)] = part
                pos += len(part)
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def _clean_outputs(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        merged: list[nbformat.NotebookNode] = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name
            ):
                previous.text += output.text
            else:
                merged.append(output)
        for output in merged:
            if output.output_type == "stream":
                output.text = render_terminal_text(_ANSI_CURSOR.sub("", output.text))
        cell.outputs = merged


def script_to_notebook(script: Path) -> nbformat.NotebookNode:
    """Read a py:percent chapter script as a notebook (no outputs), its cells numbered."""
    nb = jupytext.read(script, fmt="py:percent")
    # nbformat gives new cells random ids, so every rebuild would touch every cell in the
    # diff; numbered ids leave the diff to what really changed.
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{number}"
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 3600) -> nbformat.NotebookNode:
    """Execute ``nb`` in a fresh kernel with ``cwd`` as working directory."""
    # The kernel talks over Unix sockets in a folder of its own, not TCP ports: a port chosen as
    # free can be taken by another process before the kernel binds it, when several notebooks
    # start at once. (Windows has no such sockets: TCP there.)
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        unix = {"transport": "ipc", "ip": f"{sockets}/kernel"} if os.name == "posix" else {}
        sockets_config = Config({"KernelManager": unix})
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            config=sockets_config,
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            raise TutorialError(
                f"notebook 执行失败：\n{exc}", f"the notebook failed while executing:\n{exc}"
            ) from None
    _clean_outputs(nb)
    return nb


def build(script: Path, dest: Path, cwd: Path | None = None) -> Path:
    """Generate ``dest`` from ``script`` and execute it; ``dest`` is written only on success."""
    nb = script_to_notebook(script)
    execute(nb, cwd or dest.parent)
    with atomic_path(dest) as tmp:
        nbformat.write(nb, tmp)
    return dest


def main(argv: list[str] | None = None) -> int:
    install_handler()
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="e.g. ch01 (default: all chapters)")
    args = parser.parse_args(argv)
    scripts = chapter_scripts(args.chapters)
    if not scripts:
        raise TutorialError(f"找不到章节 {args.chapters}", f"no chapter matches {args.chapters}")
    for path in lib.write_all():
        print(f"{path.relative_to(ROOT)} regenerated from its chapter", flush=True)
    for script in scripts:
        dest = NOTEBOOKS / f"{script.stem}.ipynb"
        start = time.monotonic()
        print(f"{script.relative_to(ROOT)} → {dest.relative_to(ROOT)} ...", flush=True)
        build(script, dest)
        print(f"  done in {time.monotonic() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
