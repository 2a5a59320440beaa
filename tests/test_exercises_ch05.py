"""Chapter 5's exercise checkers: reference answers pass, typical mistakes get a pointed hint."""

from __future__ import annotations

import numpy as np
import pytest

from keras_tutorial.exercises import check, checkers

LOGITS = np.array([2.0, 1.0, 0.1])
P = np.exp(LOGITS) / np.exp(LOGITS).sum()
Y = np.array([1.0, 0.0, 0.0])

REFERENCE = {"ch05.1": 0.0, "ch05.2": P - Y}

WRONG = [
    ("ch05.1", -12.0, "[z > 0]"),  # relu's derivative left out
    ("ch05.1", -14, "不是 z"),  # a taken as z
    ("ch05.1", -6.0, "第一环"),
    ("ch05.1", -4.0, "w = 1.5"),  # chapter 5.1's own number
    ("ch05.1", 2.0, "逐环"),
    ("ch05.1", 0.001, "逐环"),  # a near miss is still wrong
    ("ch05.1", [0.0, 1.0], "一个数"),
    ("ch05.2", P, "减去独热标签"),
    ("ch05.2", Y - P, "符号反了"),
    ("ch05.2", P - np.array([0.0, 1.0, 0.0]), "c = 0"),
    ("ch05.2", LOGITS / LOGITS.sum() - Y, "softmax"),
    ("ch05.2", P - Y + np.array([0.01, -0.01, 0.0]), "独热标签"),  # near miss
    ("ch05.2", (P - Y)[:2], "3 个"),
    ("ch05.2", "p - y", "3 个数"),
]


@pytest.mark.parametrize("exercise", sorted(REFERENCE))
def test_the_reference_answer_passes(exercise, capsys):
    assert check(exercise, REFERENCE[exercise]) is True
    assert capsys.readouterr().out.startswith(f"✓ {exercise}: ")


@pytest.mark.parametrize(("exercise", "answer", "hint"), WRONG, ids=lambda v: str(v)[:20])
def test_a_typical_mistake_gets_a_hint(exercise, answer, hint, capsys):
    assert check(exercise, answer) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {exercise}: "), out
    assert hint in out, out
    assert "Traceback" not in out


# A right answer written another reasonable way is right too.
OTHER_FORMS = [
    ("ch05.1", 0),
    ("ch05.1", -0.0),
    ("ch05.1", np.float64(0.0)),
    ("ch05.1", np.array(0.0)),
    ("ch05.1", [0]),
    ("ch05.2", list(P - Y)),
    ("ch05.2", tuple(P - Y)),
    ("ch05.2", (P - Y).reshape(1, 3)),  # one row, as softmax returns it
    ("ch05.2", (P - Y).astype("float32")),
    ("ch05.2", np.round(P - Y, 3)),  # three decimals, as a learner may copy them
]


@pytest.mark.parametrize(("exercise", "answer"), OTHER_FORMS, ids=lambda v: repr(v)[:20])
def test_a_right_answer_in_another_form_passes(exercise, answer, capsys):
    assert check(exercise, answer) is True, capsys.readouterr().out


def test_every_chapter_5_checker_has_a_reference_and_wrong_answers():
    mine = {name for name in checkers() if name.startswith("ch05.")}
    assert mine == set(REFERENCE) == {exercise for exercise, _, _ in WRONG}
