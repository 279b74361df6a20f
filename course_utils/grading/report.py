"""``course report``: the grades table and a summary of an assignment.

``reports/<assignment>/grades.csv``: one row per student, one column per graded part (``notebook:grade_id``), the
total, the maximum, the status, the problems found (what the student's feedback says too) and the grader's notes
(for the instructor only). ``summary.html`` counts graded and failed submissions, gives the mean (failed ones count
as 0, as in grades.csv), per-part pass rates, a score histogram (``histogram.png``) and every submission with a
problem or a note.
"""

from __future__ import annotations

import csv
import html
import logging
from pathlib import Path

from .workspace import Course, CourseError

log = logging.getLogger("course")


def _part_key(part: dict) -> str:
    return f"{part['notebook']}:{part['grade_id']}"


def write_grades(results: dict[str, dict], path: Path) -> list[str]:
    """Write the grades CSV; return the part columns."""
    columns = [_part_key(p) for p in next(iter(results.values()))["parts"]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *columns, "total", "max_total", "status", "problems", "grader_notes"])
        for student, result in sorted(results.items()):
            scores = {_part_key(p): p["score"] for p in result["parts"]}
            writer.writerow(
                [
                    student,
                    *(f"{scores.get(c, 0):g}" for c in columns),
                    f"{result['score']:g}",
                    f"{result['max_score']:g}",
                    result["status"],
                    " | ".join(result.get("problems", [])),
                    " | ".join(result.get("grader_notes", [])),
                ]
            )
    return columns


def pass_rates(results: dict[str, dict]) -> dict[str, float]:
    """Part → fraction of students with full points on it."""
    counts: dict[str, list[int]] = {}
    for result in results.values():
        for part in result["parts"]:
            tally = counts.setdefault(_part_key(part), [0, 0])
            tally[0] += part["score"] >= part["max_score"]
            tally[1] += 1
    return {key: passed / total for key, (passed, total) in counts.items()}


def summary_line(results: dict[str, dict], not_graded_yet: int) -> str:
    """How many submissions were graded, failed (could not be graded) and are waiting, and the mean total.

    A failed submission counts as 0 in the mean, as it does in grades.csv and the gradebook (its parts score 0), so
    the mean is the mean of the ``total`` column; submissions without a result yet are left out."""
    failed = sum(r["status"] != "graded" for r in results.values())
    graded = len(results) - failed
    line = (
        f"{len(results) + not_graded_yet} submission(s): {graded} graded, {failed} could not be graded, "
        f"{not_graded_yet} not graded yet."
    )
    if results:
        mean = sum(r["score"] for r in results.values()) / len(results)
        maximum = max(r["max_score"] for r in results.values())
        line += (
            f" Mean {mean:.2f} of {maximum:g} over the {len(results)} with a result; a submission that could not be "
            f"graded counts as 0 in it, as in grades.csv."
        )
    return line


def draw_histogram(results: dict[str, dict], path: Path) -> None:
    """A PNG histogram of the students' totals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = [r["score"] for r in results.values()]
    maximum = max(r["max_score"] for r in results.values())
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(totals, bins=min(20, max(5, int(maximum) + 1)), range=(0, maximum), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total score (of {maximum:g})")
    ax.set_ylabel("students")
    ax.set_title(f"Score distribution, {len(totals)} submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def report(course: Course, assignment_id: str) -> Path:
    """Write grades.csv, histogram.png and summary.html; return the report folder."""
    course.check_assignment(assignment_id)
    submitted = course.submitted(assignment_id)
    results = {s: r for s, r in course.results(assignment_id).items() if s in submitted}
    if not results:
        raise CourseError(f"no grading results for {assignment_id}: run `course autograde {assignment_id}` first")
    folder = course.reports_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    write_grades(results, folder / "grades.csv")
    draw_histogram(results, folder / "histogram.png")
    rates = pass_rates(results)
    esc = html.escape
    rate_rows = "".join(f"<tr><td><code>{esc(k)}</code></td><td>{v:.0%}</td></tr>" for k, v in rates.items())
    problem_rows = "".join(
        f"<tr><td>{esc(s)}</td><td>{esc(r['status'])}</td><td>{esc(' | '.join(r.get('problems', [])))}</td>"
        f"<td>{esc(' | '.join(r.get('grader_notes', [])))}</td></tr>"
        for s, r in sorted(results.items())
        if r.get("problems") or r.get("grader_notes") or r["status"] != "graded"
    )
    summary = summary_line(results, len(set(submitted) - set(results)))
    log.info(f"{assignment_id}: {summary}")
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(assignment_id)}: grading '
        f"summary</title></head><body><h1>{esc(assignment_id)}: grading summary</h1>"
        f"<p>{esc(summary)} "
        f'<a href="grades.csv">grades.csv</a></p><img src="histogram.png" alt="histogram of total scores">'
        f"<h2>Pass rate per part</h2><table><tr><th>part</th><th>full points</th></tr>{rate_rows}</table>"
        f"<h2>Problems and notes</h2><p>Problems are on the student's feedback page too; the grader's notes "
        f"(about the grading, not the student's code) are here only.</p><table><tr><th>student</th><th>status</th>"
        f"<th>problem</th><th>grader's notes</th></tr>{problem_rows}</table></body></html>\n"
    )
    (folder / "summary.html").write_text(page, encoding="utf-8")
    return folder
