"""Does `course similarity` rank planted copies above independent solutions, and never flag starter code?

The class is built like the grading tests build theirs (tests/nbgrader_course.py): the released notebook of exercise 1
with every answer cell filled from a bank file. Independent solutions: the instructor's solution and the grading
bank's ``correct_*.py`` (written separately, in other styles). Planted copies (tests/similarity/ex01_convolution/):
``correct_loops.py`` with its names changed, with comments added, with its loops written as comprehensions, and
``correct_fft.py`` with every disguise at once; here one more copy of ``correct_loops.py`` has its functions in other
answer cells and one in a cell the student added, and one has its layout changed.
"""

from __future__ import annotations

import csv
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from nbgrader_course import NbgraderCourse, read_variant

from course_utils.grading.similarity import (
    Fingerprints,
    boilerplate_hashes,
    compare,
    fingerprint_all,
    highlight,
    kgram_hashes,
    similarity,
    starter_texts,
    student_code,
)
from course_utils.grading.workspace import Course, CourseError

ASSIGNMENT = "ex01_convolution"
BANK = REPO / "tests" / "submissions" / ASSIGNMENT
PLANTED = REPO / "tests" / "similarity" / ASSIGNMENT
INDEPENDENT = ["solution", "correct_fft", "correct_loops"]
#: planted copy → the student it was copied from
COPIES = {
    "copied_renamed": "correct_loops",
    "copied_commented": "correct_loops",
    "copied_comprehensions": "correct_loops",
    "copied_fft_disguised": "correct_fft",
    "copied_reordered": "correct_loops",
    "copied_relaid": "correct_loops",
}


def submit(workspace: Path, student: str, notebook) -> None:
    """Place a notebook where `course collect` puts it: submitted/<student>/<ID>/<ID>.ipynb."""
    path = workspace / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def reordered(bank: NbgraderCourse) -> nbformat.NotebookNode:
    """correct_loops.py with each function in another answer cell, and conv2d_layer in a cell the student added."""
    cells = read_variant(BANK / "correct_loops.py")
    names = list(cells)
    moved = {names[i]: cells[names[(i + 2) % len(names)]] for i in range(len(names))}
    emptied = next(name for name in names if moved[name].lstrip().startswith("def conv2d_layer"))
    notebook = bank.student_notebook(ASSIGNMENT, {**moved, emptied: ""})
    notebook.cells.append(nbformat.v4.new_code_cell(moved[emptied]))
    return notebook


def relaid(code: str) -> str:
    """The same code with other spacing: spaces around operators doubled, blank lines and trailing spaces added."""
    return "\n\n".join(re.sub(r" ([=+*<>-]) ", r"  \1  ", line) + "   " for line in code.splitlines())


@pytest.fixture(scope="module")
def course_and_class(tmp_path_factory) -> tuple[Course, dict[str, str]]:
    """A workspace holding the independent solutions, the planted copies and two untouched starter notebooks."""
    workspace = tmp_path_factory.mktemp("similarity") / "workspace"
    bank = NbgraderCourse(REPO)
    submit(workspace, "solution", bank.student_notebook(ASSIGNMENT))
    for style in ("correct_fft", "correct_loops"):
        submit(workspace, style, bank.student_notebook(ASSIGNMENT, read_variant(BANK / f"{style}.py")))
    for path in sorted(PLANTED.glob("*.py")):
        submit(workspace, path.stem, bank.student_notebook(ASSIGNMENT, read_variant(path)))
    submit(workspace, "copied_reordered", reordered(bank))
    loops = {name: relaid(code) for name, code in read_variant(BANK / "correct_loops.py").items()}
    submit(workspace, "copied_relaid", bank.student_notebook(ASSIGNMENT, loops))
    submit(workspace, "starter_only_a", bank.released(ASSIGNMENT))
    submit(workspace, "starter_only_b", bank.released(ASSIGNMENT))
    course = Course.open(str(REPO), str(workspace))
    report = similarity(course, ASSIGNMENT, threshold=0.5, top=10)
    return course, report


def test_do_planted_copies_rank_above_every_pair_of_independent_solutions(course_and_class):
    """Does each planted copy (names, comments, comprehensions, reordered cells, layout, all at once) score above
    every pair of independent correct solutions, reach the threshold, while no independent pair does?"""
    _, report = course_and_class
    score = {frozenset((pair.a, pair.b)): pair.similarity for pair in report.pairs}
    independent = [score.get(frozenset(pair), 0.0) for pair in zip(INDEPENDENT, INDEPENDENT[1:] + INDEPENDENT[:1])]
    assert max(independent) < 0.5, independent
    for copy, original in COPIES.items():
        assert score[frozenset((copy, original))] >= 0.5, (copy, score[frozenset((copy, original))])
        assert score[frozenset((copy, original))] > max(independent) + 0.3, copy
    flagged = {frozenset((pair.a, pair.b)) for pair in report.flagged}
    assert not flagged & {frozenset(pair) for pair in zip(INDEPENDENT, INDEPENDENT[1:] + INDEPENDENT[:1])}


def test_does_identical_starter_code_never_flag_a_pair(course_and_class):
    """Are two untouched starter notebooks (and a starter notebook beside anyone) never a pair, but listed as having
    no code of their own to compare?"""
    _, report = course_and_class
    assert not [pair for pair in report.pairs if {"starter_only_a", "starter_only_b"} & {pair.a, pair.b}]
    assert sorted(line.split(":")[0] for line in report.skipped) == ["starter_only_a", "starter_only_b"]


def test_does_only_what_the_student_wrote_count():
    """Does a student's code hold the answer cells and the cells the student added, and not the tests, the text or
    the released set-up cells; and does the released notebook's code leave no fingerprint?"""
    bank = NbgraderCourse(REPO)
    notebook = bank.student_notebook(ASSIGNMENT, {"conv1d": "def conv1d(x, w, mode='full'):\n    return 1"})
    notebook.cells.append(nbformat.v4.new_code_cell("helper = 42"))
    code = student_code(notebook.cells)
    assert "return 1" in code and "helper = 42" in code and "a cell the student added" in code
    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert tests and all(t.source.strip().splitlines()[0] not in code for t in tests)
    released = bank.released(ASSIGNMENT)
    starter = [c.source for c in released.cells if c.cell_type == "code"] + [student_code(released.cells)]
    untouched = Fingerprints(student_code(released.cells), boilerplate_hashes(starter))
    assert untouched.hashes == set() and untouched.token_coverage == 0


def test_is_code_most_of_a_large_class_wrote_no_reason_to_pair_two_students():
    """In a class of twelve who all wrote the same checks of their arguments, are those checks ignored like starter
    code, so that only the two students who share a function of their own make a pair?"""
    checks = (
        "def conv(x, w, mode='full'):\n    if mode not in ('full', 'valid', 'same'):\n"
        "        raise ValueError(f'unknown mode {mode!r}')\n    if x.ndim != 1 or w.ndim != 1:\n"
        "        raise ValueError('1-D arrays only')\n"
    )

    def own(seed: int) -> str:  # numbers survive the normalisation, so each student's code differs
        return "    return [" + ", ".join(str(seed * 101 + 7 * j) for j in range(40)) + "]\n"

    codes = {f"s{i:02d}": checks + own(i) for i in range(12)}
    codes["s01"] += "def shared():\n" + own(99)
    codes["s02"] += "def shared():\n" + own(99)
    pairs, _ = compare(fingerprint_all(codes, starter=[]))
    assert [(pair.a, pair.b) for pair in pairs] == [("s01", "s02")]


def test_is_the_fast_share_the_one_copydetect_computes(course_and_class):
    """Does the vectorised share of each pair equal what copydetect's compare_files computes for it?"""
    from copydetect import compare_files

    course, report = course_and_class
    prints = fingerprint_all(report.codes, starter_texts(course, ASSIGNMENT))
    for pair in report.pairs:
        matched, (share_a, share_b), _ = compare_files(prints[pair.a], prints[pair.b])
        assert (pair.matched, pair.share_a, pair.share_b) == pytest.approx((matched, share_a, share_b))


def test_are_the_fingerprints_the_same_in_every_process():
    """Are k-gram hashes independent of Python's per-process hash salt (so a rerun gives the same figures)?"""
    code = (
        "import sys\nfrom course_utils.grading.similarity import kgram_hashes\nprint(kgram_hashes(sys.argv[1]).sum())"
    )
    text = "defF(V,V):returnV.V(V)+V*V-V"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code, text],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {f"{kgram_hashes(text).sum()}\n"}


def test_does_the_report_show_both_submissions_side_by_side_with_the_matches_marked(course_and_class):
    """Is the HTML ranked, with each pair's two submissions in full and only matched code marked; and does the CSV
    hold exactly the pairs at or above the threshold?"""
    course, report = course_and_class
    page = report.html.read_text(encoding="utf-8")
    ranked = re.findall(r'<h3 id="pair-\d+">\d+\. (\S+) and (\S+):', page)
    assert ranked == [(pair.a, pair.b) for pair in report.pairs[:10]]
    shown = re.findall(r"<pre>(.*?)</pre>", page, flags=re.DOTALL)
    assert len(shown) == 2 * len(ranked)
    first = html.unescape(re.sub(r"</?mark>", "", shown[0]))
    assert first == report.codes[report.pairs[0].a]
    assert "<mark>" in shown[0] and "<mark>" in shown[1]
    with report.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["student_a"], row["student_b"]) for row in rows] == [(p.a, p.b) for p in report.flagged]
    assert all(float(row["similarity"]) >= 0.5 for row in rows)


def test_is_student_code_shown_as_text_never_as_html():
    """Does a student's ``<script>`` appear escaped in the page, inside and outside a matched region?"""
    text = "x = '<script>alert(1)</script>'\ny = '<script>'"
    segments = highlight(text, [(0, 20), (4, 34)])
    assert "".join(piece for piece, _ in segments) == text
    assert [matched for _, matched in segments] == [True, True, False]
    from course_utils.grading.pages import render_page

    page = render_page(
        "similarity.html",
        assignment="<b>ex</b>",
        compared=2,
        total_pairs=1,
        flagged=1,
        threshold=0.5,
        skipped=["<i>x</i>"],
        pairs=[{"a": "a", "b": "b", "similarity": 1, "share_a": 1, "share_b": 1, "sides": [("a", 1, segments)] * 2}],
    )
    assert "<script>" not in page and "<b>ex</b>" not in page and "<i>x" not in page
    assert page.count("&lt;script&gt;") == 4  # in and out of a marked region, on both sides


def test_does_the_command_need_two_submissions(tmp_path):
    """Is a class of one a clear error rather than an empty report?"""
    submit(tmp_path / "ws", "solo", NbgraderCourse(REPO).student_notebook(ASSIGNMENT))
    with pytest.raises(CourseError, match="need two to compare"):
        similarity(Course.open(str(REPO), str(tmp_path / "ws")), ASSIGNMENT)


def test_does_course_similarity_print_the_flagged_pairs(course_and_class):
    """Does the `course similarity` command list the pairs above --threshold and the files it wrote?"""
    course, _ = course_and_class
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("course")),
            "similarity",
            ASSIGNMENT,
            "--threshold",
            "0.9",
            "--workspace",
            str(course.workspace),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "SIMILAR copied_renamed correct_loops: 100%" in result.stdout
    assert "SIMILAR copied_comprehensions" not in result.stdout  # below 0.9
    assert "NOT COMPARED starter_only_a" in result.stdout and "similarity.html" in result.stdout
