"""Run-time settings shared by the chapters: backend, seeds, command-line flags, output folder."""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from keras_tutorial import explain, imports, quick_exit, quiet_tensorflow
from keras_tutorial.errors import TutorialError, install_handler

#: Set to 1 to make chapters run in quick mode where no command line exists (Jupyter, tests).
QUICK_ENV = "KERAS_TUTORIAL_QUICK"


def in_notebook() -> bool:
    """True when running inside a Jupyter kernel (figures inline, no command line)."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def configure() -> None:
    """Prepare this process for a chapter; call it before importing Keras or pyplot.

    Importing a module of this package changes nothing; this one call does what every chapter
    needs: TensorFlow's start-up logs kept quiet, figures that can draw Chinese, shown inline in
    Jupyter or saved to files (never a blocking window) in a terminal, and an exit without
    TensorFlow's second of clean-up.
    """
    quiet_tensorflow.install()
    quick_exit.install()
    _choose_figure_backend()
    from keras_tutorial.plotting import use_chinese_font

    use_chinese_font()


def _choose_figure_backend() -> None:
    import matplotlib

    if in_notebook():
        from IPython import get_ipython

        # Inline even when the shell exports MPLBACKEND=Agg (common on headless servers), which
        # would otherwise leave every notebook without a single figure.
        get_ipython().run_line_magic("matplotlib", "inline")
    else:
        # A terminal run must never block on a window (and CI has no display).
        matplotlib.use("Agg")


class Parser(argparse.ArgumentParser):
    """argparse with a bilingual message for a bad command line (exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(
            f"错误：命令行参数有误（{message}）。用 --help 查看可用的参数。\n"
            f"Error: bad command-line arguments ({message}). See --help.",
            file=sys.stderr,
        )
        raise SystemExit(2)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' 不是整数 / is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' 必须 ≥ 1 / must be >= 1")
    return value


def chapter_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the flags every chapter takes: --quick, --out, --seed."""
    parser = Parser(description=description)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="小规模快速运行，用于冒烟测试 / small, fast run for smoke tests",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("outputs"),
        help="保存图和模型的目录 / folder for figures and models (default: outputs/)",
    )
    parser.add_argument("--seed", type=int, default=42, help="随机种子 / random seed (default: 42)")
    return parser


def add_training_flags(
    parser: argparse.ArgumentParser, epochs: int = 5, batch_size: int = 128
) -> None:
    """--epochs and --batch-size, by default chapter 1's 5 and 128."""
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=epochs,
        help=f"训练轮数 / epochs (default {epochs})",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=batch_size,
        help=f"批大小 / batch size (default {batch_size})",
    )


def start_chapter(
    description: str,
    *,
    epochs: int | None = None,
    batch_size: int = 128,
    argv: list[str] | None = None,
) -> Any:
    """What every chapter does first: read the flags, :func:`configure`, seed the generators.

    Every chapter takes ``--quick``, ``--out`` and ``--seed``; with ``epochs`` it also takes
    ``--epochs`` and ``--batch-size`` (those numbers are the defaults). In Jupyter the defaults
    are used (``KERAS_TUTORIAL_QUICK=1`` turns quick mode on there). Known mistakes get a short
    Chinese explanation after their traceback (:func:`keras_tutorial.explain.install`).
    """
    parser = chapter_parser(description)
    if epochs is not None:
        add_training_flags(parser, epochs, batch_size)
    # The flags first: a mistyped one is refused at once, before Matplotlib is loaded.
    args = parse_args(parser, argv)
    configure()
    # After parse_args: its error handler is the first thing the explainer's hook calls.
    explain.install()
    set_seed(args.seed)
    return args


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> Any:
    """Parse the command line; in Jupyter use the defaults (and KERAS_TUTORIAL_QUICK).

    Also installs the clean error handler and prepares the output folder.
    """
    install_handler()
    if argv is None and in_notebook():
        argv = []
    args = parser.parse_args(argv)
    if os.environ.get(QUICK_ENV, "") not in ("", "0"):
        args.quick = True
    if hasattr(args, "out"):
        args.out = prepare_out_dir(args.out)
    return args


def prepare_out_dir(path: Path) -> Path:
    """Create ``path`` if needed and check that files can be written there."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise TutorialError(
            f"无法写入输出目录 {path}（{exc.strerror}）。请用 --out 指定一个可写的目录。",
            f"cannot write to the output folder {path} ({exc.strerror}). "
            "Choose a writable folder with --out.",
        ) from None
    return path


@dataclass(frozen=True)
class BackendInfo:
    """What the Keras backend reports: its name, version, devices and whether it has a GPU."""

    name: str
    version: str
    devices: tuple[str, ...]
    gpu_usable: bool


def backend_info() -> BackendInfo:
    """Ask the active Keras backend for its version and the devices it computes on."""
    import keras

    name = keras.backend.backend()
    version, devices, gpu = "?", ("cpu",), False
    if name == "tensorflow":
        import tensorflow as tf

        version = tf.__version__
        gpus = tf.config.list_physical_devices("GPU")
        devices = tuple(d.name for d in gpus) or ("CPU",)
        gpu = bool(gpus)
    elif name == "jax":
        import jax

        version = jax.__version__
        found = jax.devices()
        devices = tuple(str(d) for d in found)
        gpu = any(d.platform == "gpu" for d in found)
    elif name == "torch":
        import torch

        version = torch.__version__
        gpu = torch.cuda.is_available()
        if gpu:
            devices = tuple(
                f"cuda:{i} ({torch.cuda.get_device_name(i)})"
                for i in range(torch.cuda.device_count())
            )
        else:
            devices = ("CPU",)
    return BackendInfo(name, version, devices, gpu)


def backend_summary() -> str:
    """One line naming the Keras backend, its version and the devices it computes on."""
    import keras

    info = backend_info()
    return (
        f"Keras {keras.__version__} · backend {info.name} {info.version} · "
        f"devices: {', '.join(info.devices)}"
    )


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend so that runs repeat.

    Keras is seeded when the chapter first imports it, not here: a chapter that never uses Keras
    (most answers) then starts without loading TensorFlow. Its ``set_random_seed`` seeds Python
    and NumPy again, so that importing the backend (which draws from them) changes nothing.
    """
    random.seed(seed)
    np.random.seed(seed)
    imports.after_import("keras", lambda keras: keras.utils.set_random_seed(seed))
