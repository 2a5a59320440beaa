"""Where the tutorial's own files are: the checkout, its chapters, answers and notebooks.

Tools, tests and ``make lab`` find the checkout here, by looking upwards from a folder for the
file that only this repository has, rather than by counting parent folders of an installed module
(which points into site-packages once the package is installed without ``-e``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keras_tutorial.errors import TutorialError

#: A file only a checkout of this tutorial has.
MARKER = Path("scripts") / "ch01_mnist_dense.py"


@dataclass(frozen=True)
class Project:
    """A checkout of the tutorial and the paths inside it."""

    root: Path

    @property
    def scripts(self) -> Path:
        return self.root / "scripts"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def package(self) -> Path:
        return self.root / "src" / "keras_tutorial"

    def chapters(self) -> list[Path]:
        """The chapter scripts in order (``scripts/chNN_topic.py``, answers excluded)."""
        return [p for p in self.all_scripts() if not p.stem.endswith("_answers")]

    def answers(self) -> list[Path]:
        """The answers scripts in order (``scripts/chNN_answers.py``)."""
        return [p for p in self.all_scripts() if p.stem.endswith("_answers")]

    def all_scripts(self) -> list[Path]:
        """Every chapter and answers script, by chapter number, each chapter before its answers."""
        scripts = self.scripts.glob("ch[0-9][0-9]_*.py")
        return sorted(scripts, key=lambda p: (p.stem[:4], p.stem.endswith("_answers")))

    def notebook_of(self, script: Path) -> Path:
        """``scripts/chNN_x.py`` → ``notebooks/chNN_x.ipynb``."""
        return self.notebooks / f"{script.stem}.ipynb"


def find(start: str | Path | None = None) -> Project:
    """The checkout that holds ``start`` (a file or folder; default the current folder)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Project(folder)
    raise TutorialError(
        f"{here} 不在本教程的目录里。请先 cd 到克隆下来的 keras-tutorial 目录再运行。",
        f"{here} is not inside the tutorial's folder. cd into your clone of the tutorial first.",
    )
