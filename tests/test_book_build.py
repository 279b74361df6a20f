"""Does the book build strictly, offline, with its outputs executed and MathJax served from the site?"""

import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"")


def html_pages(site: Path):
    return [path for path in site.rglob("*.html") if "_static" not in path.parts]


def test_does_the_landing_page_show_its_executed_output_and_math(built_site):
    page = (built_site / "book" / "intro.html").read_text()
    assert "[-2  1  2  1 -2]" in page, "the executed output of the landing page's code cell is missing"
    assert 'class="math notranslate nohighlight"' in page


def test_is_mathjax_served_from_the_site_and_nothing_loaded_from_elsewhere(built_site):
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for path in html_pages(built_site):
        sources = SCRIPT_SRC.findall(path.read_text())
        remote = [src for src in sources if src.startswith(("http:", "https:", "//"))]
        assert not remote, f"{path.relative_to(built_site)} loads scripts from the network: {remote}"
        if "math notranslate" in path.read_text():
            assert any(src.split("?")[0].endswith("_static/mathjax/tex-chtml.js") for src in sources), path


def test_do_pages_carry_no_tensorflow_log_lines(built_site):
    for path in html_pages(built_site):
        text = path.read_text()
        for marker in ("cuda_", "oneDNN custom operations", "This TensorFlow binary is optimized", "I tensorflow/"):
            assert marker not in text, f"{path.relative_to(built_site)} shows TensorFlow log output ({marker!r})"


def _tiny_book(tmp_path: Path, body: str) -> Path:
    """A one-page book with the course's own configuration (the MathJax copy is the repository's)."""
    config = (REPO / "_config.yml").read_text()
    mathjax = REPO / "node_modules" / "mathjax" / "es5"
    config = config.replace("  config:\n", f"  config:\n    course_mathjax_dir: {mathjax}\n", 1)
    (tmp_path / "_config.yml").write_text(config)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text((REPO / "book" / "references.bib").read_text())
    header = (REPO / "book" / "intro.md").read_text().split("---\n", 2)[1]
    (tmp_path / "book" / "intro.md").write_text(f"---\n{header}---\n\n# A tiny book\n\n{body}\n")
    return tmp_path


def _build(book: Path):
    return subprocess.run(
        ["make", "--no-print-directory", "book", f"BOOK={book}"], cwd=REPO, capture_output=True, text=True
    )


@pytest.mark.slow
def test_does_a_tiny_book_build_cleanly_with_the_course_configuration(tmp_path):
    result = _build(_tiny_book(tmp_path, "```{code-cell} ipython3\nprint(6 * 7)\n```"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "42" in (tmp_path / "_build" / "html" / "book" / "intro.html").read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "symptom"),
    [
        ("```{code-cell} ipython3\nraise RuntimeError('this cell fails')\n```", "mystnb.exec"),
        ("See {doc}`a-page-that-does-not-exist`.", "a-page-that-does-not-exist"),
        ("```{code-cell} ipython3\nimport sys\nprint('noise', file=sys.stderr)\n```", "stderr"),
    ],
    ids=["failing-cell", "broken-cross-reference", "stderr-output"],
)
def test_does_the_strict_build_fail_on(tmp_path, body, symptom):
    result = _build(_tiny_book(tmp_path, body))
    assert result.returncode != 0, "the build passed although the page is broken"
    assert symptom in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("page", "notebook"),
    [
        ("convolution-1d", "ex01_convolution"),
        ("convolution-2d", "ex01_convolution"),
        ("convolution-nd", "ex01_convolution"),
        ("convolutional-layers", "ex01_convolution"),
        ("pooling", "ex02_pooling"),
        ("learning-kernels", "ex04_backprop"),
        ("cifar10-cnn", "ex03_cnn"),
        ("learned-filters", "ex03_cnn"),
        ("beyond-the-chapter", "ex03_cnn"),
    ],
)
def test_does_every_page_with_an_exercise_offer_its_notebook(built_site, page, notebook):
    """Does the page link a download of the released notebook, and is the file on the site the released one?"""
    html = (built_site / "book" / f"{page}.html").read_text()
    links = re.findall(rf'href="(\.\./_downloads/[0-9a-f]+/{notebook}\.ipynb)"', html)
    assert links, f"{page} offers no download of {notebook}.ipynb"
    served = (built_site / "book" / links[0]).resolve()
    assert served.read_bytes() == (REPO / "exercises" / notebook / f"{notebook}.ipynb").read_bytes()


@pytest.mark.parametrize(
    ("pagename", "language", "expected"),
    [
        ("book/pooling", "en", "../zh_CN/book/pooling.html"),
        ("book/pooling", "zh_CN", "../../book/pooling.html"),
        ("search", "en", "zh_CN/search.html"),
        ("search", "zh_CN", "../search.html"),
    ],
)
def test_does_the_language_switch_link_the_same_page_in_the_other_language(pagename, language, expected):
    """The links are relative (the site works offline and under any address) and lead to the twin page."""
    from course_utils.book_build import language_links

    links = language_links(pagename, language, ["zh_CN"])
    assert [link["href"] for link in links] == [expected]
    assert [link["lang"] for link in links] == ["zh-CN" if language == "en" else "en"]
