"""The built book as a reader sees it, in headless Chromium, offline.

Run by ``make pages`` after the book is built (``BOOK_HTML`` names the HTML folder). For
every page: no failed request or script error, every image loaded, every equation
rendered by MathJax, no raw glue role or LaTeX left in the text, no traceback or stderr
output, and the Colab launch button pointing at the paired ``.ipynb``. A screenshot of
each page is kept in ``<BOOK_HTML>/../screenshots`` for a human look.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import itertools
import os
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def html_root() -> Path:
    configured = os.environ.get("BOOK_HTML")
    if not configured:
        pytest.fail(
            "BOOK_HTML is not set: run `make pages` (it builds nothing, run `make book-fast` first)"
        )
    root = Path(configured)
    if not (root / "index.html").exists():
        pytest.fail(f"BOOK_HTML={root} has no index.html: build the book first")
    return root


def pages(root: Path) -> list[Path]:
    return [
        root / "index.html",
        *sorted((root / "book").glob("*.html")),
        *sorted((root / "notebooks").glob("*.html")),
    ]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(html_root):
    handler = functools.partial(QuietHandler, directory=str(html_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:  # a skipped page check is not a passed one: `make pages` installs it
        pytest.fail("Chromium is not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def relative_pages() -> list[str]:
    root = Path(os.environ.get("BOOK_HTML", "_build/fast/_build/html"))
    found = [str(p.relative_to(root)) for p in pages(root)] if root.exists() else []
    return found or ["index.html"]


@pytest.mark.parametrize("page", relative_pages())
def test_page_reads_well_offline(page, html_root, server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    failures, errors = [], []
    # Offline: any request that leaves localhost is blocked and counts as a failure.
    tab.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(server)
            else (failures.append(route.request.url), route.abort())
        ),
    )
    tab.on("requestfailed", lambda request: failures.append(request.url))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{server}/{page}", wait_until="networkidle")

    equations = tab.locator(".math").count()
    if equations:
        tab.wait_for_function(
            "() => document.querySelectorAll('mjx-container').length > 0", timeout=20000
        )
        tab.wait_for_timeout(500)
    rendered = tab.locator("mjx-container").count()
    broken_images = tab.evaluate(
        "() => [...document.images]"
        ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    text = tab.locator("article").inner_text()
    shots = html_root.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    tab.screenshot(path=str(shots / (page.replace("/", "_") + ".png")), full_page=False)
    colab = tab.locator("a[href*='colab.research.google.com']").evaluate_all(
        "els => els.map(e => e.href)"
    )
    context.close()

    assert not failures, f"{page}: requests failed or left the machine: {failures[:5]}"
    assert not errors, f"{page}: script errors: {errors[:3]}"
    assert not broken_images, f"{page}: images did not load: {broken_images}"
    assert rendered >= equations, (
        f"{page}: {equations} equations, only {rendered} rendered by MathJax"
    )
    for raw in ["{glue:", "{eq}`", "{cite", "\\mathbf", "$$"]:
        assert raw not in text, f"{page}: raw markup {raw!r} is visible"
    for noise in [
        "Traceback (most recent call last)",
        "absl::InitializeLog",
        "oneDNN custom operations",
        "WARNING:tensorflow",
        "Record(chapter=",
    ]:
        assert noise not in text, f"{page}: {noise!r} appears in the page"
    lines = [line.strip() for line in text.splitlines()]
    raw_tables = [
        line
        for line, below in itertools.pairwise(lines)
        if line.startswith("|") and below.startswith("|") and set(below) <= set("|-—–: ")
    ]
    assert not raw_tables, f"{page}: a Markdown table shown as text: {raw_tables[:2]}"
    if page.startswith("notebooks/"):
        assert colab and all(url.endswith(".ipynb") for url in colab), f"{page}: Colab link {colab}"


def test_results_page_lists_every_chapter(html_root, server, browser):
    """Every chapter page appears in the results table, with a result or as missing."""
    chapters = sorted((html_root / "notebooks").glob("*.html"))
    tab = browser.new_page()
    tab.goto(f"{server}/book/results.html", wait_until="networkidle")
    linked = tab.locator("table.results-at-a-glance td a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    rows = tab.locator("table.results-at-a-glance tbody tr").count()
    tab.close()
    assert rows >= len(chapters)
    assert sorted({Path(href).name for href in linked}) == [page.name for page in chapters]


def test_search_finds_a_term_from_a_chapter(html_root, server, browser):
    """The search page works offline and finds a chapter by a word that it teaches."""
    tab = browser.new_page()
    tab.goto(f"{server}/search.html?q=ConvLSTM", wait_until="networkidle")
    tab.wait_for_function(
        "() => document.querySelectorAll('#search-results li a').length > 0", timeout=20000
    )
    found = tab.locator("#search-results li a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    tab.close()
    assert any("notebooks/07_convlstm" in href for href in found), found[:10]


class _Links(html.parser.HTMLParser):
    """The ids, the hrefs, the glossary-term links and the sidebar's entries of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.term_hrefs: list[str] = []
        self.toc: list[str] = []
        self._href: str | None = None
        self._li_classes: list[str] = []
        self._in_toc = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for key in ("id", "name"):
            if attributes.get(key):
                self.ids.add(attributes[key])
        classes = (attributes.get("class") or "").split()
        if tag == "a" and attributes.get("href"):
            self._href = attributes["href"]
            self.hrefs.append(self._href)
            self._in_toc = any(c.startswith("toctree-l") for c in self._li_classes)
            self._text = []
        if tag == "li":
            self._li_classes = classes
        if tag == "span" and "std-term" in classes and self._href:
            self.term_hrefs.append(self._href)

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            if self._in_toc:
                self.toc.append(" ".join("".join(self._text).split()))
            self._href = None


@functools.cache
def _parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(html_root):
    """Links between pages, to sections, equations and glossary terms all land somewhere."""
    broken = []
    for page in pages(html_root):
        for href in _parsed(page).hrefs:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (
                (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            )
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(html_root)}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if urllib.parse.unquote(parts.fragment) not in _parsed(target).ids:
                    broken.append(f"{page.relative_to(html_root)}: {href} (no such anchor)")
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"


def test_every_chapter_links_its_terms_into_the_glossary(html_root):
    glossary = _parsed(html_root / "book" / "glossary.html")
    for page in sorted((html_root / "notebooks").glob("*.html")):
        terms = _parsed(page).term_hrefs
        assert terms, f"{page.name} links no term to the glossary"
        for href in terms:
            path, _, fragment = href.partition("#")
            assert path.endswith("book/glossary.html") and fragment in glossary.ids, href


def test_chapter_five_is_one_chapter_of_two_numbered_sections(html_root):
    toc = list(dict.fromkeys(_parsed(html_root / "book" / "intro.html").toc))  # the sidebar's
    five = [entry for entry in toc if entry.startswith("5.")]
    assert five[0].startswith("5. ") and [e.split(" ")[0] for e in five] == ["5.", "5.1.", "5.2."]
    assert not any(entry.startswith("5.10") for entry in toc), toc
