"""Tests of course_utils.grading.trusted: hidden tests rerun outside the student's process, and the red-team bank.

The red-team bank (``tests/redteam/<assignment>/<attack>.py``) holds wrong code that tries to pass anyway; it runs
end to end through `course autograde` in tests/test_trusted_autograde.py. Here: the trusted regrade's own rules,
and one real nbgrader batch that shows what the attacks do to plain nbgrader.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import NbgraderCourse, answer_cells, owner, points_by_function, read_variant, solution_code

from course_utils.grading.sandbox import Sandbox, SandboxLimits
from course_utils.grading.trusted import regradable, regrade, regrade_submission
from course_utils.grading.trusted_results import TRUSTED_NOTE, apply_regrade

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "trusted_course" / "solutions" / "ex_trusted" / "ex_trusted.ipynb"
REDTEAM = REPO / "tests" / "redteam"
ASSIGNMENTS = ("ex01_convolution", "ex02_pooling", "ex04_backprop")


def source_path(assignment: str) -> Path:
    return FIXTURE if assignment == "ex_trusted" else REPO / "solutions" / assignment / f"{assignment}.ipynb"


def submission(assignment: str, replace: dict[str, str] | None = None):
    """The source notebook with each answer cell holding the instructor's code, or ``replace[grade_id]``."""
    notebook = nbformat.read(source_path(assignment), as_version=4)
    code = {**solution_code(notebook), **(replace or {})}
    for grade_id, cell in answer_cells(notebook).items():
        cell.source = code[grade_id]
    return notebook


def functions(assignment: str) -> list[str]:
    return list(answer_cells(nbformat.read(source_path(assignment), as_version=4)))


def trusted_points(assignment: str, replace: dict[str, str] | None = None, **options) -> dict:
    """regrade's results for the instructor's solution with ``replace`` swapped in."""
    return regrade(source_path(assignment), submission(assignment, replace), **options)


# --- correct and honest submissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("assignment", ["ex_trusted", *ASSIGNMENTS])
def test_does_a_correct_submission_keep_full_marks(assignment):
    """Does the instructor's own solution earn every point through the trusted path, with no message?"""
    results = trusted_points(assignment)
    assert results and all(v.points == v.max_points and v.message == "" for v in results.values())


def test_is_every_exercise_regradable():
    """Are all exercises regradable (Keras models cross as configs), and a notebook that exchanges TensorFlow
    tensors not?"""
    assert all(regradable(nbformat.read(source_path(a), as_version=4)) for a in (*ASSIGNMENTS, "ex03_cnn"))
    tensorflow = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import tensorflow as tf")])
    assert not regradable(tensorflow)


@pytest.mark.parametrize(
    "variant",
    [
        "def moving_sum(x, k):\n    return np.convolve(x, np.ones(k), 'valid')",
        "c = np.convolve\n\ndef moving_sum(x, k):\n    return c(x, np.ones(k), 'valid')",
        "from numpy import convolve as slide\n\ndef moving_sum(x, k):\n    return slide(x, np.ones(k), 'valid')",
        "def _helper(x, k):\n    return np.convolve(x, np.ones(k), 'valid')\n\n"
        "def moving_sum(x, k):\n    return _helper(x, k)",
    ],
)
def test_does_the_forbidden_call_check_read_the_students_code(variant):
    """Does assert_no_forbidden_calls still find np.convolve (direct, aliased, imported, in a helper) when the
    function under test is a proxy into the sandbox?"""
    verdict = trusted_points("ex_trusted", {"moving_sum": variant})["moving_sum_values"]
    points, message = verdict.points, verdict.message
    assert points == 0 and "numpy.convolve" in message


def test_does_a_function_made_by_exec_fail_the_source_check():
    """Is a function without a `def` in the answer cell (made by exec) refused, as inspect.getsource refuses it,
    even when it computes the right result?"""
    code = "exec('def moving_sum(x, k):\\n    return np.array([sum(x[i : i + k]) for i in range(len(x) - k + 1)])')"
    points, _, message, *_ = trusted_points("ex_trusted", {"moving_sum": code})["moving_sum_values"]
    assert points == 0 and "could not read the source of moving_sum" in message


def test_does_a_check_defined_in_an_answer_cell_stay_out_of_the_tests():
    """Does an answer cell that defines its own always-passing assert_array_matches leave the grader's in place?"""
    code = (
        "def assert_array_matches(*args, **kwargs):\n    pass\n\n"
        "def moving_sum(x, k):\n    return np.zeros(len(x) - k + 1)"
    )
    points, _, message, *_ = trusted_points("ex_trusted", {"moving_sum": code})["moving_sum_values"]
    assert points == 0 and message.startswith("CheckError: moving_sum([1, 2, 3, 4], 2) differs")


def test_do_hidden_expected_values_stay_out_of_the_messages():
    """Does a hidden case's failure message show what the student returned but not the expected values?"""
    code = (
        "def moving_sum(x, k):\n    x = np.asarray(x)\n    if len(x) == 4:\n"
        "        return np.array([x[i:i + k].sum() for i in range(len(x) - k + 1)])\n"
        "    return np.zeros(len(x) - k + 1)"
    )
    points, _, message, *_ = trusted_points("ex_trusted", {"moving_sum": code})["moving_sum_values"]
    assert points == 0 and "got 0.0" in message and ", expected" not in message and "expected:" not in message


@pytest.mark.parametrize(
    ("returned", "passes"), [("n - k + 1", True), ("np.int64(n - k + 1)", True), ("float(n - k + 1)", False)]
)
def test_does_a_results_type_get_the_same_verdict_as_in_the_notebook(returned, passes):
    """Does an int (or NumPy integer) pass and a float fail assert_value_equals, as when the test runs in-process?"""
    code = f"def window_count(n, k):\n    return {returned}"
    points, _, message, *_ = trusted_points("ex_trusted", {"window_count": code})["window_count_rule"]
    assert (points == 2) is passes
    assert passes or message.startswith("CheckError: window_count(4, 2) returned 3.0 of type float, expected int")


def test_does_the_submission_metadata_decide_nothing():
    """Are a test cell the student added (with grade metadata) and a second copy of an answer cell ignored?"""
    notebook = submission("ex_trusted")
    fake = nbformat.v4.new_code_cell(
        "assert True",
        metadata={
            "nbgrader": {
                "grade": True,
                "grade_id": "bonus",
                "points": 100,
                "solution": False,
                "locked": True,
                "schema_version": 3,
            }
        },
    )
    copy = nbformat.v4.new_code_cell(
        "def window_count(n, k):\n    return 0",
        metadata={
            "nbgrader": {
                "grade": False,
                "grade_id": "window_count",
                "solution": True,
                "locked": False,
                "schema_version": 3,
            }
        },
    )
    notebook.cells.extend([fake, copy])
    results = regrade(FIXTURE, notebook)
    assert set(results) == {"moving_sum_values", "window_count_rule"}
    assert sum(verdict.points for verdict in results.values()) == 5


def test_does_an_ipython_magic_in_an_answer_cell_work():
    """Does an answer cell with a line magic still define its function?"""
    code = "%load_ext autoreload\ndef window_count(n, k):\n    return n - k + 1"
    assert trusted_points("ex_trusted", {"window_count": code})["window_count_rule"][0] == 2


def test_does_code_that_never_finishes_loading_fail_every_test():
    """Does an answer cell that loops forever score 0 everywhere, within the load timeout?"""
    code = "while True:\n    pass\n\ndef window_count(n, k):\n    return n - k + 1"
    results = trusted_points("ex_trusted", {"window_count": code}, limits=SandboxLimits(load_timeout=3))
    assert all(v.points == 0 and "did not finish within 3 s" in v.message for v in results.values())


# --- `course autograde` and the real nbgrader ------------------------------------------------------------------------


def test_does_regrade_submission_replace_fooled_scores(tmp_path):
    """Does the call `course autograde` makes after nbgrader overwrite a fooled score, note it, and rewrite the
    autograded notebook's test cell to show the trusted failure?"""
    source, submitted, autograded = tmp_path / "source", tmp_path / "submitted", tmp_path / "autograded"
    for folder in (source, submitted, autograded):
        folder.mkdir()
    shutil.copy(FIXTURE, source / FIXTURE.name)
    wrong = submission("ex_trusted", {"moving_sum": "def moving_sum(x, k):\n    return np.zeros(len(x) - k + 1)"})
    for folder in (submitted, autograded):
        nbformat.write(wrong, folder / FIXTURE.name)
    parts = [
        {"notebook": "ex_trusted", "grade_id": "moving_sum_values", "score": 3.0, "max_score": 3.0, "error": None},
        {"notebook": "ex_trusted", "grade_id": "window_count_rule", "score": 2.0, "max_score": 2.0, "error": None},
    ]
    notes = regrade_submission(source, submitted, parts, autograded)
    assert [part["score"] for part in parts] == [0.0, 2.0]
    assert parts[0]["error"].startswith("CheckError: moving_sum([1, 2, 3, 4], 2) differs") and parts[1]["error"] is None
    assert len(notes.grader) == 1 and "moving_sum_values scored 3" in notes.grader[0] and notes.student == []
    cell = next(
        c
        for c in nbformat.read(autograded / FIXTURE.name, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "moving_sum_values"
    )
    assert [output.output_type for output in cell.outputs] == ["error"] and TRUSTED_NOTE in cell.outputs[0].evalue


def test_does_a_submission_graded_without_namespaces_say_so(tmp_path, monkeypatch):
    """After a sandbox of this process failed to enter its namespaces, does every later submission's result say that
    its trusted run had limits only, and why?"""
    source, submitted = tmp_path / "source", tmp_path / "submitted"
    for folder in (source, submitted):
        folder.mkdir()
    shutil.copy(FIXTURE, source / FIXTURE.name)
    nbformat.write(submission("ex_trusted", {}), submitted / FIXTURE.name)
    parts = [{"notebook": "ex_trusted", "grade_id": "moving_sum_values", "score": 3.0, "max_score": 3.0, "error": None}]
    assert regrade_submission(source, submitted, parts) == ([], [])
    monkeypatch.setattr(Sandbox, "_namespaces_failed", "mount: operation not permitted")
    monkeypatch.setattr(Sandbox, "_warned", True)
    notes = regrade_submission(source, submitted, parts)
    assert notes.student == []
    assert notes.grader == [
        "ex_trusted.ipynb: the trusted re-run had limits only isolation: namespaces failed here "
        "(mount: operation not permitted)" + ("; the student's code runs as root" if os.geteuid() == 0 else "")
    ]
    assert parts[0]["score"] == 3.0


def test_does_the_student_hear_why_a_function_passed_and_the_instructor_what_the_rerun_changed(tmp_path):
    """A moving_sum that counts its windows with the student's wrong window_count: is the note that it passes with
    a correct window_count for the student, and the note that its score changed from the notebook run's for the
    instructor only?"""
    source, submitted = tmp_path / "source", tmp_path / "submitted"
    for folder in (source, submitted):
        folder.mkdir()
    shutil.copy(FIXTURE, source / FIXTURE.name)
    calls_helper = (
        "def moving_sum(x, k):\n    x = np.asarray(x)\n"
        "    return np.array([x[i:i + k].sum() for i in range(window_count(len(x), k))])"
    )
    replace = {"moving_sum": calls_helper, "window_count": "def window_count(n, k):\n    return n - k"}
    nbformat.write(submission("ex_trusted", replace), submitted / FIXTURE.name)
    parts = [
        {"notebook": "ex_trusted", "grade_id": "moving_sum_values", "score": 0.0, "max_score": 3.0, "error": "E"},
        {"notebook": "ex_trusted", "grade_id": "window_count_rule", "score": 0.0, "max_score": 2.0, "error": "E"},
    ]
    notes = regrade_submission(source, submitted, parts)
    assert [part["score"] for part in parts] == [3.0, 0.0]
    assert notes.student == ["ex_trusted.ipynb: moving_sum_values: moving_sum passes with a correct window_count"]
    assert len(notes.grader) == 1 and "moving_sum_values scored 0 when the notebook ran and 3" in notes.grader[0]


HONEST_BUG = (
    "def avg_pool2d(x, pool_size=(2, 2), strides=None, padding='valid'):\n"
    "    x = np.asarray(x, dtype=float)\n    (ph, pw), (sh, sw) = pool_size, strides or pool_size\n"
    "    rows, cols = (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1\n"
    "    return np.stack([np.stack([x[:, i * sh:i * sh + ph, j * sw:j * sw + pw].max(axis=(1, 2))\n"
    "                               for j in range(cols)], axis=1) for i in range(rows)], axis=1)"
)


@pytest.mark.slow
def test_does_the_trusted_path_undo_what_fools_nbgrader(tmp_path):
    """In one real `nbgrader autograde` batch (ex02): do some attacks fool nbgrader, does apply_regrade then put 0 on
    their targets in the gradebook and the feedback, and do an honest student and an honest but buggy one keep
    exactly nbgrader's scores and messages?"""
    assignment = "ex02_pooling"
    attacks = ("patch_checks", "read_files", "gc_reference", "fake_array")
    course = NbgraderCourse.create(tmp_path / "course", [assignment])
    students = {"alice": {}, "bob": {"avg_pool2d": HONEST_BUG}}
    students.update(
        {attack.replace("_", ""): read_variant(REDTEAM / assignment / f"{attack}.py") for attack in attacks}
    )
    for student, replace in students.items():
        course.submit(assignment, student, course.student_notebook(assignment, replace))
    course.autograde(assignment, "--ExecutePreprocessor.timeout=300")
    names = functions(assignment)
    fooled = {student: points_by_function(scores, names) for student, scores in course.scores(assignment).items()}
    maximum = points_by_function(course.max_scores(assignment), names)
    for attack in attacks:
        target = next(iter(students[attack.replace("_", "")]))
        assert fooled[attack.replace("_", "")][target] > 0, f"{attack} should fool plain nbgrader on {target}"
    assert fooled["patchchecks"]["max_pool2d"] == maximum["max_pool2d"]
    assert fooled["readfiles"]["avg_pool2d"] == maximum["avg_pool2d"]
    before = course.scores(assignment)
    outputs = {
        student: {
            c.metadata.nbgrader["grade_id"]: [f"{o.ename}: {o.evalue}" for o in c.outputs if o.output_type == "error"]
            for c in course.autograded(assignment, student).cells
            if c.metadata.get("nbgrader", {}).get("grade")
        }
        for student in ("alice", "bob")
    }
    messages = {}
    for student in students:
        results = regrade(
            course.root / "solutions" / assignment / f"{assignment}.ipynb",
            course.root / "submitted" / student / assignment / f"{assignment}.ipynb",
            hide=[course.root],
        )
        messages[student] = {grade_id: verdict.message for grade_id, verdict in results.items()}
        apply_regrade(course.root, assignment, student, results)
    after = course.scores(assignment)
    for student, replace in students.items():
        if student in ("alice", "bob"):
            assert after[student] == before[student]
            assert all(outputs[student][g] == ([m] if m else []) for g, m in messages[student].items())
        else:
            earned = points_by_function(after[student], names)
            assert {name: earned[name] for name in replace} == dict.fromkeys(replace, 0.0)
    assert points_by_function(after["bob"], names)["avg_pool2d"] < maximum["avg_pool2d"]
    page = course.feedback(assignment, "patchchecks")
    assert TRUSTED_NOTE in page and "BEGIN HIDDEN TESTS" not in page


def test_does_os_exit_cost_no_more_than_a_broken_function():
    """Does a function that calls os._exit score 0, while the other function earns what it would earn next to an
    honestly broken one (the sandbox restarts; a function that keeps ending it is no longer run)?"""
    assignment = "ex02_pooling"
    exiting = trusted_points(assignment, read_variant(REDTEAM / assignment / "exit_early.py"))
    broken = trusted_points(
        assignment,
        {
            "max_pool2d": "def max_pool2d(x, pool_size=(2, 2), strides=None, "
            "padding='valid'):\n    raise NotImplementedError"
        },
    )
    names = functions(assignment)
    earned = {
        name: points_by_function({g: verdict.points for g, verdict in results.items()}, names)
        for name, results in (("exiting", exiting), ("broken", broken))
    }
    assert earned["exiting"]["max_pool2d"] == 0 and earned["exiting"] == earned["broken"]
    assert all(
        "stopped the grading process" in message or "was not run" in message
        for grade_id, (_, _, message, *_) in exiting.items()
        if grade_id.startswith("max_pool2d")
    )


def test_does_a_wrong_helper_cost_its_own_points_only():
    """A conv2d_layer that sizes its output with the student's own wrong conv_output_size: does it keep its points
    (its tests pass with the course's correct conv_output_size, and the result says so), while conv_output_size
    loses its own?"""
    code = solution_code(nbformat.read(source_path("ex01_convolution"), as_version=4))
    layer = code["conv2d_layer"]
    vectorised = layer[
        layer.index("    windows = sliding_window_view") : layer.index("    if bias is not None:\n        out")
    ]
    looped = (
        "    rows = conv_output_size(x.shape[1], kh, sh, 'valid')\n"
        "    cols = conv_output_size(x.shape[2], kw, sw, 'valid')\n"
        "    out = np.zeros((x.shape[0], rows, cols, kernel.shape[3]))\n"
        "    for i in range(rows):\n"
        "        for j in range(cols):\n"
        "            patch = x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]\n"
        "            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))\n"
    )
    off_by_one = code["conv_output_size"].replace(
        "return int((n - k) // stride + 1)", "return int((n - k) // stride + 2)"
    )
    assert looped != vectorised and off_by_one != code["conv_output_size"]
    results = regrade(
        source_path("ex01_convolution"),
        submission(
            "ex01_convolution", {"conv2d_layer": layer.replace(vectorised, looped), "conv_output_size": off_by_one}
        ),
    )
    layer_results = {k: v for k, v in results.items() if k.startswith("conv2d_layer_")}
    size_results = {k: v for k, v in results.items() if k.startswith("conv_output_size_")}
    assert layer_results and all(v.points == v.max_points for v in layer_results.values())
    assert any(v.note == "conv2d_layer passes with a correct conv_output_size" for v in layer_results.values())
    assert sum(v.points for v in size_results.values()) < sum(v.max_points for v in size_results.values())
    assert all(not v.note for v in size_results.values())


def test_does_a_forbidden_library_in_a_callee_cost_the_caller_nothing():
    """A conv2d_layer_backward that uses scipy.signal, called by the course's fit_kernel: does it lose all of its own
    points while fit_kernel keeps its points, graded with a correct conv2d_layer_backward (whose forbidden-call check
    reads the course's code, and whose reference gradients a hidden test of conv2d_layer_backward defines)?"""
    assignment = "ex04_backprop"
    path = REPO / "tests" / "submissions" / assignment / "conv2d_layer_backward_forbidden_correlate.py"
    results = regrade(source_path(assignment), submission(assignment, read_variant(path)))
    earned = points_by_function({grade_id: v.points for grade_id, v in results.items()}, functions(assignment))
    maximum = points_by_function({grade_id: v.max_points for grade_id, v in results.items()}, functions(assignment))
    assert earned == {**maximum, "conv2d_layer_backward": 0.0}
    fit_kernel = [v.note for grade_id, v in results.items() if grade_id.startswith("fit_kernel_")]
    assert fit_kernel and set(fit_kernel) == {"fit_kernel passes with a correct conv2d_layer_backward"}


def feedback_line(path: Path) -> str | None:
    """What a grading-bank file's docstring says its feedback must contain (its ``Feedback:`` line), or None."""
    match = re.search(r"^Feedback: (.+)$", ast.get_docstring(ast.parse(path.read_text())) or "", re.MULTILINE)
    return match.group(1) if match else None


COMMON_MISTAKES = sorted(
    (path for path in (REPO / "tests" / "submissions").glob("ex0[12]_*/*.py") if feedback_line(path)),
    key=lambda path: path.stem,
)


@pytest.mark.parametrize("path", COMMON_MISTAKES, ids=[path.stem for path in COMMON_MISTAKES])
def test_does_a_common_mistake_cost_its_own_function_only_and_say_what_it_did(path):
    """Graded as `course autograde` grades (the trusted re-run): does a common student mistake (an unflipped kernel,
    an off-by-one, a float size, a list, a leftover NotImplementedError, a print instead of a return, a warning)
    lose points of its own function only, with a message that names the mistake's effect?"""
    assignment = path.parent.name
    names = functions(assignment)
    buggy = owner(path.stem, names)
    results = regrade(source_path(assignment), submission(assignment, read_variant(path)))
    lost = {owner(grade_id, names) for grade_id, verdict in results.items() if verdict.points < verdict.max_points}
    assert lost == {buggy}, f"{path.stem} loses points of {sorted(lost)}"
    messages = [v.message for grade_id, v in results.items() if owner(grade_id, names) == buggy and v.message]
    assert any(feedback_line(path) in message for message in messages), messages
