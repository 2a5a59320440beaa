"""End to end, as a learner works: `make lab` (in Chinese, switched to English), chapter 1 opened
and run in a real Chromium.

Needs Debian's /usr/bin/chromium (``apt-get install chromium``; .ci/run installs it) and real MNIST.
Keeps a screenshot in test-artifacts/ for CI.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, NOTEBOOKS, ROOT, isolated_jupyter_env, running_lab

CHAPTER = "ch01_mnist_dense.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
# Generous: a busy 2-core CI machine needs a while to start TensorFlow in the kernel.
UI_TIMEOUT_MS = 120_000
RUN_ALL_TIMEOUT_MS = 600_000

_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim())"""


_READY_JS = """cells => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === cells
    && [...document.querySelectorAll('.jp-StatusBar-Widget')]
        .some(e => /[|] Idle/.test(e.textContent))"""


def _menu(page, menu: str, item: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then ``item`` in it, as a learner would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-item", has_text=re.compile(rf"^{re.escape(item)}")).first.click()


def _outputs_text(page) -> str:
    # textContent, not innerText: cells scrolled out of view are not rendered, yet are there.
    texts = page.locator(".jp-OutputArea-output").evaluate_all("els => els.map(e => e.textContent)")
    return "\n".join(texts)


@pytest.fixture
def sync_playwright():
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    module = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: make test installs it"
    )
    return module.sync_playwright


def test_chapter1_runs_in_jupyterlab(sync_playwright, mnist_path: Path, tmp_path: Path) -> None:
    # A copy, so that running (and JupyterLab's autosave) never touches the committed notebook.
    root = tmp_path / "notebooks"
    root.mkdir()
    committed = (NOTEBOOKS / CHAPTER).read_bytes()
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(committed)["cells"])
    shutil.copy(NOTEBOOKS / CHAPTER, root / CHAPTER)
    env = isolated_jupyter_env(
        tmp_path / "home", KERAS_TUTORIAL_QUICK="1", MNIST_PATH=str(mnist_path)
    )
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "ch01_jupyterlab.png"

    with running_lab(root, env, tmp_path / "lab.log") as (port, token), sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(UI_TIMEOUT_MS)
        try:
            page.goto(f"http://127.0.0.1:{port}/lab?token={token}")
            # make lab opens JupyterLab in Simplified Chinese (the official language pack)...
            menu_bar = page.locator(".lm-MenuBar-item")
            menu_bar.filter(has_text=re.compile("^文件$")).wait_for()
            assert {"编辑", "运行", "设置"} <= set(menu_bar.all_inner_texts())
            page.screenshot(path=str(ARTIFACTS / "jupyterlab_zh.png"))
            # ...and its menu switches it back to English: 设置 → 语言 → English.
            menu_bar.filter(has_text=re.compile("^设置$")).click()
            page.locator(".lm-Menu-item", has_text=re.compile("^语言$")).hover()
            page.locator(".lm-Menu-item", has_text="English").first.click()
            page.locator(".jp-Dialog-button", has_text="更改并重新加载").click()
            menu_bar.filter(has_text=re.compile("^File$")).wait_for()
            assert "Edit" in menu_bar.all_inner_texts()
            # Open the chapter from the file browser, as a learner does.
            page.locator(".jp-DirListing-item", has_text=CHAPTER).dblclick()
            # JupyterLab attaches the cells a few at a time, and starts the kernel meanwhile.
            page.wait_for_function(_READY_JS, arg=code_cells)

            # Reading without running: the committed outputs are there.
            assert "test_acc:" in _outputs_text(page)
            assert page.locator(".jp-OutputArea-output img").count() >= 1

            # Start from nothing, so that what is checked below comes from this run.
            _menu(page, "Edit", "Clear Outputs of All Cells")
            page.wait_for_function("() => !document.querySelector('.jp-OutputArea-output')")

            _menu(page, "Run", "Run All Cells")
            page.wait_for_function(
                f"() => ({_PROMPTS_JS})().some(p => p.includes('*') || /\\d/.test(p))"
            )
            page.wait_for_function(
                f"() => !({_PROMPTS_JS})().some(p => p.includes('*'))",
                timeout=RUN_ALL_TIMEOUT_MS,
            )
            prompts = page.evaluate(_PROMPTS_JS)
            text = _outputs_text(page)
            assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), (prompts, text[-3000:])

            assert "quick=True" in text, text[:2000]
            match = re.search(r"test_acc: (\d\.\d{4})", text)
            assert match, text[-3000:]
            assert 0.5 < float(match.group(1)) <= 1.0, match.group(0)
            figures = page.locator(".jp-OutputArea-output img")
            assert figures.count() >= 1
            assert figures.first.evaluate("img => img.complete && img.naturalWidth > 100")

            page.locator(".jp-OutputArea-output", has_text="test_acc:").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot))
        except BaseException:
            page.screenshot(path=str(ARTIFACTS / "ch01_jupyterlab_failure.png"))
            raise
        finally:
            browser.close()

    assert screenshot.stat().st_size > 10_000
    assert (NOTEBOOKS / CHAPTER).read_bytes() == committed, "the committed notebook was changed"
