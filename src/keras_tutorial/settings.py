"""Run-time settings shared by the chapters: backend, seeds, command-line flags, output folder."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    Jupyter or saved to files (never a blocking window) in a terminal.
    """
    _quiet_tensorflow()
    _choose_figure_backend()
    from keras_tutorial.plotting import use_chinese_font

    use_chinese_font()


def _quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up logs off a chapter's first screen; errors still show.

    ``TF_CPP_MIN_LOG_LEVEL=2`` hides TensorFlow's INFO and WARNING logs, but only those written
    after TensorFlow has read the variable. The lines its C++ libraries print while they load
    ("oneDNN custom operations are on", "Could not find cuda drivers", each under a note that
    absl's log is not initialised yet) come before that. So the first ``import tensorflow`` runs
    with the process's stderr (file descriptor 2) caught, and what was caught is written back
    without the log lines below that level: errors and everything else still show.
    """
    import contextlib
    import importlib.abc
    import importlib.machinery
    import re
    import tempfile

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or any(hasattr(f, "quiet_tensorflow") for f in sys.meta_path):
        return
    try:
        level = int(os.environ["TF_CPP_MIN_LOG_LEVEL"])
    except ValueError:
        level = 0
    # absl's log line: severity letter (I, W, E, F = 0..3), date, time, thread, file:line].
    record = re.compile(r"([IWEF])\d{4} [\d:.]+ +\d+ [^ ]+:\d+\] ")
    absl_note = "WARNING: All log messages before absl::InitializeLog() is called"
    # The one start-up message that runs on over a second line (cpu_feature_guard, INFO).
    continuation = "To enable the following instructions:"

    def kept(text: str) -> str:
        out, dropping = [], False
        for line in text.splitlines(keepends=True):
            match = record.match(line)
            if match:
                dropping = "IWEF".index(match.group(1)) < level
            elif line.startswith(absl_note):
                dropping = level > 0
            elif not (dropping and line.startswith(continuation)):
                dropping = False
            if not dropping:
                out.append(line)
        return "".join(out)

    @contextlib.contextmanager
    def stderr_filtered() -> Any:
        sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (pythonw): nothing to keep quiet
            yield
            return
        with tempfile.TemporaryFile() as caught:
            os.dup2(caught.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
                caught.seek(0)
                sys.stderr.write(kept(caught.read().decode(errors="replace")))
                sys.stderr.flush()

    class QuietImport(importlib.abc.MetaPathFinder):
        """Finds ``tensorflow`` as usual, and runs its import with stderr filtered, once."""

        quiet_tensorflow = True

        def find_spec(
            self, name: str, path: Any = None, target: Any = None
        ) -> importlib.machinery.ModuleSpec | None:
            if name != "tensorflow" or self not in sys.meta_path:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return None
            exec_module = spec.loader.exec_module

            def quiet_exec_module(module: Any) -> None:
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                with stderr_filtered():
                    exec_module(module)

            spec.loader.exec_module = quiet_exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, QuietImport())


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
    """What every chapter does first: :func:`configure`, read the flags, seed the generators.

    Every chapter takes ``--quick``, ``--out`` and ``--seed``; with ``epochs`` it also takes
    ``--epochs`` and ``--batch-size`` (those numbers are the defaults). In Jupyter the defaults
    are used (``KERAS_TUTORIAL_QUICK=1`` turns quick mode on there).
    """
    configure()
    parser = chapter_parser(description)
    if epochs is not None:
        add_training_flags(parser, epochs, batch_size)
    args = parse_args(parser, argv)
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
    """Seed Python, NumPy and the Keras backend so that runs repeat."""
    import keras

    keras.utils.set_random_seed(seed)
