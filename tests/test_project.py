"""keras_tutorial.project finds the checkout and its chapters from any folder inside it."""

from __future__ import annotations

import pytest
from helpers import ROOT

from keras_tutorial import project
from keras_tutorial.errors import TutorialError


def test_found_from_a_folder_inside_the_checkout() -> None:
    assert project.find(ROOT / "notebooks").root == ROOT
    assert project.find(ROOT / "src" / "keras_tutorial" / "data.py").root == ROOT


def test_a_folder_outside_any_checkout_is_a_learner_error(tmp_path) -> None:
    with pytest.raises(TutorialError, match="cd"):
        project.find(tmp_path)


def test_a_copy_elsewhere_is_its_own_project(tmp_path) -> None:
    (tmp_path / "scripts").mkdir()
    for name in ("ch01_mnist_dense.py", "ch01_answers.py", "ch02_tensors.py", "notes.py"):
        (tmp_path / "scripts" / name).write_text("", encoding="utf-8")
    found = project.find(tmp_path / "scripts")
    assert found.root == tmp_path
    assert [p.name for p in found.chapters()] == ["ch01_mnist_dense.py", "ch02_tensors.py"]
    assert [p.name for p in found.answers()] == ["ch01_answers.py"]
    # Each chapter comes before its answers, whatever the names sort to.
    assert [p.name for p in found.all_scripts()] == [
        "ch01_mnist_dense.py",
        "ch01_answers.py",
        "ch02_tensors.py",
    ]


def test_every_chapter_has_answers_and_every_script_a_notebook() -> None:
    checkout = project.find(ROOT)
    chapters = {p.stem[:4] for p in checkout.chapters()}
    assert chapters == {p.stem[:4] for p in checkout.answers()}
    for script in checkout.all_scripts():
        assert checkout.notebook_of(script).is_file(), script
