"""Every 练习 has an answer; every checker answers anything a learner passes without a traceback.

Each chapter's own test file (tests/test_exercises_chNN.py) holds typical wrong answers for each of
its checkers; the answers notebooks show each reference answer passing its checker.
"""

from __future__ import annotations

import re

import pytest
from helpers import SCRIPTS

from keras_tutorial.exercises import NOT_ANSWERED, check, checkers

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
