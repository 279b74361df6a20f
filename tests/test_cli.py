"""Does the `course` command release, collect, grade, resume, shard, report and give feedback correctly?

Every test runs the installed `course` console script as a subprocess on a temporary copy of the fixture course
(tests/fixtures/cli_course: one notebook, two answers, visible and hidden tests) and a temporary workspace.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from course_utils.grading.worker import check_sources
from course_utils.grading.workspace import Course, CourseError

FIXTURE = REPO / "tests" / "fixtures" / "cli_course"
COURSE = Path(sys.executable).with_name("course")
ASSIGNMENT = "ex_tiny"
#: Limits that keep the faulty submissions quick: a looping cell stops after 10 s, a kernel gets 1.2 GB.
LIMITS = ("--cell-timeout", "10", "--timeout", "120", "--memory", "1200")
CORRECT = {"double_solution": "return 2 * x", "clip_solution": "return [min(1, max(0, v)) for v in values]"}
#: Lines of the hidden tests that must never reach a student.
HIDDEN_CODE = [
    "hidden_double_case = double(-21)",
    "hidden_clip_case = clip01([7, -7, 0.25])",
    "[1, 0, 0.25]",
    "BEGIN HIDDEN TESTS",
]


def course(*args, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed `course` command; output captured."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COURSE_WORKSPACE",)}
    environment.update({"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}, **(env or {}))
    return subprocess.run(
        [str(COURSE), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def student_notebook(released: Path, answers: dict[str, str]):
    """The released notebook with the answer cells' bodies replaced by ``answers`` (grade id → function body)."""
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            header = cell.source.splitlines()[0]
            cell.source = header + "\n    " + answers[grade_id].replace("\n", "\n    ")
    return nb


def write(nb, path: Path, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def grade_ids(nb) -> list[str]:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def cell(nb, grade_id: str):
    return nb.cells[grade_ids(nb).index(grade_id)]


@pytest.fixture(scope="module")
def released_course(tmp_path_factory) -> Path:
    """A copy of the fixture course after `course release`."""
    root = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(FIXTURE, root)
    ok(course("release", "--workspace", root.parent / "release-workspace", cwd=root))
    return root


def bad_inputs(released: Path, folder: Path) -> Path:
    """A folder-per-student export holding a correct submission and one of each fault."""
    notebook = released / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    correct = student_notebook(notebook, CORRECT)
    write(correct, folder / "alice" / "ex_tiny.ipynb")
    write(
        student_notebook(notebook, {**CORRECT, "double_solution": "return abs(2 * x)"}),
        folder / "bob" / "ex_tiny.ipynb",
    )
    write(
        student_notebook(notebook, {**CORRECT, "clip_solution": "import os\nos._exit(3)"}),
        folder / "carol" / "ex_tiny.ipynb",
    )
    write(
        student_notebook(notebook, {**CORRECT, "double_solution": "while True:\n    pass"}),
        folder / "dave" / "ex_tiny.ipynb",
    )
    write(
        student_notebook(
            notebook, {**CORRECT, "clip_solution": "hog = []\nwhile True:\n    hog.append(bytearray(50 * 2**20))"}
        ),
        folder / "erin" / "ex_tiny.ipynb",
    )
    (folder / "frank").mkdir()
    (folder / "frank" / "ex_tiny.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "x = 1"')
    write(correct, folder / "gina" / "ex_tiny-Copy1 (2).ipynb")
    write(correct, folder / "gina" / "notes.txt")
    hal = student_notebook(notebook, CORRECT)
    doubled = nbformat.from_dict(json.loads(json.dumps(cell(hal, "clip_solution"))))
    doubled.id = "a-copy"
    hal.cells = [
        c
        for c in hal.cells
        if grade_ids(hal).count(c.metadata.get("nbgrader", {}).get("grade_id")) == 1
        and c.metadata.get("nbgrader", {}).get("grade_id") != "double_tests"
    ]
    hal.cells = hal.cells[2:] + hal.cells[:2] + [doubled]  # clip section first, then double, then a duplicate
    write(hal, folder / "hal" / "ex_tiny.ipynb")
    ivan = student_notebook(notebook, CORRECT)
    cell(ivan, "clip_tests").metadata["nbgrader"]["grade_id"] = "my_clip_tests"
    write(ivan, folder / "ivan" / "ex_tiny.ipynb")
    old = time.time() - 3600
    write(
        student_notebook(notebook, {**CORRECT, "double_solution": "return x"}),
        folder / "judy" / "ex_tiny.ipynb",
        mtime=old,
    )
    write(correct, folder / "judy" / "ex_tiny (1).ipynb", mtime=old + 600)
    stubborn = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.2)"
    write(student_notebook(notebook, {**CORRECT, "double_solution": stubborn}), folder / "nina" / "ex_tiny.ipynb")
    write(correct, folder / "kim" / "ex99_other.ipynb")
    (folder / "lee").mkdir()
    (folder / "lee" / "answers.py").write_text("def double(x):\n    return 2 * x\n")
    return folder


@pytest.fixture(scope="module")
def graded(released_course, tmp_path_factory):
    """One collect + `autograde --jobs 2` over every fault; returns (workspace, collect output, autograde output)."""
    base = tmp_path_factory.mktemp("graded")
    export = bad_inputs(released_course, base / "export")
    workspace = base / "workspace"
    collected = ok(course("collect", ASSIGNMENT, export, "--workspace", workspace, cwd=released_course))
    started = time.monotonic()
    graded = course("autograde", ASSIGNMENT, "--jobs", "2", "--workspace", workspace, *LIMITS, cwd=released_course)
    ok(graded)
    seconds = time.monotonic() - started
    print(f"autograde of {len(list((workspace / 'submitted').iterdir()))} submissions, 2 jobs: {seconds:.1f} s")
    return workspace, collected, graded.stdout + graded.stderr


def results(workspace: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (workspace / "results" / ASSIGNMENT).glob("*.json")}


def scores(workspace: Path) -> dict[str, dict[str, float]]:
    return {s: {p["grade_id"]: p["score"] for p in r["parts"]} for s, r in results(workspace).items()}


def gradebook_scores(workspace: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}


# --- release -----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_does_release_strip_solutions_and_hidden_tests(released_course):
    text = (released_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "NotImplementedError" in text
    assert "return 2 * x" not in text and not any(code in text for code in HIDDEN_CODE)


@pytest.mark.slow
def test_do_quiet_and_verbose_change_what_the_command_says(released_course, tmp_path):
    """Does -q silence the progress lines, and does -v add the steps (one line per worker started)?"""
    quiet = course("release", "-q", "--workspace", tmp_path / "ws", cwd=released_course)
    assert ok(quiet) == ""
    assert "released exercises/" in ok(course("release", "--workspace", tmp_path / "ws", cwd=released_course))
    export = _small_export(released_course, tmp_path / "export", names=("amy",))
    ok(course("collect", ASSIGNMENT, export, "--workspace", tmp_path / "ws", cwd=released_course))
    verbose = ok(
        course(
            "autograde", ASSIGNMENT, "-v", "--jobs", "1", "--workspace", tmp_path / "ws", *LIMITS, cwd=released_course
        )
    )
    assert "worker 0: starting (cpu limits)" in verbose and "amy: graded" in verbose


@pytest.mark.slow
def test_does_release_report_a_solution_left_in_the_student_notebook(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    source = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell(
        nb, "double_solution"
    ).source = "def double(x):\n    return 2 * x\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    nbformat.write(nb, source)
    result = course("release", ASSIGNMENT, "--workspace", tmp_path / "ws", cwd=root)
    assert result.returncode == 1
    assert "PROBLEM" in result.stdout and "pass without a solution" in result.stdout


# --- collect -----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_does_collect_list_every_file_it_did_not_import(graded):
    _, collected, _ = graded
    assert "UNKNOWN ASSIGNMENT kim/ex99_other.ipynb" in collected
    assert "IGNORED lee/answers.py: not a notebook" in collected
    assert "IGNORED gina/notes.txt: not a notebook" in collected
    assert "renamed notebook 'ex_tiny-Copy1 (2).ipynb' taken as ex_tiny.ipynb" in collected
    assert "INVALID frank: frank/ex_tiny.ipynb -> submitted/frank/ex_tiny/ex_tiny.ipynb" in collected
    assert "(1 of them INVALID: kept, but cannot be graded as they are)" in collected


@pytest.mark.slow
def test_does_the_newest_of_two_submissions_win_and_the_older_stay(graded):
    workspace, collected, _ = graded
    assert "IMPORTED judy: judy/ex_tiny (1).ipynb" in collected and "newest of 2" in collected
    kept = list((workspace / "superseded" / ASSIGNMENT / "judy").glob("*ex_tiny.ipynb"))
    assert len(kept) == 1 and "return x" in kept[0].read_text()
    assert scores(workspace)["judy"] == {"double_tests": 2, "clip_tests": 3}


@pytest.mark.slow
def test_does_collect_read_a_canvas_zip_with_a_roster(released_course, tmp_path):
    notebook = student_notebook(released_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", CORRECT)
    write(notebook, tmp_path / "nb.ipynb")
    export = tmp_path / "canvas.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.write(tmp_path / "nb.ipynb", "doe_jane_12345_67890_ex_tiny.ipynb")
        archive.write(tmp_path / "nb.ipynb", "smithjohn_LATE_555_111_ex_tiny-1.ipynb")
        archive.write(tmp_path / "nb.ipynb", "nobody_999_222_ex_tiny.ipynb")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,first_name,last_name,email,lms_id\ns001,Jane,Doe,jd@example.org,\n"
        "s002,John,Smith,js@example.org,555\n"
    )
    out = ok(
        course("collect", ASSIGNMENT, export, "--roster", roster, "--workspace", tmp_path / "ws", cwd=released_course)
    )
    assert "IMPORTED s001: doe_jane_12345_67890_ex_tiny.ipynb" in out
    assert "IMPORTED s002: smithjohn_LATE_555_111_ex_tiny-1.ipynb" in out
    assert "UNMATCHED nobody_999_222_ex_tiny.ipynb" in out
    assert sorted(p.name for p in (tmp_path / "ws" / "submitted").iterdir()) == ["s001", "s002"]


@pytest.mark.slow
def test_does_collect_read_moodle_folders_without_a_roster(released_course, tmp_path):
    notebook = student_notebook(released_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", CORRECT)
    write(notebook, tmp_path / "export" / "Zoë Müller_4242_assignsubmission_file_" / "work" / "ex_tiny.ipynb")
    (tmp_path / "export" / "Zoë Müller_4242_assignsubmission_onlinetext_").mkdir()
    (tmp_path / "export" / "Zoë Müller_4242_assignsubmission_onlinetext_" / "onlinetext.html").write_text("hi")
    out = ok(course("collect", ASSIGNMENT, tmp_path / "export", "--workspace", tmp_path / "ws", cwd=released_course))
    assert "IMPORTED zoe_muller:" in out and "IGNORED" in out and "not a file submission" in out
    stamp = tmp_path / "ws" / "submitted" / "zoe_muller" / ASSIGNMENT / "timestamp.txt"
    assert stamp.read_text().startswith("20")


# --- autograde: faults -------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_do_correct_and_wrong_submissions_get_their_points(graded):
    workspace, _, _ = graded
    got = scores(workspace)
    assert got["alice"] == {"double_tests": 2, "clip_tests": 3}
    assert got["bob"] == {"double_tests": 0, "clip_tests": 3}
    assert gradebook_scores(workspace)["alice"] == 5 and gradebook_scores(workspace)["bob"] == 3


@pytest.mark.slow
@pytest.mark.parametrize(
    "student, problem, expected",
    [
        ("carol", "the kernel died", {"double_tests": 0, "clip_tests": 0}),
        ("dave", "stopped by the per-cell timeout", {"double_tests": 0, "clip_tests": 3}),
        ("erin", "ran out of memory", {"double_tests": 2, "clip_tests": 0}),
        ("frank", "is not a valid notebook", {"double_tests": 0, "clip_tests": 0}),
        ("nina", "ignored the interrupt", {"double_tests": 0, "clip_tests": 0}),
        ("hal", "'double_tests' was deleted or changed", {"double_tests": 2, "clip_tests": 3}),
        ("ivan", "grade id 'my_clip_tests'", {"double_tests": 2, "clip_tests": 3}),
        ("gina", None, {"double_tests": 2, "clip_tests": 3}),
    ],
)
def test_does_each_fault_get_a_clear_line_and_nothing_else_break(graded, released_course, student, problem, expected):
    workspace, _, output = graded
    assert scores(workspace)[student] == expected
    if problem:
        assert any(problem in line and line.split()[1].rstrip(":") == student for line in output.splitlines()), output
        rows = {
            row["student_id"]: row
            for row in csv.DictReader(_report(workspace, released_course).read_text().splitlines())
        }
        assert problem in rows[student]["problems"]


@pytest.mark.slow
def test_do_worker_logs_hold_no_notices_that_come_with_every_submission(graded):
    """Do the worker logs of the batch hold none of nbgrader's "checksum has changed" warnings, SQLAlchemy's
    autoflush warnings or the kernel's warning about TCP, which would otherwise come with every submission?"""
    workspace, _, _ = graded
    logs = "".join(path.read_text() for path in (workspace / "logs" / ASSIGNMENT).glob("worker-*.log"))
    assert [noise for noise in ("checksum", "SAWarning", "without encryption") if noise in logs] == [], logs


def _report(workspace: Path, root: Path) -> Path:
    grades = workspace / "reports" / ASSIGNMENT / "grades.csv"
    if not grades.is_file():
        ok(course("report", ASSIGNMENT, "--workspace", workspace, cwd=root))
    return grades


@pytest.mark.slow
def test_does_the_wall_clock_limit_kill_a_submission_and_its_kernel(released_course, tmp_path):
    pid_file = tmp_path / "kernel.pid"
    sleeper = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    notebook = released_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    write(student_notebook(notebook, {**CORRECT, "double_solution": sleeper}), tmp_path / "export" / "mia" / "a.ipynb")
    workspace = tmp_path / "ws"
    ok(course("collect", ASSIGNMENT, tmp_path / "export", "--workspace", workspace, cwd=released_course))
    out = ok(
        course(
            "autograde",
            ASSIGNMENT,
            "--workspace",
            workspace,
            "--cell-timeout",
            "300",
            "--timeout",
            "30",
            cwd=released_course,
        )
    )
    assert "FAILED mia: stopped after the per-submission limit of 30 s; scored 0" in out
    assert results(workspace)["mia"]["score"] == 0
    if pid_file.is_file():  # the kernel got as far as the student's code: it must be gone now
        time.sleep(1)
        stat = Path(f"/proc/{pid_file.read_text()}/stat")
        assert not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z", "the kernel still runs"


@pytest.mark.slow
def test_does_a_rerun_grade_nothing_when_nothing_changed(graded, released_course):
    workspace, _, _ = graded
    before = {p.name: p.stat().st_mtime_ns for p in (workspace / "results" / ASSIGNMENT).iterdir()}
    out = ok(course("autograde", ASSIGNMENT, "--jobs", "2", "--workspace", workspace, *LIMITS, cwd=released_course))
    assert "0 to grade" in out
    assert before == {p.name: p.stat().st_mtime_ns for p in (workspace / "results" / ASSIGNMENT).iterdir()}


# --- feedback and report -----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_is_feedback_for_an_unknown_student_a_clear_error(graded, released_course):
    workspace, _, _ = graded
    result = course("feedback", ASSIGNMENT, "--workspace", workspace, "--student", "nobody", cwd=released_course)
    assert result.returncode != 0 and "no grading result of" in result.stderr and "nobody" in result.stderr


@pytest.mark.slow
def test_does_feedback_name_failed_tests_without_hidden_code(graded, released_course):
    workspace, _, _ = graded
    ok(course("feedback", ASSIGNMENT, "--workspace", workspace, cwd=released_course))
    pages = {p.stem: p.read_text() for p in (workspace / "feedback" / ASSIGNMENT).glob("*.html")}
    assert set(pages) == set(results(workspace))
    assert "double gives a wrong result for a negative number" in pages["bob"]
    assert "double_tests" in pages["bob"] and "assert double(2) == 4" in pages["bob"]
    assert "Download the exercise notebook again" in pages["frank"] and "no error message" not in pages["frank"]
    for student, page in pages.items():
        leaked = [code for code in HIDDEN_CODE if code in page]
        assert not leaked, f"{student}'s feedback shows hidden test code {leaked}"
    autograded = (workspace / "autograded" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "hidden_double_case = double(-21)" in autograded, "the search above would not see hidden code"


@pytest.mark.slow
def test_does_the_report_have_a_row_per_student_and_a_column_per_part(graded, released_course):
    workspace, _, _ = graded
    rows = list(csv.DictReader(_report(workspace, released_course).read_text().splitlines()))
    assert [r["student_id"] for r in rows] == sorted(results(workspace))
    assert {"ex_tiny:double_tests", "ex_tiny:clip_tests", "total", "status"} <= set(rows[0])
    assert {r["student_id"]: float(r["total"]) for r in rows}["alice"] == 5.0
    summary = (workspace / "reports" / ASSIGNMENT / "summary.html").read_text()
    assert "<code>ex_tiny:clip_tests</code>" in summary and "histogram.png" in summary
    assert (workspace / "reports" / ASSIGNMENT / "histogram.png").read_bytes()[:4] == b"\x89PNG"


# --- resume and shards ------------------------------------------------------------------------------------------
def _small_export(released: Path, folder: Path, names=("amy", "ben", "cat", "dan")) -> Path:
    notebook = released / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    bodies = [
        CORRECT,
        {**CORRECT, "double_solution": "return abs(2 * x)"},
        {**CORRECT, "clip_solution": "return values"},
        {**CORRECT, "double_solution": "return x + x"},
    ]
    for name, body in zip(names, bodies):
        write(student_notebook(notebook, body), folder / name / "ex_tiny.ipynb")
    return folder


@pytest.mark.slow
def test_does_a_killed_run_resume_to_the_grades_of_an_uninterrupted_one(released_course, tmp_path):
    workspace = tmp_path / "ws"
    ok(
        course(
            "collect",
            ASSIGNMENT,
            _small_export(released_course, tmp_path / "export"),
            "--workspace",
            workspace,
            cwd=released_course,
        )
    )
    environment = {k: v for k, v in os.environ.items() if k != "COURSE_WORKSPACE"}
    process = subprocess.Popen(
        [str(COURSE), "autograde", ASSIGNMENT, "--jobs", "1", "--workspace", str(workspace), *LIMITS],
        cwd=released_course,
        start_new_session=True,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = workspace / "results" / ASSIGNMENT
    deadline = time.monotonic() + 300
    while not (folder.is_dir() and list(folder.glob("*.json"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = len(list(folder.glob("*.json")))
    assert 1 <= done_before < 4, "the run was not interrupted half way"
    out = ok(course("autograde", ASSIGNMENT, "--jobs", "2", "--workspace", workspace, *LIMITS, cwd=released_course))
    assert f"{done_before} already graded, {4 - done_before} to grade" in out
    expected = {"amy": 5, "ben": 3, "cat": 2, "dan": 5}
    assert {s: r["score"] for s, r in results(workspace).items()} == expected
    assert gradebook_scores(workspace) == expected


@pytest.mark.slow
def test_do_two_slurm_array_shards_merged_equal_one_unsharded_run(released_course, tmp_path):
    """The example Slurm scripts, run as Slurm would (array tasks 1 and 2 of 2, then the merge job)."""
    export = _small_export(released_course, tmp_path / "export", names=("amy", "ben", "cat"))
    grading = tmp_path / "grading"
    env = {
        **{k: v for k, v in os.environ.items() if k != "COURSE_WORKSPACE"},
        "ASSIGNMENT": ASSIGNMENT,
        "EXPORT": str(export),
        "GRADING_ROOT": str(grading),
        "COURSE": str(COURSE),
        "SLURM_ARRAY_TASK_COUNT": "2",
        "SLURM_CPUS_PER_TASK": "1",
    }
    slurm = REPO / "examples" / "slurm"
    for task in ("1", "2"):
        shard = subprocess.run(
            ["bash", slurm / "grade.sbatch"],
            cwd=released_course,
            capture_output=True,
            text=True,
            env={**env, "SLURM_ARRAY_TASK_ID": task},
            timeout=600,
        )
        assert shard.returncode == 0, shard.stdout + shard.stderr
        assert f"(shard {task}/2): {2 if task == '1' else 1} submission(s)" in shard.stdout
    merged = subprocess.run(
        ["bash", slurm / "merge.sbatch"], cwd=released_course, capture_output=True, text=True, env=env, timeout=600
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "merged 3 result(s)" in merged.stdout
    main = grading / "main"
    assert scores(main) == {
        "amy": {"double_tests": 2, "clip_tests": 3},
        "ben": {"double_tests": 0, "clip_tests": 3},
        "cat": {"double_tests": 2, "clip_tests": 0},
    }
    assert gradebook_scores(main) == {"amy": 5, "ben": 3, "cat": 2}
    assert (main / "reports" / ASSIGNMENT / "grades.csv").is_file()
    assert sorted(p.stem for p in (main / "feedback" / ASSIGNMENT).glob("*.html")) == ["amy", "ben", "cat"]
    again = ok(course("autograde", ASSIGNMENT, "--workspace", main, cwd=released_course))
    assert "3 already graded, 0 to grade" in again


# --- validate ----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_does_validate_summarise_the_visible_tests(released_course, tmp_path):
    """Does validate pass a correct notebook, and fail a test cell that raises or that prints a warning (the rule
    nbgrader and `course autograde` apply)?"""
    notebook = released_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    good = write(student_notebook(notebook, CORRECT), tmp_path / "good.ipynb")
    passed = course("validate", good, cwd=tmp_path)
    assert passed.returncode == 0 and "2 of 2 visible tests passed" in passed.stdout
    failed = course("validate", notebook, cwd=tmp_path)
    assert failed.returncode == 1
    assert "FAILED double_tests: NotImplementedError" in failed.stdout and "0 of 2" in failed.stdout
    warns = {**CORRECT, "double_solution": "import warnings\nwarnings.warn('still slow')\nreturn 2 * x"}
    warned = course("validate", write(student_notebook(notebook, warns), tmp_path / "warns.ipynb"), cwd=tmp_path)
    assert warned.returncode == 1 and "1 of 2 visible tests passed" in warned.stdout
    assert "FAILED double_tests: the cell printed a warning" in warned.stdout and "still slow" in warned.stdout


# --- bad command-line input --------------------------------------------------------------------------------------
def test_is_an_unknown_assignment_a_clear_error(tmp_path):
    (tmp_path / "ws").mkdir()
    result = course("autograde", "ex42_nothing", "--workspace", tmp_path / "ws", "--course-dir", FIXTURE, cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown assignment 'ex42_nothing'; known: ex_tiny" in result.stderr


def test_is_a_bad_shard_a_clear_error(tmp_path):
    (tmp_path / "ws").mkdir()
    for bad in ("3/2", "x/2", "0/4"):
        result = course(
            "autograde",
            ASSIGNMENT,
            "--shard",
            bad,
            "--workspace",
            tmp_path / "ws",
            "--course-dir",
            FIXTURE,
            cwd=tmp_path,
        )
        assert result.returncode == 2 and f"bad --shard {bad!r}" in result.stderr


def test_is_a_missing_workspace_a_clear_error_naming_the_default(tmp_path):
    result = course(
        "report", ASSIGNMENT, "--course-dir", FIXTURE, cwd=tmp_path, env={"XDG_DATA_HOME": str(tmp_path / "data")}
    )
    assert result.returncode == 2
    assert f"workspace {tmp_path / 'data' / 'cnn-course' / 'default'} does not exist" in result.stderr


def test_does_the_command_refuse_a_workspace_inside_the_repository(tmp_path):
    result = course(
        "collect", ASSIGNMENT, tmp_path, "--workspace", FIXTURE / "ws", "--course-dir", FIXTURE, cwd=tmp_path
    )
    assert result.returncode == 2 and "grading data must stay out of git" in result.stderr
    assert not (FIXTURE / "ws").exists()


# --- the real exercise --------------------------------------------------------------------------------------------
EX01 = "ex01_convolution"


def hidden_lines(source_notebook: Path) -> list[str]:
    """The substantial code lines of every hidden-test region of a source notebook."""
    lines, hidden = [], False
    for test in nbformat.read(source_notebook, as_version=4).cells:
        for line in test.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                hidden = True
            elif "END HIDDEN TESTS" in line:
                hidden = False
            elif hidden and len(line.strip()) > 20:
                lines.append(line.strip())
    return lines


@pytest.mark.slow
def test_does_ex01_grade_its_solution_full_and_its_release_zero_without_leaking_hidden_tests(tmp_path):
    import html

    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / EX01, root / "solutions" / EX01)
    workspace = tmp_path / "ws"
    ok(course("release", EX01, "--workspace", workspace, cwd=root))
    export = tmp_path / "export"
    for student, folder in (("solved", "solutions"), ("blank", "exercises")):
        (export / student).mkdir(parents=True)
        shutil.copy(root / folder / EX01 / f"{EX01}.ipynb", export / student)
    ok(course("collect", EX01, export, "--workspace", workspace, cwd=root))
    ok(course("autograde", EX01, "--jobs", "2", "--workspace", workspace, cwd=root))
    ok(course("feedback", EX01, "--workspace", workspace, cwd=root))
    graded = {s: json.loads((workspace / "results" / EX01 / f"{s}.json").read_text()) for s in ("solved", "blank")}
    assert graded["solved"]["score"] == graded["solved"]["max_score"] > 0, graded["solved"]["parts"]
    assert graded["blank"]["score"] < graded["blank"]["max_score"] / 2
    page = (workspace / "feedback" / EX01 / "blank.html").read_text()
    assert "NotImplementedError" in page
    released = (root / "exercises" / EX01 / f"{EX01}.ipynb").read_text()
    secret = [
        line
        for line in hidden_lines(root / "solutions" / EX01 / f"{EX01}.ipynb")
        if json.dumps(line)[1:-1] not in released
    ]
    assert secret, "the source has hidden tests to look for"
    assert not [line for line in secret if line in html.unescape(page) or line in page]


def test_does_a_source_changed_during_grading_stop_the_trusted_regrade(tmp_path):
    """Does the worker's check refuse the source notebooks once they differ from the hash `course autograde` took
    before any submission ran, and accept them unchanged?"""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    graded_course = Course.open(str(root), str(tmp_path / "workspace"), create=True)
    before = graded_course.source_hash(ASSIGNMENT)
    check_sources(graded_course, ASSIGNMENT, before)
    notebook = next((root / "solutions" / ASSIGNMENT).glob("*.ipynb"))
    with notebook.open("a") as handle:
        handle.write("\n")
    with pytest.raises(CourseError, match="changed while it was being graded"):
        check_sources(graded_course, ASSIGNMENT, before)
