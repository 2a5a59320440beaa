"""keras_tutorial.imports: a function run right after a module's first import."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_callback_waits_for_the_first_import_and_runs_once():
    out = run(
        "import sys\n"
        "from keras_tutorial.imports import after_import\n"
        "seen = []\n"
        "after_import('colorsys', lambda m: seen.append(m.__name__))\n"
        "print('before', seen, 'colorsys' in sys.modules)\n"
        "import colorsys\n"
        "import colorsys\n"
        "print('after', seen)\n"
    )
    assert out.splitlines() == ["before [] False", "after ['colorsys']"]


def test_a_module_already_imported_is_called_at_once():
    out = run(
        "import json\n"
        "from keras_tutorial.imports import after_import\n"
        "after_import('json', lambda m: print('called', m.__name__))\n"
        "print('done')\n"
    )
    assert out.splitlines() == ["called json", "done"]


def test_the_module_is_whole_when_the_callback_runs():
    out = run(
        "from keras_tutorial.imports import after_import\n"
        "after_import('colorsys', lambda m: print(m.rgb_to_hsv(1.0, 0.0, 0.0)))\n"
        "import colorsys\n"
    )
    assert out.strip() == "(0.0, 1.0, 1.0)"
