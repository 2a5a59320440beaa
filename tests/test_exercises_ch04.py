"""Chapter 4's exercise checkers: reference answers pass, typical mistakes get a pointed hint."""

from __future__ import annotations

import numpy as np
import pytest

from keras_tutorial.exercises import NOT_ANSWERED, check, checkers


def adagrad_step(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s = s + g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


def adagrad_like_rmsprop(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s = 0.9 * s + 0.1 * g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


def adagrad_epsilon_outside(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s = s + g**2
    return w - learning_rate * g / (np.sqrt(s) + epsilon), s


def adagrad_old_s(w, g, s, learning_rate=0.1, epsilon=1e-7):
    return w - learning_rate * g / np.sqrt(s + epsilon), s + g**2


def adagrad_uphill(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s = s + g**2
    return w + learning_rate * g / np.sqrt(s + epsilon), s


def adagrad_in_place(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s += g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


def adagrad_returns_w_only(w, g, s, learning_rate=0.1, epsilon=1e-7):
    return w - learning_rate * g / np.sqrt(s + g**2 + epsilon)


def adagrad_fits_shapes(w, g, s, learning_rate=0.1, epsilon=1e-7):
    g = g.reshape(w.shape)  # hides a shape mismatch instead of reporting it
    s = s + g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


REFERENCE = {"ch04.1": 1.0, "ch04.2": 0.2, "ch04.3": 1055, "ch04.4": adagrad_step}

# (exercise, wrong answer, words the hint must contain)
WRONG = [
    ("ch04.1", 0.5, "最快的学习率"),
    ("ch04.1", 2, "导数是 2w"),
    ("ch04.1", 0.99, "上界本身"),
    ("ch04.1", 1.05, "发散"),
    ("ch04.1", 0.3, "边界"),
    ("ch04.2", 2.0, "更陡的方向"),
    ("ch04.2", 0.1, "不是上界"),
    ("ch04.2", 1.0, "练习 1"),
    ("ch04.2", 0.205, "发散"),
    ("ch04.2", 0.15, "更严"),
    ("ch04.2", -0.2, "正数"),
    ("ch04.3", 1050, "最后那批"),
    ("ch04.3", 1175, "validation_split"),
    ("ch04.3", 211, "5 轮"),
    ("ch04.3", 2110, "批大小 128"),
    ("ch04.3", 1055.5, "整数"),
    ("ch04.3", [1055, 2110], "一个数"),
    ("ch04.3", 1000, "向上取整"),
    ("ch04.4", adagrad_like_rmsprop, "不乘 ρ"),
    ("ch04.4", adagrad_epsilon_outside, "根号里面"),
    ("ch04.4", adagrad_old_s, "新算出的 s"),
    ("ch04.4", adagrad_uphill, "方向反了"),
    ("ch04.4", adagrad_in_place, "原地修改"),
    ("ch04.4", adagrad_returns_w_only, "两个值"),
    ("ch04.4", adagrad_fits_shapes, "ValueError"),
    ("ch04.4", 0.1, "函数"),
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


def adagrad_as_list(w, g, s, learning_rate=0.1, epsilon=1e-7):
    s = s + g**2
    return [w - learning_rate * g / np.sqrt(s + epsilon), s]


# A right answer written another reasonable way is right too.
OTHER_FORMS = [
    ("ch04.1", 1),
    ("ch04.1", np.float32(1.0)),
    ("ch04.1", np.array(1.0)),
    ("ch04.1", [1.0]),
    ("ch04.2", np.float64(0.2)),
    ("ch04.2", 2 / 10),
    ("ch04.2", np.array([0.2])),
    ("ch04.3", np.int64(1055)),
    ("ch04.3", 1055.0),
    ("ch04.3", np.ceil(54000 / 256) * 5),
    ("ch04.3", np.array(1055)),
    ("ch04.4", adagrad_as_list),
]


@pytest.mark.parametrize(("exercise", "answer"), OTHER_FORMS, ids=lambda v: repr(v)[:20])
def test_a_right_answer_in_another_form_passes(exercise, answer, capsys):
    assert check(exercise, answer) is True, capsys.readouterr().out


def test_every_chapter_4_checker_has_a_reference_and_wrong_answers():
    mine = {name for name in checkers() if name.startswith("ch04.")}
    assert mine == set(REFERENCE) == {exercise for exercise, _, _ in WRONG}


def test_an_unfinished_function_is_not_answered_yet(capsys):
    def adagrad_step(w, g, s, learning_rate=0.1, epsilon=1e-7): ...

    assert check("ch04.4", adagrad_step) is False
    assert NOT_ANSWERED in capsys.readouterr().out
