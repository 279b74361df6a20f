"""Tests of course_utils.grading.report: pass rates, counts and mean, the grades CSV, the item analysis against a
hand-computed class, the escaping of summary.html, and the summary opened in Chromium."""

from __future__ import annotations

import csv

import pytest

from course_utils.grading.report import (
    discrimination,
    item_analysis,
    pass_rates,
    summary_line,
    write_grades,
    write_report,
)


def part(grade_id, score, max_score=2.0):
    return {"notebook": "ex01", "grade_id": grade_id, "score": score, "max_score": max_score}


def test_is_a_pass_rate_the_share_of_students_with_full_points_on_a_part():
    results = {
        "amy": {"parts": [part("conv1d_modes", 2.0), part("conv2d_valid", 1.0)]},
        "ben": {"parts": [part("conv1d_modes", 0.0), part("conv2d_valid", 2.0)]},
        "cat": {"parts": [part("conv1d_modes", 2.0), part("conv2d_valid", 2.0)]},
    }
    assert pass_rates(results) == {"ex01:conv1d_modes": 2 / 3, "ex01:conv2d_valid": 2 / 3}
    assert pass_rates({}) == {}


def graded(student, score, status="graded", **notes):
    return {
        "student": student,
        "status": status,
        "score": score,
        "max_score": 5.0,
        "parts": [part("conv1d_modes", min(score, 2.0)), part("conv2d_valid", max(score - 2.0, 0.0), 3.0)],
        **notes,
    }


def test_are_graded_and_failed_submissions_counted_apart_and_the_mean_rule_said():
    """Six students, one of whom could not be graded: does the summary say 5 graded and 1 failed (not "6 graded,
    1 could not be graded"), and that the failed one counts as 0 in the mean (the mean of grades.csv's totals)?"""
    results = {s: graded(s, 5.0) for s in ("amy", "ben", "cat", "dan", "eve")}
    results["fay"] = graded("fay", 0.0, status="failed")
    line = summary_line(results, not_graded_yet=1)
    assert line.startswith("7 submission(s): 5 graded, 1 could not be graded, 1 not graded yet.")
    assert "Mean 4.17 of 5 over the 6 with a result" in line and "could not be graded counts as 0" in line


def test_does_grades_csv_keep_the_grader_s_notes_apart_from_the_student_s_problems(tmp_path):
    """Does grades.csv give the problems (which the student's feedback shows too) and the grader's notes (which it
    does not) in columns of their own?"""
    results = {
        "amy": graded(
            "amy", 5.0, problems=[], grader_notes=["ex01.ipynb: conv1d_modes scored 0 when the notebook ran"]
        ),
        "ben": graded("ben", 0.0, status="failed", problems=["ex01.ipynb is not a valid notebook"]),
    }
    write_grades(results, tmp_path / "grades.csv")
    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").read_text().splitlines())}
    assert rows["amy"]["grader_notes"].startswith("ex01.ipynb: conv1d_modes scored 0") and not rows["amy"]["problems"]
    assert rows["ben"]["problems"] == "ex01.ipynb is not a valid notebook" and not rows["ben"]["grader_notes"]
    assert rows["ben"]["status"] == "failed" and rows["ben"]["total"] == "0"


# --- item analysis ------------------------------------------------------------------------------------------------
#: A class of five graded students and one whose submission could not be graded, on four parts (points in brackets):
#:
#:   student  conv1d_modes (2)  conv2d_valid (3)  max_pool (1)  pad_same (2)  total
#:   amy      2                 3                 1             2             8
#:   ben      2                 3                 0             1             6
#:   cat      2                 0                 1             0             3
#:   dan      2                 0                 0             0             2
#:   eve      2                 3                 0             0             5
#:   fay      failed: every part 0, left out of the item statistics
ITEM_POINTS = {"conv1d_modes": 2.0, "conv2d_valid": 3.0, "max_pool": 1.0, "pad_same": 2.0}
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def student(name, scores, errors=None, status="graded", problems=()):
    """A result of the four-part assignment: ``scores`` in the order of ITEM_POINTS, ``errors`` by grade id."""
    parts = [
        {"notebook": "ex01", "grade_id": grade_id, "score": score, "max_score": points, "error": None}
        for (grade_id, points), score in zip(ITEM_POINTS.items(), scores)
    ]
    for part in parts:
        part["error"] = (errors or {}).get(part["grade_id"])
    return {
        "student": name,
        "status": status,
        "score": sum(scores),
        "max_score": sum(ITEM_POINTS.values()),
        "parts": parts,
        "problems": list(problems),
        "grader_notes": [],
        "invalid_notebooks": [],
    }


@pytest.fixture
def hand_class() -> dict[str, dict]:
    wrong_shape = "AssertionError: max_pool2d: wrong shape"
    return {
        "amy": student("amy", [2, 3, 1, 2]),
        "ben": student("ben", [2, 3, 0, 1], {"max_pool": wrong_shape, "pad_same": "AssertionError: pad: value"}),
        "cat": student("cat", [2, 0, 1, 0], {"conv2d_valid": "NotImplementedError"}),
        "dan": student("dan", [2, 0, 0, 0], {"max_pool": "  AssertionError: max_pool2d:\n  wrong shape\n"}),
        "eve": student("eve", [2, 3, 0, 0], {"max_pool": "ValueError: stride must be positive"}),
        "fay": student("fay", [0, 0, 0, 0], status="failed", problems=["the kernel died while running the notebook"]),
    }


def test_do_the_item_statistics_match_a_hand_computed_class(hand_class):
    """Pass rates, means and corrected item-total correlations of the class above, computed by hand; is fay (could
    not be graded) left out, and do the parts the class missed most come first?

    Discrimination: r(x, y) = Σdx·dy / √(Σdx² · Σdy²), x the part's scores, y the rest of the total (total − x).
    pad_same:     x = 2 1 0 0 0 (mean 0.6), y = 6 5 3 2 5 (mean 4.2); dx = 1.4 .4 −.6 −.6 −.6, dy = 1.8 .8 −1.2 −2.2 .8
                  Σdx·dy = 2.52 + .32 + .72 + 1.32 − .48 = 4.4; Σdx² = 3.2; Σdy² = 10.8; r = 4.4 / √34.56 = 0.7485
    max_pool:     x = 1 0 1 0 0 (0.4), y = 7 6 2 2 5 (4.4); Σdx·dy = 1.56 − .64 − 1.44 + .96 − .24 = 0.2;
                  Σdx² = 1.2; Σdy² = 21.2; r = 0.2 / √25.44 = 0.0397
    conv2d_valid: x = 3 3 0 0 3 (1.8), y = 5 3 3 2 2 (3); Σdx·dy = 2.4 + 0 + 0 + 1.8 − 1.2 = 3.0;
                  Σdx² = 10.8; Σdy² = 6; r = 3 / √64.8 = 0.3727
    conv1d_modes: everyone 2: no variance, n/a.
    """
    items = item_analysis(hand_class)
    assert [item.part for item in items] == ["ex01:pad_same", "ex01:max_pool", "ex01:conv2d_valid", "ex01:conv1d_modes"]
    assert {item.students for item in items} == {5}
    assert [item.pass_rate for item in items] == pytest.approx([1 / 5, 2 / 5, 3 / 5, 1.0])
    assert [item.mean_score for item in items] == pytest.approx([0.6, 0.4, 1.8, 2.0])
    assert [item.mean_fraction for item in items] == pytest.approx([0.3, 0.4, 0.6, 1.0])
    assert [item.discrimination for item in items[:3]] == pytest.approx([0.7485, 0.0397, 0.3727], abs=5e-5)
    assert items[3].discrimination is None
    pad_same, max_pool, conv2d_valid, conv1d_modes = (item.failures for item in items)
    assert max_pool == (("AssertionError: max_pool2d: wrong shape", 2), ("ValueError: stride must be positive", 1))
    assert pad_same == (("(no error message)", 3), ("AssertionError: pad: value", 1))
    assert conv2d_valid == (("(no error message)", 1), ("NotImplementedError", 1)) and conv1d_modes == ()


def test_is_discrimination_undefined_for_fewer_than_three_students_or_no_variance():
    """Is r n/a (None) for two students, for equal item scores, and for equal rests; and right in sign otherwise?"""
    assert discrimination([0, 1], [0, 3]) is None
    assert discrimination([1, 1, 1], [1, 4, 2]) is None
    assert discrimination([0, 1, 2], [3, 4, 5]) is None  # the rest is 3 for everyone
    assert discrimination([0, 1, 1], [2, 4, 4]) == pytest.approx(1.0)  # rest 2 3 3
    assert discrimination([1, 0, 0], [1, 3, 3]) == pytest.approx(-1.0)  # rest 0 3 3


def test_does_the_report_write_the_item_table_figure_and_csv_the_most_missed_first(hand_class, tmp_path):
    """Do items.csv and summary.html's item table list the parts, the most missed first, with the figures above; is
    items.png a PNG; and do grades.csv and the histogram still come, with fay in them?"""
    summary = write_report("ex01", hand_class, tmp_path)
    assert summary.startswith("6 submission(s): 5 graded, 1 could not be graded, 0 not graded yet.")
    rows = list(csv.DictReader((tmp_path / "items.csv").read_text(encoding="utf-8").splitlines()))
    assert [row["part"] for row in rows] == ["ex01:pad_same", "ex01:max_pool", "ex01:conv2d_valid", "ex01:conv1d_modes"]
    assert rows[0] == {
        "part": "ex01:pad_same",
        "max_score": "2",
        "students": "5",
        "pass_rate": "0.2",
        "mean_score": "0.6",
        "mean_fraction": "0.3",
        "discrimination": "0.748",
        "common_failures": "3× (no error message) | 1× AssertionError: pad: value",
    }
    assert rows[3]["discrimination"] == ""
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    order = [page.index(f"<code>ex01:{grade_id}</code>") for grade_id in ("pad_same", "max_pool", "conv2d_valid")]
    assert order == sorted(order) and '<img src="items.png"' in page
    assert "over the 5 graded submission(s); the 1 that could\nnot be graded is left out" in page
    assert '<td class="number weak">0.04</td>' in page and "2× AssertionError: max_pool2d: wrong shape" in page
    assert (tmp_path / "items.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    assert "fay" in (tmp_path / "grades.csv").read_text(encoding="utf-8")


def test_does_a_class_none_of_whom_could_be_graded_get_no_item_figure(tmp_path):
    """Every submission failed: does the page say there is nothing to analyse, and is an earlier items.png gone?"""
    (tmp_path / "items.png").write_bytes(b"old")
    results = {name: student(name, [0, 0, 0, 0], status="failed") for name in ("amy", "ben")}
    write_report("ex01", results, tmp_path)
    assert "nothing to analyse per part" in (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert not (tmp_path / "items.png").exists()
    assert (tmp_path / "items.csv").read_text(encoding="utf-8").count("\n") == 1


def test_does_a_script_in_a_student_id_a_problem_or_a_failure_show_as_text_on_the_summary(hand_class, tmp_path):
    """Does summary.html escape ``<script>`` in a student id, a problem and a failure message?"""
    hand_class[SCRIPT] = student(SCRIPT, [0, 0, 0, 0], status="failed", problems=[SCRIPT])
    hand_class["eve"]["parts"][2]["error"] = SCRIPT
    write_report("ex01", hand_class, tmp_path)
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert f"<td>{ESCAPED_SCRIPT}</td><td>failed</td><td>{ESCAPED_SCRIPT}</td>" in page
    assert f"<li>1× {ESCAPED_SCRIPT}</li>" in page
    assert "<script" not in page


@pytest.mark.slow
@pytest.mark.browser
def test_does_the_summary_show_its_item_table_and_figures_in_chromium(hand_class, tmp_path, tab):
    """Opened in Chromium, does summary.html load without errors, fit a phone's width, show the histogram and the
    item figure, list the item table's rows the most missed first, and show a student id holding a script as text
    without running it?"""
    from site_browser import accessibility_problems, image_problems, load_problems, serve, visit, width_problems

    hand_class[SCRIPT] = student(SCRIPT, [0, 0, 0, 0], status="failed", problems=[SCRIPT])
    write_report("ex01", hand_class, tmp_path)
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", dismiss)
    try:
        with serve(tmp_path) as origin:
            seen = visit(tab, f"{origin}/summary.html")
            table = tab.evaluate(
                """() => [...document.querySelectorAll("table.items tr.item")].map(
                    (row) => [...row.cells].map((cell) => cell.innerText.trim()))"""
            )
            text = tab.evaluate("() => document.body.innerText")
    finally:
        tab.remove_listener("dialog", dismiss)
    assert not load_problems(seen) + image_problems(seen) + width_problems(seen) + accessibility_problems(seen)
    assert sorted(image["src"].rsplit("/", 1)[1] for image in seen.report["images"]) == ["histogram.png", "items.png"]
    assert [row[0] for row in table] == ["ex01:pad_same", "ex01:max_pool", "ex01:conv2d_valid", "ex01:conv1d_modes"]
    assert table[0][1:4] == ["20%", "0.60 / 2 (30%)", "0.75"] and table[3][3] == "n/a"
    assert SCRIPT in text and not dialogs
