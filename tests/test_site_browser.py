"""Does the built website work in a real browser, offline, on a desktop and a phone, without leaking solutions?

One headless Chromium serves the whole session; every page of `_toc.yml` is loaded once at desktop size, then
measured at phone size too; screenshots of both land in `test-artifacts/site/`. The negative tests break a copy of
the site and check that the same functions report it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from site_browser import (
    DESKTOP,
    PHONE,
    PageVisit,
    accessibility_problems,
    chrome_problems,
    cjk_share,
    code_scroll_problems,
    download_problems,
    executed_cells,
    image_problems,
    internal_links,
    leak_problems,
    link_problems,
    load_problems,
    math_problems,
    navigation_problems,
    output_problems,
    search,
    search_by_hand,
    serve,
    toc_pages,
    visit,
    width_problems,
)


def _report(problems: list[str]) -> str:
    return "\n".join(["", *problems])


@pytest.fixture(scope="session")
def pages(repo: Path) -> list[str]:
    """The book's docnames in reading order."""
    return toc_pages(repo / "_toc.yml")


@pytest.fixture(scope="session")
def title(repo: Path) -> str:
    """The book's title, as `_config.yml` sets it."""
    return yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))["title"]


@pytest.fixture(scope="session")
def built_pages(pages: list[str], built_site: Path) -> list[str]:
    return [page for page in pages if (built_site / f"{page}.html").is_file()]


@pytest.fixture(scope="session")
def origin(built_site: Path):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots(repo: Path) -> Path:
    return repo / "test-artifacts" / "site"


@pytest.fixture(scope="session")
def visits(tab, origin: str, built_pages: list[str], screenshots: Path) -> dict[str, PageVisit]:
    """Every built page, loaded once (1280x800, then measured and shot at 390x844 too)."""
    return {
        page: visit(tab, f"{origin}/{page}.html", screenshots=screenshots / page.replace("/", "-"))
        for page in built_pages
    }


def test_is_every_toc_page_built(pages: list[str], built_site: Path):
    missing = [page for page in pages if not (built_site / f"{page}.html").is_file()]
    assert not missing, f"pages in _toc.yml with no HTML in {built_site}: {missing}"


@pytest.mark.browser
def test_do_pages_load_without_errors_or_requests_leaving_localhost(visits: dict[str, PageVisit]):
    problems = [problem for seen in visits.values() for problem in load_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_is_the_math_typeset(visits: dict[str, PageVisit]):
    assert any(seen.report["math"] for seen in visits.values()), "no page has math; is dollarmath still enabled?"
    problems = [problem for seen in visits.values() for problem in math_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_images_load_and_carry_alt_text(visits: dict[str, PageVisit]):
    problems = [problem for seen in visits.values() for problem in image_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_does_code_fit_its_box_at_desktop_size(visits: dict[str, PageVisit]):
    """Code and outputs of at most 88 characters per line fit their box at 1280 px, answers included."""
    problems = [problem for seen in visits.values() for problem in code_scroll_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_pages_pass_the_accessibility_audit(visits: dict[str, PageVisit]):
    """axe-core finds no serious or critical violation on any page, at desktop or phone size."""
    problems = [problem for seen in visits.values() for problem in accessibility_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_does_every_executed_cell_show_its_output(visits: dict[str, PageVisit], built_site: Path, repo: Path):
    problems = _unshown_outputs(visits, built_site, repo)
    assert not problems, _report(problems)


def _unshown_outputs(visits: dict[str, PageVisit], built_site: Path, repo: Path) -> list[str]:
    """output_problems of every visited page, against the build's execution cache (one for every language)."""
    cache = built_site.parent / ".jupyter_cache"
    return [
        problem
        for page, seen in visits.items()
        for problem in output_problems(seen, executed_cells(_source(repo, page), cache))
    ]


@pytest.mark.browser
def test_do_internal_links_resolve(visits: dict[str, PageVisit], origin: str):
    links = internal_links(list(visits.values()), origin)
    assert links, "no page links anywhere on the site"
    problems = link_problems(links)
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_previous_and_next_follow_the_toc(visits: dict[str, PageVisit], pages: list[str], origin: str, tab):
    problems = navigation_problems(visits, [page for page in pages if page in visits], origin)
    assert not problems, _report(problems)
    if len(visits) < 2:
        pytest.skip("clicking through needs two built pages")
    first, second = list(visits)[:2]
    tab.goto(f"{origin}/{first}.html")
    tab.click("a.right-next")
    tab.wait_for_url(f"{origin}/{second}.html")
    tab.click("a.left-prev")
    tab.wait_for_url(f"{origin}/{first}.html")


@pytest.mark.browser
def test_does_search_find_the_opening_page(tab, origin: str, pages: list[str]):
    results = search(tab, origin, "convolution")
    assert f"{origin}/{pages[0]}.html" in [re.sub(r"[?#].*", "", url) for url in results], results


@pytest.mark.browser
def test_does_search_for_pooling_find_the_pooling_page(tab, origin: str, pages: list[str]):
    if "book/pooling" not in pages:
        pytest.skip("book/pooling is not in _toc.yml yet")
    results = search(tab, origin, "pooling")
    assert f"{origin}/book/pooling.html" in [re.sub(r"[?#].*", "", url) for url in results], results


@pytest.mark.browser
def test_does_every_page_show_the_title_once_and_one_way_to_search(visits: dict[str, PageVisit], title: str):
    problems = [problem for seen in visits.values() for problem in chrome_problems(seen, title)]
    assert not problems, _report(problems)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_does_the_search_control_find_the_opening_page(tab, origin: str, pages: list[str], viewport: dict):
    tab.set_viewport_size(viewport)
    try:
        results = search_by_hand(tab, f"{origin}/{pages[-1]}.html", "convolution")
    finally:
        tab.set_viewport_size(DESKTOP)
    assert f"{origin}/{pages[0]}.html" in [re.sub(r"[?#].*", "", url) for url in results], results


@pytest.mark.browser
def test_do_pages_fit_a_phone_screen(visits: dict[str, PageVisit]):
    problems = [problem for seen in visits.values() for problem in width_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_exercise_downloads_deliver_the_released_notebooks(visits: dict[str, PageVisit], origin: str, repo: Path):
    links = internal_links(list(visits.values()), origin)
    if not any("/_downloads/" in url and url.endswith(".ipynb") for url in links):
        released = len(list((repo / "exercises").rglob("*.ipynb")))
        pytest.skip(f"no page links an exercise notebook yet ({released} released notebooks under exercises/)")
    problems = download_problems(links, repo / "exercises")
    assert not problems, _report(problems)


def test_is_the_site_free_of_solutions_and_hidden_tests(built_site: Path, repo: Path):
    problems = leak_problems(built_site, repo / "solutions")
    assert not problems, _report(problems)


# The Chinese edition (built by `make book` into zh_CN/): the same checks on its pages, and the links between the two.

ZH = "zh_CN"
#: A text counts as translated when at least this share of its letters are Chinese characters: the rest are names
#: kept in English (Keras classes, CIFAR-10's class names, the glossary's English column, the references). An
#: untranslated page, whose only Chinese is the sidebar's, scores under 0.1.
TRANSLATED_SHARE = 0.3


@pytest.fixture(scope="session")
def zh_title(repo: Path) -> str:
    """The Chinese edition's title, as `_config.yml` sets it (course_titles)."""
    config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    return config["sphinx"]["config"]["course_titles"][ZH]


@pytest.fixture(scope="session")
def zh_visits(tab, origin: str, pages: list[str], built_site: Path, screenshots: Path) -> dict[str, PageVisit]:
    """Every page of the Chinese edition, loaded once as `visits` loads the English ones."""
    built = [page for page in pages if (built_site / ZH / f"{page}.html").is_file()]
    return {
        page: visit(tab, f"{origin}/{ZH}/{page}.html", screenshots=screenshots / ZH / page.replace("/", "-"))
        for page in built
    }


def test_is_every_toc_page_built_in_chinese(pages: list[str], built_site: Path):
    missing = [page for page in pages if not (built_site / ZH / f"{page}.html").is_file()]
    assert not missing, f"pages in _toc.yml with no Chinese HTML in {built_site / ZH}: {missing}"


def test_do_chinese_pages_declare_their_language(pages: list[str], built_site: Path):
    """Screen readers and the accessibility audit read the language from the html element."""
    wrong = [
        page
        for page in pages
        if '<html lang="zh-CN"' not in (built_site / ZH / f"{page}.html").read_text(encoding="utf-8")
    ]
    assert not wrong, f"Chinese pages without lang=zh-CN: {wrong}"


@pytest.mark.browser
def test_do_chinese_pages_load_typeset_their_math_and_show_their_figures(zh_visits: dict[str, PageVisit]):
    problems = [
        problem
        for seen in zh_visits.values()
        for check in (load_problems, math_problems, image_problems, code_scroll_problems, width_problems)
        for problem in check(seen)
    ]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_are_chinese_pages_translated_with_chinese_alt_text(zh_visits: dict[str, PageVisit]):
    problems = [
        f"{seen.url}: only {cjk_share(seen.report['prose']):.0%} of the letters of its text are Chinese"
        for seen in zh_visits.values()
        if cjk_share(seen.report["prose"]) < TRANSLATED_SHARE
    ]
    problems += [
        f"{seen.url}: image alt text is not Chinese: {image['alt']!r}"
        for seen in zh_visits.values()
        for image in seen.report["images"]
        if cjk_share(image["alt"]) < TRANSLATED_SHARE
    ]
    assert any(seen.report["images"] for seen in zh_visits.values()), "no Chinese page shows a figure"
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_chinese_pages_show_every_executed_output(zh_visits: dict[str, PageVisit], built_site: Path, repo: Path):
    """The same executed cells as the English pages, read from the same execution cache."""
    problems = _unshown_outputs(zh_visits, built_site, repo)
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_chinese_pages_pass_the_accessibility_audit(zh_visits: dict[str, PageVisit]):
    problems = [problem for seen in zh_visits.values() for problem in accessibility_problems(seen)]
    assert not problems, _report(problems)


@pytest.mark.browser
def test_do_chinese_pages_show_their_title_once_and_link_resolving_pages(
    zh_visits: dict[str, PageVisit], pages: list[str], zh_title: str, origin: str
):
    problems = [problem for seen in zh_visits.values() for problem in chrome_problems(seen, zh_title)]
    problems += link_problems(internal_links(list(zh_visits.values()), origin))
    problems += navigation_problems(zh_visits, [page for page in pages if page in zh_visits], f"{origin}/{ZH}")
    assert not problems, _report(problems)


@pytest.mark.browser
def test_does_every_page_link_its_twin_in_the_other_language(
    visits: dict[str, PageVisit], zh_visits: dict[str, PageVisit], origin: str
):
    problems = [
        f"{seen.url} does not link {origin}/{ZH}/{page}.html"
        for page, seen in visits.items()
        if f"{origin}/{ZH}/{page}.html" not in seen.report["links"]
    ]
    problems += [
        f"{seen.url} does not link {origin}/{page}.html"
        for page, seen in zh_visits.items()
        if f"{origin}/{page}.html" not in seen.report["links"]
    ]
    assert not problems, _report(problems)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_does_the_language_switch_lead_to_the_same_page_and_back(tab, origin: str, viewport: dict):
    english, chinese = f"{origin}/book/pooling.html", f"{origin}/{ZH}/book/pooling.html"
    tab.set_viewport_size(viewport)
    try:
        tab.goto(english, wait_until="load")
        switch = tab.get_by_role("link", name="中文").bounding_box()
        buttons = tab.locator(".article-header-buttons").bounding_box()
        middle = [box["y"] + box["height"] / 2 for box in (switch, buttons)]
        assert abs(middle[0] - middle[1]) < 4, f"the switch is not in line with the header's buttons: {middle}"
        tab.get_by_role("link", name="中文").click()
        tab.wait_for_url(chinese)
        assert tab.locator("h1").first.inner_text().startswith("池化"), tab.locator("h1").first.inner_text()
        tab.get_by_role("link", name="English").click()
        tab.wait_for_url(english)
    finally:
        tab.set_viewport_size(DESKTOP)


@pytest.mark.browser
@pytest.mark.parametrize(("term", "page"), [("卷积", "book/convolution-1d"), ("感受野", "book/pooling")])
def test_does_a_search_for_a_chinese_term_find_its_page(tab, origin: str, term: str, page: str):
    results = search(tab, f"{origin}/{ZH}", term)
    assert f"{origin}/{ZH}/{page}.html" in [re.sub(r"[?#].*", "", url) for url in results], results


@pytest.mark.browser
def test_does_the_chinese_search_control_find_a_chinese_term(tab, origin: str):
    results = search_by_hand(tab, f"{origin}/{ZH}/book/summary.html", "池化")
    assert f"{origin}/{ZH}/book/pooling.html" in [re.sub(r"[?#].*", "", url) for url in results], results


# Negative proofs: break a copy of the site, and the same check must report it.


@pytest.fixture
def site_copy(built_site: Path, tmp_path: Path) -> Path:
    """A copy of the built site to break; the verbatim MathJax folders (most of its bytes, one per language) are
    linked, not copied."""
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy, ignore=lambda folder, _: ["mathjax"] if Path(folder).name == "_static" else [])
    for static in built_site.rglob("_static"):
        if (static / "mathjax").is_dir():
            (copy / static.relative_to(built_site) / "mathjax").symlink_to(static / "mathjax", target_is_directory=True)
    return copy


def _source(repo: Path, page: str) -> Path:
    return next(path for path in (repo / f"{page}.md", repo / f"{page}.ipynb") if path.is_file())


def _first_page_with(site: Path, pages: list[str], pattern: str) -> str | None:
    return next((page for page in pages if re.search(pattern, (site / f"{page}.html").read_text("utf-8"))), None)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.browser
def test_is_math_left_raw_without_mathjax_reported(site_copy: Path, built_pages: list[str], tab):
    page = _first_page_with(site_copy, built_pages, r'class="math')
    assert page is not None, "no page has math to break"
    html_file = site_copy / f"{page}.html"
    mathjax = r'<script[^>]*src="[^"]*mathjax/tex-chtml\.js[^"]*"[^>]*></script>'
    _edit(html_file, re.search(mathjax, html_file.read_text("utf-8")).group(), "")
    with serve(site_copy) as url:
        problems = math_problems(visit(tab, f"{url}/{page}.html"))
    assert any("raw TeX" in problem for problem in problems), problems
    assert any("untypeset math" in problem for problem in problems), problems


@pytest.mark.browser
def test_is_a_script_from_a_cdn_reported(site_copy: Path, built_pages: list[str], tab):
    page = built_pages[0]
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
    _edit(site_copy / f"{page}.html", "</head>", f'<script src="{cdn}"></script></head>')
    with serve(site_copy) as url:
        problems = load_problems(visit(tab, f"{url}/{page}.html"))
    assert f"{url}/{page}.html: request leaves localhost: {cdn}" in problems, problems


@pytest.mark.browser
def test_is_a_missing_figure_reported(site_copy: Path, built_pages: list[str], tab):
    page = _first_page_with(site_copy, built_pages, r'<img [^>]*src="\.\./_images/')
    if page is None:
        page = built_pages[0]
        _edit(site_copy / f"{page}.html", "</article>", '<img alt="A figure" src="../_images/figure.png"></article>')
        figure = "figure.png"
    else:
        figure = re.search(r'<img [^>]*src="\.\./_images/([^"]+)"', (site_copy / f"{page}.html").read_text("utf-8"))[1]
        (site_copy / "_images" / figure).unlink()
    with serve(site_copy) as url:
        problems = image_problems(visit(tab, f"{url}/{page}.html"))
    assert any("did not load" in problem and figure in problem for problem in problems), problems


@pytest.mark.browser
def test_are_an_image_without_alt_text_and_an_unnamed_button_reported_by_the_audit(
    site_copy: Path, built_pages: list[str], tab
):
    page = built_pages[0]
    _edit(site_copy / f"{page}.html", "</article>", '<img src="../_static/none.png"><button></button></article>')
    with serve(site_copy) as url:
        problems = accessibility_problems(visit(tab, f"{url}/{page}.html"))
    assert any("critical image-alt" in problem for problem in problems), problems
    assert any("critical button-name" in problem for problem in problems), problems


@pytest.mark.browser
def test_is_a_code_line_too_long_for_its_box_reported(site_copy: Path, built_pages: list[str], tab):
    page = built_pages[0]
    line = "x = " + " + ".join(["value"] * 30)
    _edit(site_copy / f"{page}.html", "</article>", f'<div class="highlight"><pre>{line}</pre></div></article>')
    with serve(site_copy) as url:
        problems = code_scroll_problems(visit(tab, f"{url}/{page}.html"))
    assert any(repr(line) in problem for problem in problems), problems


@pytest.mark.browser
def test_is_a_hidden_cell_output_reported(site_copy: Path, built_site: Path, built_pages: list[str], repo: Path, tab):
    page = _first_page_with(site_copy, built_pages, r'class="cell_output')
    assert page is not None, "no page shows a cell output to hide"
    cells = executed_cells(_source(repo, page), built_site.parent / ".jupyter_cache")
    _edit(site_copy / f"{page}.html", "</head>", "<style>.cell_output { display: none }</style></head>")
    with serve(site_copy) as url:
        problems = output_problems(visit(tab, f"{url}/{page}.html"), cells)
    assert any("ran with output but the page does not show it" in problem for problem in problems), problems


@pytest.mark.browser
def test_is_a_dead_internal_link_reported(site_copy: Path, built_pages: list[str], tab):
    page = built_pages[0]
    _edit(site_copy / f"{page}.html", "</article>", '<a href="no-such-page.html">gone</a></article>')
    with serve(site_copy) as url:
        problems = link_problems(internal_links([visit(tab, f"{url}/{page}.html")], url))
    assert any("no-such-page.html answers 404" in problem for problem in problems), problems


@pytest.mark.browser
def test_is_a_page_wider_than_a_phone_reported(site_copy: Path, built_pages: list[str], tab):
    page = built_pages[0]
    _edit(site_copy / f"{page}.html", "</article>", '<div class="banner" style="width: 600px">wide</div></article>')
    with serve(site_copy) as url:
        problems = width_problems(visit(tab, f"{url}/{page}.html"))
    assert len(problems) == 1 and problems[0].endswith("390 px phone viewport (sticking out: div.banner)"), problems


@pytest.mark.browser
def test_are_a_repeated_title_and_a_second_search_box_reported(
    site_copy: Path, built_pages: list[str], title: str, tab
):
    page = built_pages[-1]
    _edit(site_copy / f"{page}.html", '<nav class="bd-links', f'<a href="#">{title}</a><nav class="bd-links')
    _edit(site_copy / f"{page}.html", "</article>", '<input type="search" name="q" aria-label="Search"></article>')
    with serve(site_copy) as url:
        problems = chrome_problems(visit(tab, f"{url}/{page}.html"), title)
    assert f"{url}/{page}.html: desktop: the title {title!r} shows 2 times in the header and sidebar" in problems
    assert any(problem.startswith(f"{url}/{page}.html: phone: 2 visible search controls") for problem in problems)


def test_is_a_solution_file_copied_into_the_site_reported(site_copy: Path, tmp_path: Path):
    solution = "def conv1d(x, w):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    (site_copy / "_static" / "conv1d.py").write_text(solution, encoding="utf-8")
    problems = leak_problems(site_copy, tmp_path / "no-solutions")
    assert problems == ["_static/conv1d.py: contains '### BEGIN SOLUTION'"]


def test_is_hidden_test_text_on_a_page_reported(site_copy: Path, built_pages: list[str], tmp_path: Path):
    hidden = "assert_value_equals(pool(x).shape, (2, 2), 'pool', reveal=False)"
    source = f"### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS\n"
    cell = {"cell_type": "code", "metadata": {}, "source": source.splitlines(keepends=True), "outputs": []}
    solutions = tmp_path / "solutions" / "pooling"
    solutions.mkdir(parents=True)
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (solutions / "pooling.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    page = built_pages[0]
    leaked = "<pre><span>assert_value_equals</span>(pool(x).shape, (2, 2), &#39;pool&#39;, reveal=False)</pre>"
    _edit(site_copy / f"{page}.html", "</article>", f"{leaked}</article>")
    problems = leak_problems(site_copy, tmp_path / "solutions")
    assert problems == [f"{page}.html: contains a hidden test of pooling.ipynb"]
