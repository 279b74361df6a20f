"""A temporary nbgrader course for tests: release, fake submissions, the real ``nbgrader`` CLI, the real gradebook.

    course = NbgraderCourse.create(tmp_path, ["ex01_convolution"])  # the repo's nbgrader_config.py, solutions/<id>/
    notebook = course.student_notebook("ex01_convolution", {"conv1d": code})  # released copy, every answer filled
    course.submit("ex01_convolution", "alice", notebook)
    course.autograde("ex01_convolution")                        # one `nbgrader autograde` for every student
    course.scores("ex01_convolution")["alice"]                  # {grade_id: points earned}
    course.feedback("ex01_convolution", "alice")                # the feedback HTML nbgrader writes

A student notebook starts from the released notebook with each answer cell holding the instructor's solution
(its ``### BEGIN/END SOLUTION`` lines dropped); ``replace`` swaps in other code for the named answer cells.
:func:`read_variant` reads a submission-bank file (``tests/submissions/<assignment>/<variant>.py``) into that form:
each top-level public function goes to the answer cell of that name, with the imports and private helpers written
above it. :func:`points_by_function` sums a student's grade cells per function (grade ids are
``<function>_<what>``, bank files ``<function>_<bug>.py`` or ``correct_<style>.py``); :meth:`NbgraderCourse.submit_bank`
submits a whole bank at once.

:func:`grade_with_course` grades students of a repository assignment the way an instructor does: their notebooks
(the repository's released notebook with answers filled in, :func:`answered_release`) go through the installed
``course collect`` and one ``course autograde --jobs 2``, with the repository as the course and a temporary
workspace; it returns the stored results.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

REPO = Path(__file__).resolve().parent.parent
COURSE = Path(sys.executable).with_name("course")
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: TensorFlow stays quiet in any kernel that imports it; the course's notebooks must not need it.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def nbgrader(*args: str, cwd: Path, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real ``nbgrader`` command line in ``cwd`` (which holds nbgrader_config.py); output is captured."""
    # nbgrader runs `alembic` from PATH: put this interpreter's scripts folder first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **QUIET, "PATH": path},
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def course_command(*args, env: dict | None = None) -> str:
    """Run the installed `course` command on the repository; its output (raises on a non-zero exit)."""
    result = subprocess.run(
        [str(COURSE), *map(str, args), "--course-dir", REPO],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, **QUIET, **(env or {})},
    )
    if result.returncode != 0:
        raise RuntimeError(f"course {args[0]}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def answered_release(assignment: str, replace: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The repository's released notebook with every answer cell filled in: the solution's code, or
    ``replace[grade_id]``."""
    source = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    code = {**solution_code(source), **(replace or {})}
    notebook = nbformat.read(REPO / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    for grade_id, cell in answer_cells(notebook).items():
        cell.source = code[grade_id]
    return notebook


def grade_with_course(root: Path, assignment: str, students: dict[str, dict], env: dict | None = None) -> list[dict]:
    """Grade ``students`` (id → {answer cell: code}) with `course collect` and `course autograde --jobs 2`, in a
    workspace under ``root``; their result files (``results/<assignment>/<student>.json``), sorted by student."""
    for student, replace in students.items():
        path = root / "export" / student / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(answered_release(assignment, replace), path)
    workspace = root / "workspace"
    course_command("collect", assignment, root / "export", "--workspace", workspace, env=env)
    course_command("autograde", assignment, "--jobs", "2", "--workspace", workspace, env=env)
    return [json.loads(p.read_text()) for p in sorted((workspace / "results" / assignment).glob("*.json"))]


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """The notebook's autograded-answer cells by grade id."""
    return {
        cell.metadata.nbgrader["grade_id"]: cell
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def solution_code(notebook) -> dict[str, str]:
    """The instructor's code of each answer cell of a source notebook, without the solution marker lines."""
    return {
        grade_id: "\n".join(line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS)
        for grade_id, cell in answer_cells(notebook).items()
    }


def read_variant(path: Path) -> dict[str, str]:
    """A submission-bank file as {answer cell: code}: each public top-level function with the statements above it."""
    text = Path(path).read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    cells, pending = {}, []
    for node in body:
        first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
        pending.append("\n".join(lines[first - 1 : node.end_lineno]))
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            cells[node.name] = "\n\n".join(pending)
            pending = []
    if pending:
        raise ValueError(f"{path}: statements after the last public function belong to no answer cell")
    return cells


def owner(name: str, functions) -> str:
    """The function a name ``<function>_<what>`` (a grade id, a bank file) belongs to; the longest match wins."""
    owners = [function for function in functions if name.startswith(function + "_")]
    if not owners:
        raise ValueError(f"{name!r} belongs to none of {list(functions)}")
    return max(owners, key=len)


def points_by_function(scores: dict[str, float], functions) -> dict[str, float]:
    """Sum a student's grade cells ``<function>_<what>`` per function."""
    totals = dict.fromkeys(functions, 0.0)
    for grade_id, points in scores.items():
        totals[owner(grade_id, functions)] += points
    return totals


def hidden_regions(source: str) -> list[str]:
    """The text between each ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` pair of a cell's source."""
    regions, current = [], None
    for line in source.splitlines():
        if line.strip() == "### BEGIN HIDDEN TESTS":
            current = []
        elif line.strip() == "### END HIDDEN TESTS":
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


class NbgraderCourse:
    """An nbgrader course folder: nbgrader_config.py, solutions/, exercises/, submitted/, autograded/, gradebook.db."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def create(cls, root: Path, assignments, config: Path = REPO / "nbgrader_config.py") -> NbgraderCourse:
        """Copy the config and the assignments' sources into ``root`` and release them with generate_assignment."""
        course = cls(root)
        course.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(config, course.root / "nbgrader_config.py")
        for assignment in assignments:
            shutil.copytree(REPO / "solutions" / assignment, course.root / "solutions" / assignment)
            nbgrader("generate_assignment", assignment, "--force", cwd=course.root)
        return course

    def _notebook_path(self, folder: str, assignment: str, student: str | None = None) -> Path:
        parts = [folder] + ([student] if student else []) + [assignment, f"{assignment}.ipynb"]
        return self.root.joinpath(*parts)

    def source(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self._notebook_path("solutions", assignment), as_version=4)

    def released(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self._notebook_path("exercises", assignment), as_version=4)

    def student_notebook(self, assignment: str, replace: dict[str, str] | None = None) -> nbformat.NotebookNode:
        """The released notebook with every answer filled in: the solution's code, or ``replace[grade_id]``."""
        code = {**solution_code(self.source(assignment)), **(replace or {})}
        notebook = self.released(assignment)
        cells = answer_cells(notebook)
        unknown = set(code) - set(cells)
        if unknown:
            raise KeyError(f"{assignment} has no answer cells {sorted(unknown)}; it has {sorted(cells)}")
        for grade_id, cell in cells.items():
            cell.source = code[grade_id]
        return notebook

    def submit_bank(self, assignment: str, bank: Path) -> list[str]:
        """Submit each variant file of ``bank`` as a student named after the file (and "solution"); return the names."""
        self.submit(assignment, "solution", self.student_notebook(assignment))
        variants = sorted(Path(bank).glob("*.py"))
        for path in variants:
            self.submit(assignment, path.stem, self.student_notebook(assignment, read_variant(path)))
        return ["solution"] + [path.stem for path in variants]

    def submit(self, assignment: str, student: str, notebook) -> Path:
        """Place ``notebook`` where `nbgrader collect` would: submitted/<student>/<assignment>/<assignment>.ipynb."""
        path = self._notebook_path("submitted", assignment, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        return path

    def autograde(self, assignment: str, *args: str) -> subprocess.CompletedProcess:
        """Grade every submitted student of ``assignment`` in one `nbgrader autograde` call."""
        return nbgrader("autograde", assignment, "--force", *args, cwd=self.root)

    def autograded(self, assignment: str, student: str) -> nbformat.NotebookNode:
        return nbformat.read(self._notebook_path("autograded", assignment, student), as_version=4)

    def _gradebook(self) -> Gradebook:
        return Gradebook(f"sqlite:///{self.root / 'gradebook.db'}")

    def scores(self, assignment: str) -> dict[str, dict[str, float]]:
        """{student: {grade_id: score}} from the gradebook, for every graded submission of ``assignment``."""
        with self._gradebook() as gradebook:
            return {
                submission.student_id: {
                    grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                }
                for submission in gradebook.find_assignment(assignment).submissions
            }

    def max_scores(self, assignment: str) -> dict[str, float]:
        """{grade_id: points} of the assignment's graded cells."""
        with self._gradebook() as gradebook:
            return {
                cell.name: cell.max_score
                for notebook in gradebook.find_assignment(assignment).notebooks
                for cell in notebook.grade_cells
            }

    def feedback(self, assignment: str, student: str) -> str:
        """Run `nbgrader generate_feedback` for one student and return the HTML it wrote."""
        nbgrader("generate_feedback", assignment, "--student", student, "--force", cwd=self.root)
        return self.root.joinpath("feedback", student, assignment, f"{assignment}.html").read_text()
