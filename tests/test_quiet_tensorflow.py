"""quiet_tensorflow: TensorFlow's start-up log lines stay off a learner's screen; errors show.

Chapter 1's real first screen is checked in tests/test_ch01.py (the suite's one full run of
chapter 1, in a learner's environment); here a stand-in ``tensorflow`` prints what TensorFlow's
C++ libraries print, straight to file descriptor 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from keras_tutorial.quiet_tensorflow import kept


def learner_env(**extra: str) -> dict[str, str]:
    """This environment as a learner's shell has it: no log level and no backend chosen."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")
    }
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


FAKE_TENSORFLOW = textwrap.dedent(
    """
    import os
    os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written"
                b" to STDERR\\n")
    os.write(2, b"I0000 00:00:1796000678.809103    9504 port.cc:153] oneDNN custom operations\\n")
    os.write(2, b"I0000 00:00:1796000679.008316    9504 cpu_feature_guard.cc:227] optimized\\n")
    os.write(2, b"To enable the following instructions: AVX2 FMA, rebuild TensorFlow\\n")
    os.write(2, b"W0000 00:00:1796000679.1    9504 some.cc:1] a warning\\n")
    os.write(2, b"E0000 00:00:1796000679.2    9504 other.cc:2] a real error\\n")
    os.write(2, b"a plain line from a library\\n")
    """
)


def fake_tensorflow(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    return learner_env(PYTHONPATH=str(tmp_path))


@pytest.mark.parametrize(
    ("level", "shown", "hidden"),
    [
        (None, ["a real error", "a plain line"], ["oneDNN", "To enable", "a warning", "absl::"]),
        ("1", ["a warning", "a real error", "a plain line"], ["oneDNN", "To enable", "absl::"]),
        ("0", ["absl::", "oneDNN", "To enable", "a warning", "a real error", "a plain line"], []),
    ],
)
def test_start_up_logs_below_the_level_are_dropped(
    tmp_path: Path, level: str | None, shown: list[str], hidden: list[str]
) -> None:
    # A stand-in `tensorflow` that prints start-up lines as TensorFlow's C++ libraries do
    # (straight to file descriptor 2), imported after configure() as a chapter imports Keras.
    code = "from keras_tutorial import settings; settings.configure(); import tensorflow"
    env = fake_tensorflow(tmp_path)
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for text in shown:
        assert text in result.stderr, (text, result.stderr)
    for text in hidden:
        assert text not in result.stderr, (text, result.stderr)


def test_the_doctor_starts_tensorflow_quietly(tmp_path: Path) -> None:
    # The command a confused learner is told to run must not greet them with log lines.
    result = subprocess.run(
        [sys.executable, "-m", "keras_tutorial.doctor"],
        env={**fake_tensorflow(tmp_path), "KERAS_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    printed = result.stdout + result.stderr
    assert "a real error" in printed, printed  # the fake TensorFlow was imported
    assert "oneDNN" not in printed and "cpu_feature_guard" not in printed, printed


def test_kept_drops_a_continuation_line_only_after_a_dropped_record() -> None:
    text = "I0000 00:00:1.0    1 a.cc:1] info\nTo enable the following instructions: X\n"
    assert kept(text, 2) == ""
    assert kept("To enable the following instructions: X\n", 2) != ""
