"""`make site`: the static website built from the committed notebooks, read as a learner reads it.

The site is built once for this module (tools/site.py into a temporary folder) and served by a
local HTTP server; one Chromium session (Debian's /usr/bin/chromium, as tests/test_browser.py)
walks it. Screenshots of the home page and of a search go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, NOTEBOOKS, ROOT

from keras_tutorial import project
from keras_tutorial.errors import TutorialError
from tools import site

ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 60_000
# Words the search must find, and a page each must list (chapter 2 is about tensors, chapter 3
# teaches broadcasting, chapter 4 backpropagation).
SEARCHES = {
    "张量": "ch02_tensors",
    "广播": "ch03_tensor_operations",
    "反向传播": "ch04_gradient_descent",
}
# A phrase that is no word of the index: the search page cuts it into words that are (广播, 规则).
PHRASE = ("广播规则", "ch03_tensor_operations")


def pages_in_reading_order() -> list[str]:
    proj = project.Project(ROOT)
    notebooks = [proj.notebook_of(s) for s in proj.all_scripts()]
    return ["index"] + [n.stem for n in notebooks if n.is_file()] + ["glossary", "gpu"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "tools.site", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; remembers every request's path and status."""

    log: list[tuple[str, int]]

    def log_request(self, code="-", size="-") -> None:
        self.log.append((urllib.parse.unquote(self.path), int(code)))

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(built: Path):
    """A local HTTP server for the site: (base URL, the list of (path, status) it answered)."""
    log: list[tuple[str, int]] = []
    handler = type("Handler", (_Handler,), {"log": log})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(built))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", log
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "a" and attrs[name].startswith("mailto:")):
                self.links.append(attrs[name])


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


# --- the build ----------------------------------------------------------------------------------


def test_every_notebook_is_a_page_in_reading_order_with_previous_and_next(built: Path) -> None:
    order = pages_in_reading_order()
    assert "ch02_tensors" in order and "ch02_answers" in order
    home = (built / "index.html").read_text(encoding="utf-8")
    # The home page's own list of chapters (its article, before the previous/next footer).
    main = home.split('id="main-content"', 1)[1].split('class="prev-next-area"', 1)[0]
    listed = [
        href.removesuffix(".html")
        for href in parse(main).links
        if re.fullmatch(r"[\w-]+\.html", href) and href != "index.html"
    ]
    assert listed == order[1:], listed
    for before, page, after in zip(order, order[1:], [*order[2:], None], strict=False):
        html = (built / f"{page}.html").read_text(encoding="utf-8")
        prev = re.search(r'class="left-prev"\s+href="([^"]+)"', html)
        assert prev and prev.group(1) == f"{before}.html", (page, prev and prev.group(1))
        nxt = re.search(r'class="right-next"\s+href="([^"]+)"', html)
        assert (nxt.group(1) if nxt else None) == (after and f"{after}.html"), page


def test_pages_show_the_committed_code_outputs_and_figures(built: Path) -> None:
    notebook = json.loads((NOTEBOOKS / "ch02_tensors.ipynb").read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    figures = sum("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    html = (built / "ch02_tensors.html").read_text(encoding="utf-8")
    assert html.count('class="cell_input') == len(code)
    images = re.findall(r'<img[^>]+src="(_images/[^"]+\.png)"', html)
    assert len(images) == figures >= 1
    assert all((built / src).stat().st_size > 1000 for src in images)
    # A printed output, exactly as committed (no re-execution: the same text).
    printed = next(
        "".join(o["text"]) for c in code for o in c["outputs"] if o.get("name") == "stdout"
    )
    first_line = printed.strip().splitlines()[0]
    assert first_line in re.sub(r"<[^>]+>", "", html).replace("&#39;", "'").replace("&quot;", '"')


def test_search_index_has_chinese_words_cut_by_jieba(built: Path) -> None:
    text = (built / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    names = index["docnames"]

    def pages(word: str) -> set[str]:
        found = set()
        for table in ("terms", "titleterms"):
            hit = index[table].get(word, [])
            found |= {names[i] for i in ([hit] if isinstance(hit, int) else hit)}
        return found

    for word, page in SEARCHES.items():
        assert page in pages(word), (word, pages(word))
    # Words, not sentences nor single characters: a term inside a longer phrase is found.
    assert not pages("张") and not pages("数据的表示：张量")
    assert {"反向", "传播"} <= set(index["terms"])
    assert not pages(PHRASE[0]) and pages("广播") and pages("规则")


def test_glossary_terms_are_one_word_for_the_search() -> None:
    terms = site.glossary_terms((ROOT / "docs" / "术语表.md").read_text(encoding="utf-8"))
    assert {"张量", "广播", "反向传播"} <= set(terms)
    assert "中文" not in terms and not [t for t in terms if "|" in t or t.startswith("-")]


def test_gpu_page_is_the_readmes_section_without_line_breaks_in_chinese(built: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = site.readme_section(readme, site.GPU_HEADING)
    assert page.startswith("# 在 NVIDIA GPU 上运行")
    assert "bash setup_gpu_ubuntu.sh --dry-run" in page
    assert not re.search(f"[{site._CJK}]\n[{site._CJK}]", page)
    html = (built / "gpu.html").read_text(encoding="utf-8")
    assert "setup_gpu_ubuntu.sh" in html and "<h1>在 NVIDIA GPU 上运行" in html


def test_notebooks_in_reading_order_and_a_chapter_being_written_left_out(tmp_path: Path) -> None:
    proj = project.Project(tmp_path)
    proj.scripts.mkdir()
    proj.notebooks.mkdir()
    for name in ["ch02_b", "ch01_answers", "ch01_a", "ch02_answers", "ch03_new"]:
        (proj.scripts / f"{name}.py").write_text("")
    with pytest.raises(TutorialError) as caught:
        site.notebooks(proj)
    assert "make notebooks" in caught.value.zh and "make notebooks" in caught.value.en
    for name in ["ch02_b", "ch01_answers", "ch01_a", "ch02_answers"]:
        (proj.notebooks / f"{name}.ipynb").write_text("{}")
    found = [p.stem for p in site.notebooks(proj)]
    assert found == ["ch01_a", "ch01_answers", "ch02_b", "ch02_answers"]


def test_a_missing_readme_section_is_a_clear_error() -> None:
    with pytest.raises(TutorialError) as caught:
        site.readme_section("# 标题\n\n正文\n", site.GPU_HEADING)
    assert "README.md" in caught.value.zh and "README.md" in caught.value.en


def test_nothing_is_linked_from_another_host(built: Path) -> None:
    # What the pages load (scripts, styles, images, fonts): relative to the site, every one.
    loaded = re.compile(r"""<(?:script|link|img|source|iframe)\b[^>]*?(?:src|href)=["']([^"']+)""")
    for page in built.glob("*.html"):
        for url in loaded.findall(page.read_text(encoding="utf-8")):
            assert not re.match(r"^(?:[a-z]+:)?//", url), (page.name, url)
    for style in built.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style.read_text(errors="replace")):
            assert not re.match(r"^(?:https?:)?//", url), (style, url)


def test_no_internal_link_is_broken(server) -> None:
    base, _ = server
    seen: dict[str, _Links] = {}
    queue = [base]
    fragments: list[tuple[str, str, str]] = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, body = fetch(url)
        assert status == 200, url
        seen[url] = parse(body) if url.endswith((".html", "/")) else _Links()
        for link in seen[url].links:
            target, _, fragment = urllib.parse.urljoin(url, link).partition("#")
            if not target.startswith(base):
                continue
            target = target.split("?")[0]
            if fragment and target.endswith(".html"):
                fragments.append((url, target, urllib.parse.unquote(fragment)))
            if target not in seen:
                queue.append(target)
    pages = [u for u in seen if u.endswith(".html")]
    assert len(pages) >= len(pages_in_reading_order()) + 2  # plus search and the index
    broken = [(src, t, f) for src, t, f in fragments if f not in seen[t].ids]
    assert not broken, broken[:10]


def test_pages_workflow_publishes_what_make_site_builds() -> None:
    import yaml  # PyYAML comes with myst-nb and Jupyter (test.txt)

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert [s["run"].split()[:2] for s in steps if "run" in s] == [["make", "site"]]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert ROOT / upload["with"]["path"] == site.DEFAULT_OUT
    assert any("deploy-pages" in s.get("uses", "") for s in workflow["jobs"]["deploy"]["steps"])


# --- in a real browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_page(server):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: make test installs it"
    )
    base, _ = server
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))

        def route(route) -> None:
            # Anything for another host is recorded and refused, so that a test cannot pass
            # because a CDN happened to be reachable.
            if route.request.url.startswith(base):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        try:
            yield page, elsewhere
        finally:
            browser.close()


def test_a_learner_reads_searches_and_copies_in_the_browser(server, browser_page) -> None:
    base, log = server
    page, elsewhere = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        _read_search_and_copy(page, base)
    except BaseException:
        page.screenshot(path=str(ARTIFACTS / "site_failure.png"))
        raise
    assert not elsewhere, f"requests to other hosts: {elsewhere[:5]}"
    failed = [(path, status) for path, status in log if status >= 400]
    assert not failed, failed
    assert any(path.startswith("/_static/mathjax/") for path, _ in log)


def _read_search_and_copy(page, base: str) -> None:

    page.goto(base)
    page.wait_for_load_state("networkidle")
    assert "第 2 章" in page.locator("#main-content").inner_text()
    page.screenshot(path=str(ARTIFACTS / "site_home.png"))

    # To chapter 2 from the home page's list of chapters, as a learner clicks.
    page.locator("#main-content .toctree-wrapper a", has_text="第 2 章").first.click()
    page.wait_for_url(re.compile(r"ch02_tensors\.html$"))
    figure = page.locator(".cell_output img").first
    figure.scroll_into_view_if_needed()
    assert figure.is_visible()
    figure.wait_for(state="visible")
    decoded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(decoded, arg=figure.element_handle())

    # The copy button copies a code cell's code.
    cell = page.locator(".cell_input").first
    cell.hover()
    cell.locator("button.copybtn").click()
    code = cell.locator("pre").inner_text().strip()
    assert code and page.evaluate("navigator.clipboard.readText()").strip() == code

    # Search 张量 from the page's search box; chapter 2 is listed, and its link opens it.
    page.locator(".search-button__button").first.click()
    box = page.locator("form.bd-search input[name=q]").first
    box.fill("张量")
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html"))
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "site_search.png"))
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(h.startswith("ch02_tensors.html") for h in hrefs), hrefs
    results.filter(has_text="第 2 章").first.click()
    page.wait_for_url(re.compile(r"ch02_tensors\.html"))
    assert "第 2 章" in page.locator("h1").first.inner_text()

    for word, expected in [*SEARCHES.items(), PHRASE]:
        page.goto(base + "search.html?q=" + urllib.parse.quote(word))
        results.first.wait_for()
        hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert any(h.startswith(expected + ".html") for h in hrefs), (word, hrefs)

    # Formulas (chapter 4 has them): MathJax typesets every one; no raw TeX is left.
    page.goto(base + "ch04_gradient_descent.html")
    page.wait_for_function(
        "() => document.querySelectorAll('.math').length > 0 && [...document.querySelectorAll("
        "'.math')].every(m => m.querySelector('mjx-container'))"
    )
    prose = page.evaluate(
        """() => { const a = document.querySelector('article').cloneNode(true);
            a.querySelectorAll('pre, .cell_output, mjx-container').forEach(e => e.remove());
            return a.textContent; }"""
    )
    assert not re.search(r"\$[^$\n]+\$|\\\(|\\\[", prose), re.findall(r".{20}\$.{20}", prose)[:3]
    assert page.locator("mjx-container").first.bounding_box()["width"] > 0
