"""Every 练习 has an answer; every checker answers anything a learner passes without a traceback.

Each chapter's own test file (tests/test_exercises_chNN.py) holds typical wrong answers for each of
its checkers; the answers notebooks show each reference answer passing its checker.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import SCRIPTS, hint_of

from keras_tutorial.exercises import NOT_ANSWERED, check, checkers, normalise

CHAPTERS = [p for p in sorted(SCRIPTS.glob("ch[0-9][0-9]_*.py")) if "answers" not in p.stem]
EXERCISE = re.compile(r"^# ### 练习 (\d+)", re.MULTILINE)
ANSWER = re.compile(r"^# ## 练习 (\d+)", re.MULTILINE)


def answers_script(chapter):
    return SCRIPTS / f"{chapter.stem[:4]}_answers.py"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_an_answer_in_the_same_order(chapter):
    asked = [int(n) for n in EXERCISE.findall(chapter.read_text(encoding="utf-8"))]
    assert asked == list(range(1, len(asked) + 1)), "练习 are numbered 1, 2, 3 ... under ## 练习"
    assert answers_script(chapter).exists()
    answered = [int(n) for n in ANSWER.findall(answers_script(chapter).read_text(encoding="utf-8"))]
    assert answered == asked


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_check_call_in_a_chapter_names_an_exercise_of_it(chapter):
    text = chapter.read_text(encoding="utf-8")
    asked = {int(n) for n in EXERCISE.findall(text)}
    prefix = chapter.stem[:4]
    for exercise in re.findall(r'check\("([^"]+)"', text):
        chapter_id, _, number = exercise.partition(".")
        assert chapter_id == prefix and int(number) in asked, exercise
    for exercise in checkers():
        if exercise.startswith(prefix + "."):
            assert f'check("{exercise}"' in text, f"{exercise} has a checker but no cell calls it"


@pytest.mark.parametrize("exercise", list(checkers()))
@pytest.mark.parametrize("placeholder", [None, ...])
def test_an_unanswered_exercise_says_so(exercise, placeholder, capsys):
    assert check(exercise, placeholder) is False
    assert NOT_ANSWERED in capsys.readouterr().out


@pytest.mark.parametrize("exercise", list(checkers()))
@pytest.mark.parametrize("nonsense", ["abc", object(), {"a": 1}, -1.5])
def test_nonsense_gets_a_hint_not_a_traceback(exercise, nonsense, capsys):
    assert check(exercise, nonsense) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {exercise}: ") and "Traceback" not in out


def test_an_unknown_exercise_points_to_the_answers(capsys):
    assert check("ch09.99", 1) is False
    assert "answers" in capsys.readouterr().out


# --- one right answer, many ways of writing it (exercises.normalise) --------------------------

VIDEO_MIB = 300 * 1080 * 1920 * 3 / 2**20  # ch02.5: 10 s of 1080p at 30 frames/s, uint8
CH05_P = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()  # ch05.2: softmax of z
#: A right answer and a near miss (with words of its hint) for every checker that takes numbers
#: or shapes rather than a function.
RIGHT_AND_NEAR = {
    "ch01.1": (422, 421, "最后一批"),
    "ch01.3": ((50_890, 814_090), (814_090, 50_890), "写反"),
    "ch01.7": (((4, 28, 16), (28, 16)), ((4, 28, 16), (16, 28)), "写反"),
    "ch02.1": ((34, 14, 14), (33, 14, 14), "少数了一张"),
    "ch02.3": ((235, 96), (234, 96), "少算了最后那一批"),
    "ch02.4": ((365, 144, 3), (365, 24, 3), "小时数"),
    "ch02.5": ((VIDEO_MIB, 4 * VIDEO_MIB), (4 * VIDEO_MIB, VIDEO_MIB), "反了"),
    "ch02.6": ((4, 6), (3, 6), "加句子之前"),
    "ch03.3": ([(8, 7, 6, 5), "error", (2, 5, 3)], [(8, 7, 6, 5), (3, 4), (2, 5, 3)], "不能广播"),
    "ch03.4": ([(4, 2, 4, 5), (4, 2, 5), "error"], [(4, 2, 5), (4, 2, 4, 5), "error"], "写反"),
    "ch04.1": (1.0, 0.5, "最快的学习率"),
    "ch04.2": (0.2, 2.0, "w₂"),
    "ch04.3": (1055, 5 * 210, "最后那批"),
    "ch05.1": (0, -12, "[z > 0]"),
    "ch05.2": (tuple(CH05_P - (1, 0, 0)), tuple(CH05_P), "减去独热标签"),
    "ch06.1": (256, 64, "每块设备"),
    "ch06.2": (235, 234, "最后"),
    "ch06.3": (0.08, 0.01, "几倍"),
}
#: Checkers that take the learner's function or an array of images: nothing to normalise.
FUNCTION_CHECKERS = {"ch03.1", "ch03.2", "ch04.4", "ch06.4"}
IMAGE_CHECKERS = {"ch02.2"}


def _numbers(answer, number):
    """``answer`` with every number passed through ``number``, containers kept."""
    if isinstance(answer, list | tuple):
        return type(answer)(_numbers(item, number) for item in answer)
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return number(answer)
    return answer


def _shapes(answer, container):
    """Each tuple of numbers in ``answer`` (the answer itself, or the items of a list) rewritten."""
    if isinstance(answer, tuple) and all(isinstance(n, int | float) for n in answer):
        return container(answer)
    if isinstance(answer, list):
        return [_shapes(item, container) for item in answer]
    return answer


FORMS = {
    "as written": lambda a: a,
    "numpy scalars": lambda a: _numbers(
        a, lambda n: np.int64(n) if isinstance(n, int) else np.float64(n)
    ),
    "integral floats": lambda a: _numbers(
        a, lambda n: np.ceil(np.float64(n)) if isinstance(n, int) else n
    ),
    "python floats": lambda a: _numbers(a, float),
    "lists": lambda a: _shapes(a, list),
    "numpy arrays": lambda a: _shapes(a, np.array),
    "0-d arrays": lambda a: _numbers(a, np.array),
}


def test_every_checker_of_numbers_or_shapes_is_tried_in_every_form():
    assert set(RIGHT_AND_NEAR) | FUNCTION_CHECKERS | IMAGE_CHECKERS == set(checkers())


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("exercise", RIGHT_AND_NEAR)
def test_a_right_answer_written_another_way_is_right(exercise, form, capsys):
    answer = FORMS[form](RIGHT_AND_NEAR[exercise][0])
    assert check(exercise, answer) is True, capsys.readouterr().out
    assert capsys.readouterr().out.startswith(f"✓ {exercise}: ")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("exercise", RIGHT_AND_NEAR)
def test_a_near_miss_written_another_way_keeps_its_hint(exercise, form, capsys):
    _, near, words = RIGHT_AND_NEAR[exercise]
    out = hint_of(exercise, FORMS[form](near), capsys)
    assert words in out, out


@pytest.mark.parametrize(
    ("answer", "plain"),
    [
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.ceil(421.875), 422),
        (np.array(3.0), 3),
        (421.875, 421.875),
        ([1, [2.0, np.uint8(3)]], (1, (2, 3))),
        (np.array([34, 14, 14]), (34, 14, 14)),
        (np.array([1.5, 2.0]), (1.5, 2)),
        ("error", "error"),
        (True, True),
    ],
)
def test_normalise_gives_plain_python_numbers_and_tuples(answer, plain):
    got = normalise(answer)
    assert got == plain
    assert type(got) is type(plain)
    if isinstance(plain, tuple):
        assert [type(x) for x in got] == [type(x) for x in plain]


def test_normalise_leaves_images_and_functions_alone():
    images = np.zeros((8, 14, 14), dtype="uint8")
    assert normalise(images) is images
    assert normalise(len) is len
