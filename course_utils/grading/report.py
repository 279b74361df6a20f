"""``course report``: the grades table and a summary of an assignment.

``reports/<assignment>/grades.csv``: one row per student, one column per graded part (``notebook:grade_id``), the
total, the maximum, the status, the problems found (what the student's feedback says too) and the grader's notes
(for the instructor only). ``summary.html`` (from ``templates/summary.html``) counts graded and failed submissions,
gives the mean (failed ones count as 0, as in grades.csv), a score histogram (``histogram.png``), the item analysis
and every submission with a problem or a note. The item analysis (``items.csv``, ``items.png`` and the summary's
table) takes each graded part over the submissions that were graded (those that could not be are left out): the
share with full points, the mean score, the discrimination (how well the part separates the students who did well
overall from the others) and the most common failure messages, the parts the class missed most first.
"""

from __future__ import annotations

import csv
import logging
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .pages import render_page
from .workspace import Course, CourseError

log = logging.getLogger("course")

#: Below this discrimination a part barely tells students who did well overall from the others (a rule of thumb of
#: item analysis): its test may check something other than what the exercise teaches.
WEAK_DISCRIMINATION = 0.2
#: How many of a part's failure messages the report lists.
TOP_FAILURES = 3


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
    from matplotlib.ticker import MaxNLocator

    totals = [r["score"] for r in results.values()]
    maximum = max(r["max_score"] for r in results.values())
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(totals, bins=min(20, max(5, int(maximum) + 1)), range=(0, maximum), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total score (of {maximum:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students
    ax.set_title(f"Score distribution, {len(totals)} submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


@dataclass(frozen=True)
class Item:
    """One graded part's statistics over the graded submissions."""

    part: str  # notebook:grade_id, as in grades.csv
    max_score: float
    students: int
    pass_rate: float  # share of the students with full points
    mean_score: float
    discrimination: float | None  # see discrimination(); None where it cannot be computed
    failures: tuple[tuple[str, int], ...]  # the most common failure messages and how many students got each

    @property
    def mean_fraction(self) -> float:
        """The mean score as a share of the part's points."""
        return self.mean_score / self.max_score if self.max_score else 1.0


def discrimination(item_scores: list[float], totals: list[float]) -> float | None:
    """The corrected item-total correlation: Pearson's r between each student's score on the item and the rest of
    their total (the total without the item, so that the item is not correlated with itself). None with fewer than
    3 students, or when the item's scores or the rests are all equal."""
    rest = [round(total - score, 6) for score, total in zip(item_scores, totals)]
    if len(item_scores) < 3 or len(set(item_scores)) == 1 or len(set(rest)) == 1:
        return None
    return statistics.correlation(item_scores, rest)


def failure_message(part: dict, result: dict) -> str:
    """What a part without full points failed with, its whitespace normalised so that equal messages group."""
    if part["notebook"] in result.get("invalid_notebooks", []):
        return "(the notebook could not be graded)"
    return " ".join((part["error"] or "").split()) or "(no error message)"


def item_analysis(results: dict[str, dict], top_failures: int = TOP_FAILURES) -> list[Item]:
    """Each graded part's statistics over the submissions with ``status == "graded"`` (the others are left out), the
    parts the class missed most first: the lowest pass rate, then the lowest mean share of the points."""
    graded = {student: result for student, result in results.items() if result["status"] == "graded"}
    if not graded:
        return []
    rates = pass_rates(graded)
    by_part = [{_part_key(part): part for part in result["parts"]} for result in graded.values()]
    totals = [sum(part["score"] for part in parts.values()) for parts in by_part]
    items = []
    for key in by_part[0]:
        parts = [parts[key] for parts in by_part]
        scores = [part["score"] for part in parts]
        failures = Counter(
            failure_message(part, result)
            for part, result in zip(parts, graded.values())
            if part["score"] < part["max_score"]
        )
        items.append(
            Item(
                part=key,
                max_score=parts[0]["max_score"],
                students=len(graded),
                pass_rate=rates[key],
                mean_score=statistics.fmean(scores),
                discrimination=discrimination(scores, totals),
                failures=tuple(sorted(failures.items(), key=lambda pair: (-pair[1], pair[0]))[:top_failures]),
            )
        )
    return sorted(items, key=lambda item: (item.pass_rate, item.mean_fraction))


def write_items(items: list[Item], path: Path) -> None:
    """Write the item analysis as CSV, one row per graded part, in the order of ``items``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "part",
                "max_score",
                "students",
                "pass_rate",
                "mean_score",
                "mean_fraction",
                "discrimination",
                "common_failures",
            ]
        )
        for item in items:
            writer.writerow(
                [
                    item.part,
                    f"{item.max_score:g}",
                    item.students,
                    f"{round(item.pass_rate, 3):g}",
                    f"{round(item.mean_score, 3):g}",
                    f"{round(item.mean_fraction, 3):g}",
                    "" if item.discrimination is None else f"{round(item.discrimination, 3):g}",
                    " | ".join(f"{count}× {message}" for message, count in item.failures),
                ]
            )


#: The items figure's bar colours, by discrimination (the legend's labels).
DISCRIMINATION_COLOURS = {
    f"{WEAK_DISCRIMINATION:g} or more": "#4c72b0",
    f"0 to {WEAK_DISCRIMINATION:g}": "#f0b400",
    "below 0": "#b42318",
    "n/a": "#9e9e9e",
}


def _colour(value: float | None) -> str:
    """The bar colour of a discrimination, from DISCRIMINATION_COLOURS."""
    strong, weak, negative, undefined = DISCRIMINATION_COLOURS.values()
    if value is None:
        return undefined
    return strong if value >= WEAK_DISCRIMINATION else weak if value >= 0 else negative


def draw_items(items: list[Item], assignment_id: str, path: Path) -> None:
    """A PNG of horizontal bars, one per part in the order of ``items`` (top down): the share of students with full
    points, coloured by discrimination and labelled with both."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.4 * len(items)))
    rows = range(len(items))
    ax.barh(rows, [100 * item.pass_rate for item in items], color=[_colour(item.discrimination) for item in items])
    for row, item in zip(rows, items):
        shown = "n/a" if item.discrimination is None else f"{item.discrimination:.2f}"
        ax.text(100 * item.pass_rate + 1, row, f"{item.pass_rate:.0%}, d = {shown}", va="center", fontsize=8)
    ax.set_yticks(list(rows), [item.part for item in items])
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("students with full points (%)")
    ax.set_title(f"{assignment_id}: full points per part, {items[0].students} graded submissions", fontsize=10)
    handles = [Patch(color=colour, label=label) for label, colour in DISCRIMINATION_COLOURS.items()]
    ax.legend(
        handles=handles,
        title="discrimination d",
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def write_report(assignment_id: str, results: dict[str, dict], folder: Path, not_graded_yet: int = 0) -> str:
    """Write grades.csv, histogram.png, items.csv, items.png and summary.html into ``folder`` for ``results``
    (student id → result); return the summary line."""
    write_grades(results, folder / "grades.csv")
    draw_histogram(results, folder / "histogram.png")
    items = item_analysis(results)
    write_items(items, folder / "items.csv")
    if items:
        draw_items(items, assignment_id, folder / "items.png")
    else:  # nothing was graded: no figure, and none left from an earlier report
        (folder / "items.png").unlink(missing_ok=True)
    summary = summary_line(results, not_graded_yet)
    flagged = [
        {
            "student": student,
            "status": result["status"],
            "problems": " | ".join(result.get("problems", [])),
            "grader_notes": " | ".join(result.get("grader_notes", [])),
        }
        for student, result in sorted(results.items())
        if result.get("problems") or result.get("grader_notes") or result["status"] != "graded"
    ]
    page = render_page(
        "summary.html",
        assignment=assignment_id,
        summary=summary,
        items=items,
        failed=sum(result["status"] != "graded" for result in results.values()),
        weak=WEAK_DISCRIMINATION,
        flagged=flagged,
    )
    (folder / "summary.html").write_text(page, encoding="utf-8")
    return summary


def report(course: Course, assignment_id: str) -> Path:
    """Write the report of ``assignment_id``'s collected submissions with a result; return the report folder."""
    course.check_assignment(assignment_id)
    submitted = course.submitted(assignment_id)
    results = {s: r for s, r in course.results(assignment_id).items() if s in submitted}
    if not results:
        raise CourseError(f"no grading results for {assignment_id}: run `course autograde {assignment_id}` first")
    folder = course.reports_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    summary = write_report(assignment_id, results, folder, not_graded_yet=len(set(submitted) - set(results)))
    log.info(f"{assignment_id}: {summary}")
    return folder
