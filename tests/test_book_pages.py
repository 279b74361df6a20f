"""Does the built website hold every page of the table of contents, with the chapter's printed outputs on the right
pages, captioned figures, a summary and an exercise link ending every section, and a complete bibliography?"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml

from course_utils import reference

#: HTML elements that never have an end tag.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _PageParser(HTMLParser):
    """Collects the text of the code-cell outputs, the images (with alt text and figure caption) and the
    bibliography entries of one built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outputs: list[str] = []
        self.images: list[dict] = []
        self.bibliography: list[str] = []
        self._stack: list[str] = []
        self._output_depth: int | None = None
        self._citation_depth: int | None = None
        self._figures: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "img":
            figure = self._figures[-1] if self._figures else None
            self.images.append({"src": attrs.get("src", ""), "alt": attrs.get("alt") or "", "figure": figure})
            if figure is not None:
                figure["images"] += 1
        if tag in _VOID:
            return
        self._stack.append(tag)
        if "cell_output" in classes and self._output_depth is None:
            self._output_depth = len(self._stack)
            self.outputs.append("")
        if tag == "div" and "citation" in classes and attrs.get("role") == "listitem":
            self._citation_depth = len(self._stack)
            self.bibliography.append("")
        if tag == "figure":
            self._figures.append({"caption": "", "images": 0, "depth": len(self._stack)})

    def handle_endtag(self, tag):
        if tag in _VOID or not self._stack:
            return
        depth = len(self._stack)
        if self._output_depth == depth:
            self._output_depth = None
        if self._citation_depth == depth:
            self._citation_depth = None
        if self._figures and self._figures[-1]["depth"] == depth and tag == "figure":
            self._figures.pop()
        self._stack.pop()

    def handle_data(self, data):
        if self._output_depth is not None:
            self.outputs[-1] += data
        if self._citation_depth is not None:
            self.bibliography[-1] += data
        if self._figures and "figcaption" in self._stack:
            self._figures[-1]["caption"] += data


def parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def toc_files(toc: dict) -> list[str]:
    """Every document the table of contents names, root first, in reading order."""
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


@pytest.fixture(scope="module")
def pages(repo: Path) -> list[str]:
    return toc_files(yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8")))


def page(built_site: Path, name: str) -> _PageParser:
    path = built_site / "book" / f"{name}.html"
    assert path.is_file(), f"{path} was not built"
    return parse_page(path)


def printed(values, dtype=None) -> str:
    """How NumPy prints ``values`` (the form the pages print them in)."""
    return str(np.array(values, dtype=dtype))


#: (page, what the chapter prints there) for every printed output of the first half of the chapter.
PRINTED_OUTPUTS = [
    ("intro", printed(reference.CONV1D["full"])),
    ("convolution-1d", printed(reference.CONV1D["full"])),
    ("convolution-1d", printed(reference.CONV1D["valid"])),
    ("convolution-1d", printed(reference.CONV1D["same"])),
    ("convolution-2d", printed(reference.CONV2D["full"])),
    ("convolution-2d", printed(reference.CONV2D["valid"])),
    ("convolution-2d", printed(reference.CONV2D["same"])),
    ("convolution-nd", printed(reference.CONVND_FULL)),
    ("convolutional-layers", str(reference.CONV_LAYER_OUTPUT_SHAPE)),
    ("pooling", printed(reference.MAX_POOL)),
    ("pooling", printed(reference.AVG_POOL, dtype=np.float32)),
]

_INPUTS = int(np.prod(reference.CONV_LAYER_INPUT_SHAPE[1:]))
_OUTPUTS = int(np.prod(reference.CONV_LAYER_OUTPUT_SHAPE[1:]))
#: (page, what it prints) for the numbers the pages derive from the chapter's (parameter counts, receptive fields).
DERIVED_OUTPUTS = [
    ("convolutional-layers", f"dense layer: {_INPUTS * _OUTPUTS + _OUTPUTS:,} parameters"),
    ("convolutional-layers", f"Conv2D:      {reference.CNN_LAYERS[1][2]:,} parameters"),
    ("pooling", "MaxPooling2D 2 x 2       receptive field 23 x 23  jump 8"),
    ("pooling", "unit (0, 0) sees rows 0 to 22 and columns 0 to 22"),
    ("pooling", "pixels that reach some unit: 961 of 1024"),
]

#: Pages of the first half of the chapter and how many captioned figures each draws.
FIGURES = {
    "why-cnns": 1,
    "convolution-1d": 2,
    "convolution-2d": 2,
    "convolution-nd": 1,
    "convolutional-layers": 2,
    "pooling": 3,
    "learning-kernels": 3,
    "cifar10-cnn": 5,
    "learned-filters": 2,
    "beyond-the-chapter": 4,
}

#: The pages that teach a section of the chapter (not the home page, the summary or the errata).
CONTENT_PAGES = list(FIGURES)


def test_was_every_page_of_the_table_of_contents_built(built_site, pages):
    missing = [name for name in pages if not (built_site / f"{name}.html").is_file()]
    assert not missing, f"pages in _toc.yml missing from the built site: {missing}"
    assert (built_site / "index.html").is_file()


def test_does_the_table_of_contents_start_at_the_intro_and_end_the_first_half_with_the_summary(pages):
    assert pages[0] == "book/intro"
    first_half = [
        "book/why-cnns",
        "book/convolution-1d",
        "book/convolution-2d",
        "book/convolution-nd",
        "book/convolutional-layers",
        "book/pooling",
    ]
    assert [name for name in pages if name in first_half] == first_half
    assert pages.index("book/pooling") < pages.index("book/learning-kernels") < pages.index("book/cifar10-cnn")
    assert pages.index("book/learned-filters") < pages.index("book/beyond-the-chapter") < pages.index("book/summary")


@pytest.mark.parametrize(("name", "expected"), PRINTED_OUTPUTS, ids=[f"{n}:{e!r}" for n, e in PRINTED_OUTPUTS])
def test_does_the_page_print_the_chapters_output(built_site, name, expected):
    outputs = page(built_site, name).outputs
    assert any(expected in output for output in outputs), (
        f"book/{name}.html shows no cell output containing\n{expected}\noutputs:\n" + "\n---\n".join(outputs)
    )


def test_does_the_1d_page_show_that_the_fft_result_equals_the_direct_one(built_site):
    outputs = page(built_site, "convolution-1d").outputs
    assert any("same as the direct result: True" in output for output in outputs)


def test_does_the_layers_page_show_that_keras_does_not_flip_the_kernel(built_site):
    outputs = "\n".join(page(built_site, "convolutional-layers").outputs)
    assert "activation inside the layer == separate ReLU layer: True" in outputs
    assert "convolve2d with the kernel flipped" in outputs


@pytest.mark.parametrize(("name", "expected"), DERIVED_OUTPUTS, ids=[f"{n}:{e!r}" for n, e in DERIVED_OUTPUTS])
def test_does_the_page_print_the_number_it_derives(built_site, name, expected):
    outputs = page(built_site, name).outputs
    assert any(expected in output for output in outputs), f"book/{name}.html shows no output containing {expected!r}"


def test_does_the_layers_page_derive_every_layers_parameter_count_and_agree_with_keras(built_site):
    """One row per layer of the chapter's network: its output shape, the count by hand and Keras's count."""
    outputs = "\n".join(page(built_site, "convolutional-layers").outputs)
    for kind, shape, count in reference.CNN_LAYERS[1:]:
        row = rf"^{kind} +{re.escape(str(shape))} +.+? {count:,} +{count:,}$"
        assert re.search(row, outputs, re.MULTILINE), f"no row {kind} {shape} with {count:,} by hand and in Keras"
    total = rf"^total +{reference.CNN_TOTAL_PARAMS:,} +{reference.CNN_TOTAL_PARAMS:,}$"
    assert re.search(total, outputs, re.MULTILINE)
    assert "Keras agrees: True" in outputs  # the two-channel example
    assert "same as a matrix product at every pixel: True" in outputs  # the 1 x 1 convolution


def test_does_the_pooling_page_measure_that_a_shift_changes_the_pooled_map_less(built_site):
    outputs = "\n".join(page(built_site, "pooling").outputs)
    feature = float(re.search(r"feature map: +relative change ([0-9.]+)", outputs).group(1))
    pooled = float(re.search(r"max pooling 2 x 2: relative change ([0-9.]+)", outputs).group(1))
    assert pooled < feature, (pooled, feature)


#: The first pages' visible code runs with NumPy, SciPy, scikit-learn and Keras alone.
WITHOUT_THE_COURSE_PACKAGE = ["why-cnns", "convolution-1d", "convolution-2d", "convolution-nd", "convolutional-layers"]


def visible_code_cells(source: str) -> list[str]:
    """The code cells of a MyST page that the reader sees (neither removed nor with their input removed)."""
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", source, re.MULTILINE | re.DOTALL)
    hidden = re.compile(r"^(?::tags:|tags:) *\[[^\]]*remove-(?:cell|input)", re.MULTILINE)
    return [cell for cell in cells if not hidden.search(cell)]


@pytest.mark.parametrize("name", WITHOUT_THE_COURSE_PACKAGE)
def test_does_the_pages_visible_code_run_without_the_course_package(repo, name):
    """Literal arrays in what the reader sees; the checks against course_utils.reference live in removed cells."""
    cells = visible_code_cells((repo / "book" / f"{name}.md").read_text(encoding="utf-8"))
    assert cells, f"book/{name}.md has no visible code cell"
    using = [cell for cell in cells if "course_utils" in cell or "reference." in cell]
    assert not using, f"book/{name}.md shows code that needs the course package:\n" + "\n---\n".join(using)


@pytest.mark.parametrize("name", FIGURES)
def test_is_every_figure_drawn_at_build_time_with_a_caption_and_alt_text(built_site, name):
    images = page(built_site, name).images
    figures = [image for image in images if image["figure"] is not None]
    assert len(figures) == FIGURES[name], f"book/{name}.html has {len(figures)} figures, expected {FIGURES[name]}"
    for image in figures:
        assert image["src"].startswith("../_images/") and image["src"].endswith(".png"), image["src"]
        assert len(image["alt"]) > 20, f"{image['src']} has no useful alt text"
        assert len(image["figure"]["caption"].strip()) > 20, f"{image['src']} has no caption"


def test_does_the_summary_list_every_cited_work(built_site):
    entries = page(built_site, "summary").bibliography
    for author, year in [
        ("LeCun", "1989"),
        ("Li", "2016"),
        ("Krizhevsky", "2012"),
        ("Simonyan", "2014"),
        ("He", "2016"),
        ("Jain", "1991"),
        ("Jordan", "2024"),
        ("Ioffe", "2015"),
        ("Loshchilov", "2019"),
        ("Smith", "2019"),
        ("Szegedy", "2016"),
    ]:
        assert any(author in entry and year in entry for entry in entries), f"no bibliography entry for {author} {year}"


#: The exercise notebook each section points to (why-cnns has pen-and-paper exercises only).
EXERCISES = {
    "convolution-1d": "ex01_convolution.ipynb",
    "convolution-2d": "ex01_convolution.ipynb",
    "convolution-nd": "ex01_convolution.ipynb",
    "convolutional-layers": "ex01_convolution.ipynb",
    "pooling": "ex02_pooling.ipynb",
    "learning-kernels": "ex04_backprop.ipynb",
    "cifar10-cnn": "ex03_cnn.ipynb",
    "learned-filters": "ex03_cnn.ipynb",
    "beyond-the-chapter": "ex03_cnn.ipynb",
}


@pytest.mark.parametrize("name", CONTENT_PAGES)
def test_does_every_section_end_with_a_summary_and_four_to_six_exercises_with_answers(built_site, name):
    """Each content page: a Summary, then an Exercises section of 4-6 exercises, each with an answer that stays
    folded (a dropdown) until the reader opens it."""
    text = (built_site / "book" / f"{name}.html").read_text(encoding="utf-8")
    summary, exercises = text.find('<section id="summary">'), text.find('<section id="exercises">')
    assert 0 <= summary < exercises, f"book/{name}.html lacks a Summary section followed by an Exercises section"
    asked = re.findall(r'<div class="exercise admonition" id="([^"]+)"', text)
    answered = re.findall(
        r'<div class="solution dropdown admonition"[^>]*>\s*<p class="admonition-title">Solution to'
        r'<a class="reference internal" href="#([^"]+)"',
        text,
    )
    assert 4 <= len(asked) <= 6, f"book/{name}.html has {len(asked)} exercises"
    assert not set(asked) - set(answered), f"exercises without a folded answer: {sorted(set(asked) - set(answered))}"


class _PreParser(HTMLParser):
    """Collects the text of every <pre> block (code listings and cell outputs) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self._depth += 1
            if self._depth == 1:
                self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.blocks[-1] += data


def test_do_the_pages_code_and_outputs_fit_88_columns(built_site, pages):
    """No horizontal scrolling: every line of code and of printed output on a page is at most 88 characters."""
    wide = []
    for name in pages:
        parser = _PreParser()
        parser.feed((built_site / f"{name}.html").read_text(encoding="utf-8"))
        wide += [f"{name}: {line!r}" for block in parser.blocks for line in block.splitlines() if len(line) > 88]
    assert not wide, "lines wider than 88 characters:\n" + "\n".join(wide)


def test_does_every_image_have_real_alt_text(built_site, pages):
    """Alt text that describes the image, never empty or the image's file name."""
    missing = [
        f"{name}: {image['src']}"
        for name in pages
        for image in parse_page(built_site / f"{name}.html").images
        if len(image["alt"].strip()) < 20 or image["alt"].strip().endswith((".png", ".svg", ".jpg"))
    ]
    assert not missing, f"images without alt text: {missing}"


@pytest.mark.parametrize(("name", "notebook"), EXERCISES.items())
def test_can_the_reader_download_the_sections_exercise_notebook(built_site, name, notebook):
    text = (built_site / "book" / f"{name}.html").read_text(encoding="utf-8")
    links = re.findall(r'href="\.\./(_downloads/[^"]+/' + re.escape(notebook) + ')"', text)
    assert links, f"book/{name}.html has no download link to {notebook}"
    assert all((built_site / link).is_file() for link in links)


def test_does_the_learning_page_learn_the_2d_kernel_back_and_agree_with_tensorflow(built_site):
    """The page prints the learned kernel (the 2-D section's, rounded), TensorFlow's pooling gradients equal to its
    own, and a gradient that TensorFlow's matches to float64 rounding."""
    outputs = "\n".join(page(built_site, "learning-kernels").outputs)
    assert printed(np.array(reference.CONV2D_W, dtype=float)) in outputs
    assert "max pooling: True | average pooling: True" in outputs
    difference = re.search(r"relative difference of the two gradients: ([0-9.e+-]+)", outputs)
    assert difference and float(difference[1]) < 1e-14, outputs
