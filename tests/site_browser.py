"""Checks of the built website in headless Chromium, as plain functions that return lists of problems.

`tests/test_site_browser.py` runs every check on the real site and on copies broken on purpose, so the same function
that passes the site is seen to fail a broken one. A problem is one line of text naming the page and what is wrong.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag

import nbformat
import yaml
from jupyter_cache import get_cache
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from playwright.sync_api import BrowserContext, Page, sync_playwright

#: Debian's Chromium: Playwright's own browser download needs internet, so the suite drives the system browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host but localhost fails to resolve at once: the page cannot wait on the network, and the request is seen.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: nbgrader's markers: none may reach the website.
LEAK_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "BEGIN HIDDEN")
HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS[^\n]*\n(.*?)### END HIDDEN TESTS", re.DOTALL)
SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.DOTALL)
#: Copied verbatim from MathJax's npm package (into every language's site), not built from course files, and media:
#: searched for the markers only.
VENDORED = re.compile(r"(^|/)_static/mathjax/")
MEDIA = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".eot"}
#: URL schemes that never leave the machine.
LOCAL_SCHEMES = ("data:", "blob:", "about:")
TIMEOUT_MS = 20_000
#: axe-core, the accessibility engine, from the npm registry (package.json); injected into every page visited.
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
#: Runs axe on the page as it is now; returns its violations in short form.
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  count: v.nodes.length,
}))"""
#: The theme makes scrollable code blocks keyboard-focusable 300 ms after a resize; the audit waits that long.
RESIZE_SETTLE_MS = 400
#: The impacts an audit may not find.
BLOCKING_IMPACTS = ("serious", "critical")

# Runs in the page once it has loaded: waits for MathJax, images and fonts, then reports what the reader sees.
PROBE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all([...document.images].map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
  })));
  document.body.getBoundingClientRect();  // lay the typeset page out, so that it asks for the fonts it needs
  await new Promise((done) => requestAnimationFrame(done));
  await document.fonts.ready;
  const article = document.querySelector("article") || document.body;
  const skipped = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "NOSCRIPT", "MJX-CONTAINER"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skipped.has(el.tagName)) { return NodeFilter.FILTER_REJECT; }
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const prose = [];
  while (walker.nextNode()) { prose.push(walker.currentNode.textContent); }
  const shown = (el) => el.getClientRects().length > 0;
  return {
    prose: prose.join(""),
    math: [...article.querySelectorAll(".math")].map((el) => ({
      typeset: el.querySelector("mjx-container") !== null, text: el.textContent.slice(0, 60),
    })),
    typeset: document.querySelectorAll("mjx-container").length,
    images: [...document.images].map((img) => ({
      src: img.currentSrc || img.src, alt: (img.getAttribute("alt") || "").trim(), width: img.naturalWidth,
    })),
    cells: [...article.querySelectorAll("div.cell")].map((cell) => {
      const output = cell.querySelector(".cell_output");
      return {
        output: output !== null
          && (output.textContent.trim() !== "" || output.querySelector("img, svg, table") !== null),
        shown: output !== null && (shown(output) || output.closest("details") !== null),
        traceback: cell.querySelector(".cell_output .traceback") !== null,
      };
    }),
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
    previous: document.querySelector("a.left-prev")?.href ?? null,
    next: document.querySelector("a.right-next")?.href ?? null,
  };
}"""

# How wide the page is at the current viewport, and which elements (not inside a scrolling box) stick out.
WIDTH = """() => {
  const overflows = (el) => el !== null && el.getBoundingClientRect().right > window.innerWidth + 1;
  const contained = (el) => {  // inside a scrolling box or a fixed drawer: does not widen the page
    for (let box = el; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      const scrolls = box !== el && ["auto", "scroll", "hidden", "clip"].includes(style.overflowX);
      if (style.position === "fixed" || scrolls) {
        return true;
      }
    }
    return false;
  };
  const scrollWidth = document.documentElement.scrollWidth;
  const wide = scrollWidth <= window.innerWidth ? [] : [...document.body.querySelectorAll("*")]
    .filter((el) => overflows(el) && !overflows(el.parentElement) && el.getClientRects().length > 0 && !contained(el))
    .slice(0, 3)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
  // Code and printed outputs that scroll sideways inside their own box: the longest line of each.
  const scrollingCode = [...document.querySelectorAll("article pre")]
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  return { scrollWidth, viewportWidth: window.innerWidth, wide, scrollingCode };
}"""

# What the page's frame (header and primary sidebar, outside the article) shows at the current viewport: every visible
# text outside the search controls, and every visible control that searches the site (a field, or a button opening one).
CHROME = """(controls) => {
  const seen = (el) => el.getClientRects().length > 0 && el.checkVisibility({ visibilityProperty: true });
  const texts = [];
  for (const frame of document.querySelectorAll("#pst-header, #pst-primary-sidebar")) {
    const walker = document.createTreeWalker(frame, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
      const parent = walker.currentNode.parentElement;
      if (text && seen(parent) && !parent.closest(controls)) { texts.push(text); }
    }
  }
  const searches = [...document.querySelectorAll(controls)].filter(seen)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
  return { texts, searches };
}"""
#: What a reader can use to search: Sphinx's and pydata-sphinx-theme's search fields and buttons.
SEARCH_CONTROLS = 'input[type="search"], input[name="q"], .search-button__button, #searchbox form'


@dataclass
class PageVisit:
    """What Chromium saw while loading one page: every request, every error, the probe's report, and the page's
    width at the desktop and the phone viewport."""

    url: str
    requests: list[str]
    errors: list[str]
    report: dict
    widths: dict[str, dict]
    chrome: dict[str, dict]
    audit: dict[str, list[dict]]


def toc_pages(toc_file: Path) -> list[str]:
    """The book's docnames in reading order: the root, then every ``file`` entry of ``_toc.yml``, depth first."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return [re.sub(r"\.(md|ipynb)$", "", page) for page in pages]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that closes a connection before a response is sent is no error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free localhost port; yields the origin, e.g. ``http://127.0.0.1:41234``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    with _QuietServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


@contextlib.contextmanager
def chromium(user_data_dir: Path) -> Iterator[BrowserContext]:
    """Headless system Chromium with a fresh profile in ``user_data_dir``."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=DESKTOP
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def cjk_share(text: str) -> float:
    """The share of Chinese characters among the letters of ``text`` (0 for text with no letters)."""
    chinese = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return chinese / (chinese + latin) if chinese + latin else 0.0


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "http://localhost:", *LOCAL_SCHEMES))


def visit(tab: Page, url: str, *, screenshots: Path | None = None) -> PageVisit:
    """Load ``url`` in ``tab`` at desktop size, wait for its math, images and fonts, and probe it; then measure and
    audit it (axe-core) at desktop and phone size. When asked, saves ``<screenshots>-desktop.png`` (the first
    screen: header, sidebars, opening) and ``<screenshots>-phone.png`` (the whole page, where narrow layouts
    break)."""
    requests: list[str] = []
    errors: list[str] = []
    listeners = {
        "request": lambda request: requests.append(request.url),
        "console": lambda message: message.type == "error" and errors.append(f"console: {message.text}"),
        "pageerror": lambda error: errors.append(f"uncaught: {error}"),
        "requestfailed": lambda request: errors.append(f"failed: {request.url} ({request.failure})"),
        "response": lambda response: response.status >= 400 and errors.append(f"{response.status}: {response.url}"),
    }
    for event, listener in listeners.items():
        tab.on(event, listener)
    try:
        tab.set_viewport_size(DESKTOP)
        tab.goto(url, wait_until="load")
        report = tab.evaluate(PROBE)
        tab.add_script_tag(path=AXE)
        widths, chrome, audit = {}, {}, {}
        for name, viewport in {"desktop": DESKTOP, "phone": PHONE}.items():
            tab.set_viewport_size(viewport)
            tab.wait_for_timeout(RESIZE_SETTLE_MS)
            widths[name] = tab.evaluate(WIDTH)
            chrome[name] = tab.evaluate(CHROME, SEARCH_CONTROLS)
            audit[name] = tab.evaluate(AXE_RUN)
            if screenshots is not None:
                screenshots.parent.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=f"{screenshots}-{name}.png", full_page=name == "phone")
    finally:
        for event, listener in listeners.items():
            tab.remove_listener(event, listener)
    return PageVisit(url, requests, errors, report, widths, chrome, audit)


def load_problems(seen: PageVisit) -> list[str]:
    """Console errors, uncaught exceptions, failed requests, and any request that would leave localhost."""
    outside = [f"request leaves localhost: {url}" for url in seen.requests if not _is_local(url)]
    return [f"{seen.url}: {problem}" for problem in [*seen.errors, *outside]]


def math_problems(seen: PageVisit) -> list[str]:
    """Math not typeset by MathJax: ``.math`` elements without output, or TeX delimiters left in the prose."""
    untypeset = [f"untypeset math {item['text']!r}" for item in seen.report["math"] if not item["typeset"]]
    raw = [f"raw TeX {match.group()!r} in the text" for match in re.finditer(r"\\\(|\\\[|\$\$", seen.report["prose"])]
    missing = ["math present but no mjx-container"] if seen.report["math"] and not seen.report["typeset"] else []
    return [f"{seen.url}: {problem}" for problem in [*untypeset, *raw[:3], *missing]]


def image_problems(seen: PageVisit) -> list[str]:
    """Images that did not load (``naturalWidth == 0``) or have no alt text."""
    problems = []
    for image in seen.report["images"]:
        if image["width"] == 0:
            problems.append(f"{seen.url}: image did not load: {image['src']}")
        if not image["alt"]:
            problems.append(f"{seen.url}: image has no alt text: {image['src']}")
    return problems


def accessibility_problems(seen: PageVisit) -> list[str]:
    """Serious and critical violations that axe-core found, at desktop or phone size."""
    return [
        f"{seen.url} ({size}): {violation['impact']} {violation['id']}: {violation['help']} "
        f"({violation['count']} elements, e.g. {', '.join(violation['targets'])})"
        for size, violations in seen.audit.items()
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def executed_cells(source: Path, cache: Path) -> list[dict] | None:
    """The code cells a page renders (``remove-cell`` ones dropped), with the outputs the build's execution cache
    holds for the page's current source; None for a page that is not a notebook.

    A page missing from the cache (its run failed: jupyter-cache keeps successful runs only, or it changed since the
    build) has cells with no execution count. The cache is the ground truth because myst-nb's ``jupyter_execute/``
    copy of a page served from the cache carries no outputs.
    """
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
    elif is_myst_markdown_notebook(text):
        notebook = read_myst_markdown_notebook(text)
    else:
        return None
    if cache.is_dir():
        with contextlib.suppress(KeyError):
            notebook = get_cache(cache).merge_match_into_notebook(notebook)[1]
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and "remove-cell" not in cell.get("metadata", {}).get("tags", [])
    ]


def output_problems(seen: PageVisit, cells: list[dict] | None) -> list[str]:
    """Code cells that show a traceback, never ran, or ran with output that the page does not show
    (no ``.cell_output``, or one that is not rendered outside a collapsed ``details``)."""
    shown = seen.report["cells"]
    problems = [f"{seen.url}: code cell {n} shows a traceback" for n, cell in enumerate(shown, 1) if cell["traceback"]]
    if cells is None:
        return [*problems, f"{seen.url}: shows code cells but has no executed notebook"] if shown else problems
    if len(cells) != len(shown):
        return [*problems, f"{seen.url}: {len(shown)} code cells on the page, {len(cells)} in the executed notebook"]
    never_ran = []
    for number, (cell, on_page) in enumerate(zip(cells, shown, strict=True), start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("execution_count") is None and "skip-execution" not in tags:
            never_ran.append(number)
        elif cell.get("outputs") and "remove-output" not in tags and not (on_page["output"] and on_page["shown"]):
            problems.append(f"{seen.url}: code cell {number} ran with output but the page does not show it")
    if never_ran:
        problems.append(f"{seen.url}: code cells {never_ran} never ran (or the page changed since the build)")
    return problems


def internal_links(visits: list[PageVisit], origin: str) -> dict[str, list[str]]:
    """Every link to ``origin`` (fragment removed) with the pages that carry it."""
    links: dict[str, list[str]] = {}
    for seen in visits:
        for href in seen.report["links"]:
            target = urldefrag(href).url
            if target.startswith(origin + "/") and seen.url not in links.setdefault(target, []):
                links[target].append(seen.url)
    return links


def status_of(url: str) -> int:
    """The HTTP status a GET of ``url`` answers."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_MS / 1000) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def link_problems(links: dict[str, list[str]]) -> list[str]:
    """Internal links that do not answer 200."""
    problems = []
    for target, pages in sorted(links.items()):
        if (status := status_of(target)) != 200:
            problems.append(f"{target} answers {status} (linked from {', '.join(pages)})")
    return problems


def navigation_problems(visits: dict[str, PageVisit], pages: list[str], origin: str) -> list[str]:
    """Previous/next links that do not follow the table of contents."""
    problems = []
    urls = [f"{origin}/{page}.html" for page in pages]
    for index, page in enumerate(pages):
        report = visits[page].report
        expected_previous = urls[index - 1] if index > 0 else None
        expected_next = urls[index + 1] if index + 1 < len(urls) else None
        if report["previous"] != expected_previous:
            problems.append(f"{page}: previous link is {report['previous']}, expected {expected_previous}")
        if report["next"] != expected_next:
            problems.append(f"{page}: next link is {report['next']}, expected {expected_next}")
    return problems


def width_problems(seen: PageVisit) -> list[str]:
    """A page wider than its viewport at desktop or phone size (the reader must scroll sideways), naming the
    elements that stick out."""
    return [
        f"{seen.url}: {width['scrollWidth']} px wide in a {width['viewportWidth']} px {name} viewport "
        f"(sticking out: {', '.join(width['wide']) or 'unknown'})"
        for name, width in seen.widths.items()
        if width["scrollWidth"] > width["viewportWidth"]
    ]


def code_scroll_problems(seen: PageVisit) -> list[str]:
    """Code or printed output that the reader must scroll sideways to read at desktop size."""
    return [
        f"{seen.url}: scrolls sideways at desktop size: {line!r}" for line in seen.widths["desktop"]["scrollingCode"]
    ]


def chrome_problems(seen: PageVisit, title: str) -> list[str]:
    """A page frame that repeats itself: the book's ``title`` not shown exactly once in the header and sidebar at
    desktop size, any other text shown twice there, or not exactly one visible way to search, at either size."""
    problems = []
    for name, chrome in seen.chrome.items():
        texts, searches = chrome["texts"], chrome["searches"]
        if name == "desktop" and texts.count(title) != 1:
            problems.append(f"{name}: the title {title!r} shows {texts.count(title)} times in the header and sidebar")
        for text in sorted({text for text in texts if text != title and texts.count(text) > 1}):
            problems.append(f"{name}: {text!r} shows {texts.count(text)} times in the header and sidebar")
        if len(searches) != 1:
            problems.append(f"{name}: {len(searches)} visible search controls, not 1 ({', '.join(searches)})")
    return [f"{seen.url}: {problem}" for problem in problems]


def _search_results(page: Page) -> list[str]:
    page.wait_for_function("() => document.querySelector('#search-results .search-summary')?.textContent.trim()")
    return page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")


def search(page: Page, origin: str, query: str) -> list[str]:
    """Run Sphinx's search page for ``query``; returns the result links."""
    page.goto(f"{origin}/search.html?q={query}", wait_until="load")
    return _search_results(page)


def search_by_hand(page: Page, url: str, query: str) -> list[str]:
    """Search for ``query`` as a reader of ``url`` would at the tab's current size: use the one visible search
    control (type into the field it is, or opens), press Enter; returns the result links."""
    page.goto(url, wait_until="load")
    control = page.locator(SEARCH_CONTROLS).locator("visible=true")
    control.click()
    field = page.locator('input[type="search"], input[name="q"]').locator("visible=true")
    field.fill(query)
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    return _search_results(page)


def download_problems(links: dict[str, list[str]], released: Path) -> list[str]:
    """Notebook downloads (``_downloads/**.ipynb``) that are not valid notebooks or differ from the released copy."""
    problems = []
    copies = {path.name: path for path in released.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts}
    for target in sorted(url for url in links if "/_downloads/" in url and url.endswith(".ipynb")):
        with urllib.request.urlopen(target, timeout=TIMEOUT_MS / 1000) as response:
            body = response.read()
        try:
            cells = json.loads(body)["cells"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"{target}: not a notebook (no JSON with cells)")
            continue
        name = target.rsplit("/", 1)[-1]
        if not cells:
            problems.append(f"{target}: notebook has no cells")
        if name not in copies:
            problems.append(f"{target}: no released notebook {name} under {released.name}/")
        elif copies[name].read_bytes() != body:
            released_copy = copies[name].relative_to(released.parent)
            problems.append(f"{target}: differs from the released {released_copy} (is the site older than it?)")
    return problems


def hidden_test_texts(solutions: Path) -> list[tuple[str, str]]:
    """``(notebook, text)`` for every hidden-test region of every source notebook, whitespace collapsed; a region
    whose text the released notebook shows anyway (say, a visible test makes the same call) is not secret."""
    texts = []
    for notebook in sorted(solutions.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in notebook.parts:
            continue
        sources = [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        ]
        released = " ".join(" ".join(SOLUTION.sub("", HIDDEN_TESTS.sub("", source)).split()) for source in sources)
        for source in sources:
            for region in HIDDEN_TESTS.findall(source):
                if (text := " ".join(region.split())) and text not in released:
                    texts.append((notebook.name, text))
    return texts


def _readable_text(path: Path) -> str:
    """A file's text as a reader or a search would see it: HTML unhighlighted, notebooks' JSON decoded."""
    raw = path.read_text(encoding="utf-8", errors="ignore")
    if path.suffix in {".html", ".htm"}:
        return raw + "\n" + html.unescape(re.sub(r"<[^>]+>", "", raw))
    if path.suffix in {".ipynb", ".json"}:
        try:
            return raw + "\n" + "\n".join(_strings(json.loads(raw)))
        except ValueError:
            return raw
    return raw


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield "".join(item for item in value if isinstance(item, str))
        for item in value:
            if not isinstance(item, str):
                yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def leak_problems(site: Path, solutions: Path) -> list[str]:
    """Files of the built site that carry nbgrader's solution/hidden markers, or the text of any hidden test of the
    notebooks under ``solutions`` (whitespace-insensitive; media and the verbatim MathJax copy get the markers only)."""
    hidden = hidden_test_texts(solutions)
    problems = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        built_from_course = path.suffix.lower() not in MEDIA and not VENDORED.search(name)
        text = _readable_text(path) if built_from_course else path.read_text(encoding="utf-8", errors="ignore")
        problems += [f"{name}: contains {marker!r}" for marker in LEAK_MARKERS if marker in text]
        if hidden and built_from_course:
            flat = " ".join(text.split())
            problems += [f"{name}: contains a hidden test of {notebook}" for notebook, test in hidden if test in flat]
    return problems
