"""Unit tests of course_utils.grading.feedback's pure parts: what of a test cell and of a result students may see."""

from __future__ import annotations

import html

import pytest

from course_utils.grading.feedback import render, visible_source


def test_does_the_visible_source_drop_every_hidden_region_and_keep_the_rest():
    source = (
        "check(conv1d([1, 2], [1]))\n"
        "### BEGIN HIDDEN TESTS\nsecret = 42\n### END HIDDEN TESTS\n"
        "print('done')\n"
        "### BEGIN HIDDEN TESTS\nanother = 7\n### END HIDDEN TESTS"
    )
    assert visible_source(source) == "check(conv1d([1, 2], [1]))\nprint('done')"
    assert visible_source("x = 1\n") == "x = 1"


def result(status="graded", problems=(), grader_notes=(), invalid=(), scores=(2.0, 3.0)):
    """A result file's content for the two parts of a one-notebook assignment."""
    parts = [
        {"notebook": "ex01", "grade_id": "conv1d_modes", "max_score": 2.0, "score": scores[0], "error": None},
        {"notebook": "ex01", "grade_id": "conv2d_valid", "max_score": 3.0, "score": scores[1], "error": None},
    ]
    return {
        "assignment": "ex01",
        "student": "amy",
        "status": status,
        "score": sum(scores),
        "max_score": 5.0,
        "parts": parts,
        "problems": list(problems),
        "grader_notes": list(grader_notes),
        "invalid_notebooks": list(invalid),
    }


def test_does_a_notebook_that_could_not_be_read_get_what_happened_and_what_to_do():
    """Does the page of a damaged notebook say what happened and what to do (download again, Restart & Run All,
    resubmit under the notebook's name) instead of a row per part without an error message?"""
    reason = "ex01.ipynb is not a valid notebook (NotJSONError: Notebook does not appear to be JSON: '{'); scored 0"
    page = render(result("failed", [reason], invalid=["ex01"], scores=(0.0, 0.0)), {})
    text = html.unescape(page)
    assert reason in text
    assert "Download the exercise notebook again" in text and "Restart & Run All" in text
    assert "submit it again under its original name: <code>ex01.ipynb</code>" in text
    assert "no error message" not in text and "conv1d_modes" not in text
    assert "None of the 2 graded parts could be run" in text


def test_does_a_submission_that_failed_on_the_grader_s_side_tell_the_student_it_is_not_their_fault():
    """A failure with no problem in the student's notebook (only a grader's note): does the page say the instructor
    will grade it again, and show none of the grader's note?"""
    page = html.unescape(
        render(result("failed", grader_notes=["grading failed: OSError: disk full"], scores=(0, 0)), {})
    )
    assert "problem on the grader's side" in page and "will grade it again" in page
    assert "disk full" not in page and "no error message" not in page


def test_do_grader_notes_stay_off_the_page_while_notes_on_the_student_s_result_show():
    """Does the page show why the student's result is what it is ("passes with a correct ...") but never the
    grader's notes about its own run (score differences, isolation)?"""
    student_note = "ex01.ipynb: conv2d_valid: conv2d passes with a correct conv_output_size"
    grader_notes = [
        "ex01.ipynb: conv2d_valid scored 0 when the notebook ran and 3 when the tests ran again outside the "
        "student's code; 3 counts",
        "ex01.ipynb: the trusted re-run had limits only isolation: namespaces failed here",
    ]
    page = html.unescape(render(result(problems=[student_note], grader_notes=grader_notes), {}))
    assert student_note in page
    assert not [note for note in grader_notes if note in page]
    assert "when the notebook ran" not in page and "isolation" not in page


def test_does_a_script_in_the_student_id_a_problem_a_failure_or_test_code_show_as_text():
    """A student id, a problem, a failed test's message and its visible test code that hold ``<script>``: does the
    page show each escaped, with no script tag in it?"""
    script, escaped = "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"
    graded = result(problems=[f"ex01.ipynb: {script}"], scores=(2.0, 0.0))
    graded["student"] = script
    graded["parts"][1]["error"] = f"AssertionError: {script}"
    page = render(graded, {("ex01", "conv2d_valid"): f"check({script!r})"})
    assert f"<h1>ex01: feedback for {escaped}</h1>" in page
    assert f'<p class="note">ex01.ipynb: {escaped}</p>' in page
    assert f"<pre>AssertionError: {escaped}</pre>" in page
    assert f"<pre>check(&#39;{escaped}&#39;)</pre>" in page
    assert "<script" not in page


@pytest.mark.slow
@pytest.mark.browser
def test_does_a_page_with_long_messages_fit_a_desktop_and_a_phone_in_chromium(tmp_path, tab):
    """A failure message of one 300-character line and a long line of test code: does the page stay as wide as the
    screen (the messages wrap) at desktop and phone size, without load errors or serious accessibility problems?"""
    from site_browser import accessibility_problems, load_problems, serve, visit, width_problems

    graded = result(scores=(2.0, 0.0))
    graded["parts"][1]["error"] = "CheckError: " + "dkernel differs from the expected result " * 8
    (tmp_path / "amy.html").write_text(render(graded, {("ex01", "conv2d_valid"): "check(" + "x, " * 70 + ")"}))
    with serve(tmp_path) as origin:
        seen = visit(tab, f"{origin}/amy.html")
    assert not load_problems(seen) + width_problems(seen) + accessibility_problems(seen)
