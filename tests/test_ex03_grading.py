"""Does `nbgrader autograde` grade exercise 3 in tiers: full marks for correct work, and for a bug only its points?

The submission bank (``tests/submissions/ex03_cnn/``) runs through the real ``nbgrader autograde``. The structure
tier grades every variant with the training tier on the ``smoke`` budget (it only checks that training runs); the
``cpu`` training tier runs end to end on the real CIFAR-10 for the solution and for a network that cannot learn.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import REPO
from nbgrader_course import NbgraderCourse, read_variant

from course_utils import training

ASSIGNMENT = "ex03_cnn"
BANK = REPO / "tests" / "submissions" / ASSIGNMENT
#: Any cell may take this long while a shared machine is busy (the first one imports TensorFlow).
CELL_TIMEOUT = "--Execute.timeout=600"
TRAINING = "training_balanced_accuracy"

#: The grade cells each structure-tier variant must fail, and no others.
STRUCTURE_LOSSES = {
    "correct_sequential": set(),
    "bug_missing_batchnorm": {"build_cnn_layer_sequence", "build_cnn_shapes_and_params"},
    "bug_stride_one": {"build_cnn_shapes_and_params", "build_cnn_conv_hyperparameters"},
    "bug_softmax_output": {"build_cnn_dense_hyperparameters"},
    "bug_ber_plain_accuracy": {"balanced_error_rate_unbalanced", "balanced_error_rate_label_forms"},
    "bug_confusion_transposed": {"confusion_matrix_orientation", "confusion_matrix_book", "confusion_matrix_random"},
    "bug_filters_per_filter": {"normalize_filters_global"},
}
#: The same for the cpu training tier; "solution" is the instructor's notebook as a student would submit it.
TRAINING_LOSSES = {
    "solution": set(),
    "bug_linear_output": {"build_cnn_dense_hyperparameters", TRAINING},
}


def submit_and_grade(root, variants):
    """Submit each variant (a bank file, or the solution) to a new course and autograde them all; the course."""
    course = NbgraderCourse.create(root, [ASSIGNMENT])
    for variant in variants:
        answers = {} if variant == "solution" else read_variant(BANK / f"{variant}.py")
        course.submit(ASSIGNMENT, variant, course.student_notebook(ASSIGNMENT, answers))
    course.autograde(ASSIGNMENT, CELL_TIMEOUT)
    return course


def grade(root, variants, profile, cifar10_path, courses=1):
    """Grade the variants under ``profile`` in ``courses`` courses at once (one `nbgrader autograde` per core);
    returns {variant: the course that graded it}."""
    shares = [sorted(variants)[index::courses] for index in range(courses)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(training.PROFILE_ENV, profile)
        patch.setenv("COURSE_CIFAR10", str(cifar10_path))
        with ThreadPoolExecutor(max_workers=courses) as pool:
            graded = list(pool.map(submit_and_grade, [root / f"course{index}" for index in range(courses)], shares))
    return {variant: course for share, course in zip(shares, graded) for variant in share}


def lost(course, student):
    """The grade cells where ``student`` scored less than the maximum."""
    maximum = course.max_scores(ASSIGNMENT)
    return {grade_id for grade_id, score in course.scores(ASSIGNMENT)[student].items() if score < maximum[grade_id]}


@pytest.fixture(scope="module")
def structure_tier(tmp_path_factory, cifar10_path):
    return grade(tmp_path_factory.mktemp("ex03_structure"), STRUCTURE_LOSSES, "smoke", cifar10_path, courses=2)


@pytest.fixture(scope="module")
def training_tier(tmp_path_factory, cifar10_path):
    return grade(tmp_path_factory.mktemp("ex03_training"), TRAINING_LOSSES, "cpu", cifar10_path, courses=2)


def test_does_every_bank_file_have_an_expectation():
    assert {path.stem for path in BANK.glob("*.py")} == set(STRUCTURE_LOSSES) | set(TRAINING_LOSSES) - {"solution"}


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(STRUCTURE_LOSSES))
def test_does_a_variant_lose_exactly_the_points_of_its_bug(structure_tier, variant):
    assert lost(structure_tier[variant], variant) == STRUCTURE_LOSSES[variant]


@pytest.mark.slow
def test_do_several_grade_cells_share_the_points_of_each_function(structure_tier):
    course = structure_tier["bug_softmax_output"]
    maximum = course.max_scores(ASSIGNMENT)
    for function in (
        "build_cnn",
        "compile_cnn",
        "make_callbacks",
        "confusion_matrix",
        "balanced_error_rate",
        "normalize_filters",
    ):
        assert len([grade_id for grade_id in maximum if grade_id.startswith(function + "_")]) >= 2, function
    scores = course.scores(ASSIGNMENT)["bug_softmax_output"]
    assert 0 < sum(scores.values()) < sum(maximum.values())


@pytest.mark.slow
def test_does_the_feedback_explain_a_bug_without_showing_hidden_tests(structure_tier):
    html = structure_tier["bug_confusion_transposed"].feedback(ASSIGNMENT, "bug_confusion_transposed")
    assert "returned the transpose of the expected matrix" in html
    assert "sklearn_confusion_matrix" not in html and "check_training" not in html


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(TRAINING_LOSSES))
def test_does_the_cpu_training_tier_pass_the_solution_and_fail_a_network_that_cannot_learn(training_tier, variant):
    assert lost(training_tier[variant], variant) == TRAINING_LOSSES[variant]


@pytest.mark.slow
def test_does_the_graded_notebook_show_the_grader_s_own_measurement(training_tier):
    cells = {
        cell.metadata.get("nbgrader", {}).get("grade_id"): cell
        for cell in training_tier["solution"].autograded(ASSIGNMENT, "solution").cells
    }
    text = "".join(output.get("text", "") for output in cells[TRAINING].outputs)
    assert "Trained under the grader's cpu budget" in text and "balanced accuracy on the test set" in text


@pytest.mark.gpu
@pytest.mark.slow
def test_does_the_solution_pass_the_gpu_training_tier(tmp_path, cifar10_path):
    if not training.gpu_visible():
        pytest.skip("the gpu tier needs a visible GPU")
    courses = grade(tmp_path, ["solution"], "gpu", cifar10_path)
    assert lost(courses["solution"], "solution") == set()
