"""Errors a learner can cause, reported in Chinese and English without a traceback."""

from __future__ import annotations

import sys
from types import TracebackType


class TutorialError(Exception):
    """An error meant for the learner (bad input, no network...), not a bug in the tutorial.

    Scripts that call :func:`install_handler` print only :meth:`message` and exit with status 1.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def message(self) -> str:
        """The text shown to the learner: Chinese first, then English."""
        return f"错误：{self.zh}\nError: {self.en}"


def report(exc: TutorialError) -> None:
    """Print the learner-facing message of ``exc`` to stderr."""
    sys.stdout.flush()
    print(exc.message(), file=sys.stderr, flush=True)


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # Python exits with status 1 after the hook returns, so a clean message is all we add.
    if isinstance(exc, TutorialError):
        report(exc)
    elif isinstance(exc, KeyboardInterrupt):
        print("\n已中断。", file=sys.stderr)
    else:
        sys.__excepthook__(exc_type, exc, tb)


def install_handler() -> None:
    """Show TutorialError as a clean message, in a terminal and in Jupyter alike."""
    shell = None
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None:

        def show(shell, etype, value, tb, tb_offset=None):
            report(value)

        shell.set_custom_exc((TutorialError,), show)
    else:
        sys.excepthook = _hook
