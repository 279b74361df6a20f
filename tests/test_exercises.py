"""Are the NumPy exercises (1, 2 and 4) fit to release: valid sources, an up-to-date clean release, hidden references
that are right?

The release in exercises/ is generated from solutions/; after editing a source notebook regenerate it with

    .venv/bin/course release ex01_convolution ex02_pooling ex04_backprop
"""

from __future__ import annotations

import ast
import os
import re

import nbformat
import numpy as np
import pytest
from nbgrader_course import REPO, NbgraderCourse, answer_cells, hidden_regions, nbgrader, owner

ASSIGNMENTS = ("ex01_convolution", "ex02_pooling", "ex04_backprop")
REGENERATE = "regenerate it with `.venv/bin/course release {}`"


def source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def release(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)


def grade_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    return {
        cell.metadata.nbgrader["grade_id"]: cell
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }


def comparable(notebook) -> dict:
    """A notebook without what a regeneration may change: cell ids."""
    return {
        "metadata": notebook.metadata,
        "cells": [{key: value for key, value in cell.items() if key != "id"} for cell in notebook.cells],
    }


def given_code(assignment: str) -> dict:
    """What the source notebook's setup cells define: its imports and the code it gives students."""
    namespace: dict = {}
    for cell in source(assignment).cells:
        settings = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not settings.get("grade") and not settings.get("solution"):
            exec(compile(cell.source, f"<{assignment} setup>", "exec"), namespace)
    return namespace


def reference_functions(assignment: str) -> dict:
    """The ``reference_*`` functions defined in the source notebook's hidden tests, compiled with NumPy and the code
    the notebook gives students."""
    namespace = {"np": np, **given_code(assignment)}
    for cell in grade_cells(source(assignment)).values():
        for region in hidden_regions(cell.source):
            for node in ast.parse(region).body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("reference_"):
                    exec(compile(ast.Module([node], []), f"<{assignment} hidden tests>", "exec"), namespace)
    return {name: value for name, value in namespace.items() if name.startswith("reference_")}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_is_the_source_notebook_stored_without_outputs(assignment):
    for cell in source(assignment).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{assignment}: {cell.get('id')} has outputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_does_every_function_have_several_descriptively_named_graded_cells(assignment):
    notebook = source(assignment)
    functions = list(answer_cells(notebook))
    cells = grade_cells(notebook)
    per_function = {
        function: [grade_id for grade_id in cells if owner(grade_id, functions) == function] for function in functions
    }
    assert all(len(grade_ids) >= 3 for grade_ids in per_function.values()), per_function
    assert not [grade_id for grade_id in cells if grade_id.startswith("cell-")]
    assert all(cell.metadata.nbgrader["points"] > 0 for cell in cells.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_do_the_notebooks_import_only_numpy_and_course_utils(assignment):
    """No TensorFlow (or SciPy) in any cell, hidden tests included: grading a submission stays about a second."""
    imported = set()
    for cell in source(assignment).cells:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= {"numpy", "course_utils"}, imported


#: The checks whose failure message may quote the expected value unless called with ``reveal=False``.
REVEALING_CHECKS = {"assert_array_matches", "assert_value_equals", "assert_shape", "assert_number_matches"}


@pytest.mark.parametrize("assignment", [*ASSIGNMENTS, "ex03_cnn"])
def test_do_hidden_checks_keep_their_expected_values_hidden(assignment):
    """Does every check in a hidden test pass ``reveal=False``, so feedback never quotes a hidden case's answer?"""
    revealing = []
    for grade_id, cell in grade_cells(source(assignment)).items():
        for region in hidden_regions(cell.source):
            for node in ast.walk(ast.parse(region)):
                name = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
                reveal = next((k.value for k in node.keywords if k.arg == "reveal"), None) if name else None
                if name in REVEALING_CHECKS and not (isinstance(reveal, ast.Constant) and reveal.value is False):
                    revealing.append(f"{grade_id}: {ast.unparse(node)[:80]}")
    assert not revealing, "\n".join(revealing)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_does_every_test_of_a_function_refuse_forbidden_calls(assignment):
    """Does each test cell check its function for forbidden calls in its hidden part, so a function that uses one
    earns none of its points (as the notebook says)?"""
    notebook = source(assignment)
    functions = list(answer_cells(notebook))
    unchecked = [
        grade_id
        for grade_id, cell in grade_cells(notebook).items()
        if f"assert_no_forbidden_calls({owner(grade_id, functions)}," not in "\n".join(hidden_regions(cell.source))
    ]
    assert not unchecked, unchecked


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_is_the_release_free_of_solutions_hidden_tests_and_outputs(assignment):
    released, original = release(assignment), source(assignment)
    text = nbformat.writes(released)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "reference_"):
        assert marker not in text, f"exercises/{assignment} contains {marker!r}"
    for cell in released.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    for grade_id, cell in answer_cells(released).items():
        assert "raise NotImplementedError()" in cell.source, grade_id
    released_tests = grade_cells(released)
    for grade_id, cell in grade_cells(original).items():
        visible = {line.strip() for line in cell.source.splitlines()} - {
            line.strip() for region in hidden_regions(cell.source) for line in region.splitlines()
        }
        hidden = {line.strip() for region in hidden_regions(cell.source) for line in region.splitlines()}
        leaked = {line for line in hidden - visible if line and line in released_tests[grade_id].source}
        assert not leaked, f"{grade_id}: hidden lines in the release: {leaked}"


@pytest.mark.slow
def test_is_the_release_a_fresh_generate_assignment_of_the_sources(tmp_path):
    course = NbgraderCourse.create(tmp_path, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        fresh = sorted(path.name for path in (tmp_path / "exercises" / assignment).iterdir())
        stored = sorted(path.name for path in (REPO / "exercises" / assignment).iterdir())
        assert stored == fresh, f"exercises/{assignment} holds {stored}, a fresh release {fresh}"
        assert comparable(release(assignment)) == comparable(course.released(assignment)), (
            f"exercises/{assignment} is stale: " + REGENERATE.format(assignment)
        )


@pytest.mark.slow
def test_do_the_solution_notebooks_pass_nbgrader_validate():
    paths = [str(REPO / "solutions" / assignment / f"{assignment}.ipynb") for assignment in ASSIGNMENTS]
    result = nbgrader("validate", *paths, cwd=REPO)
    assert result.stdout.count("Success! Your notebook passes all the tests.") == len(paths), result.stdout


@pytest.mark.slow
def test_does_every_test_of_the_released_notebooks_fail_before_the_student_writes_code():
    paths = [str(REPO / "exercises" / assignment / f"{assignment}.ipynb") for assignment in ASSIGNMENTS]
    result = nbgrader("validate", "--invert", *paths, cwd=REPO)
    assert result.stdout.count("Success! The notebook does not pass any tests.") == len(paths), result.stdout


def test_does_the_hidden_convolution_reference_match_scipy():
    from scipy.signal import convolve, convolve2d

    reference_convolve = reference_functions("ex01_convolution")["reference_convolve"]
    rng = np.random.default_rng(0)
    for x_shape, w_shape in (
        ((7,), (3,)),
        ((2,), (5,)),
        ((5, 6), (2, 3)),
        ((2, 3), (4, 5)),
        ((4, 3, 5), (2, 2, 3)),
        ((3, 4, 2, 5), (2, 1, 2, 2)),
        ((1, 1), (1, 1)),
    ):
        for integers in (False, True):
            x = rng.integers(-9, 10, x_shape) if integers else rng.standard_normal(x_shape)
            w = rng.integers(-9, 10, w_shape) if integers else rng.standard_normal(w_shape)
            for mode in ("full", "valid", "same"):
                expected = convolve2d(x, w, mode) if len(x_shape) == 2 else convolve(x, w, mode, method="direct")
                actual = reference_convolve(x, w, mode)
                assert actual.shape == expected.shape and actual.dtype.kind == expected.dtype.kind
                np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        reference_convolve(np.ones((2, 5)), np.ones((4, 3)), "valid")


@pytest.mark.slow
def test_do_the_hidden_layer_and_pooling_references_match_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras

    reference_conv2d_layer = reference_functions("ex01_convolution")["reference_conv2d_layer"]
    reference_pool2d = reference_functions("ex02_pooling")["reference_pool2d"]
    rng = np.random.default_rng(1)
    cases = (
        ((2, 9, 7, 3), (3, 3), (1, 1)),
        ((1, 8, 8, 2), (2, 2), (2, 2)),
        ((2, 7, 10, 1), (4, 3), (2, 3)),
        ((1, 5, 6, 4), (2, 4), (3, 1)),
        ((1, 4, 4, 2), (1, 1), (3, 3)),
    )
    for x_shape, size, strides in cases:
        x = rng.standard_normal(x_shape).astype(np.float32)
        for padding in ("valid", "same"):
            layer = keras.layers.Conv2D(3, size, strides=strides, padding=padding, activation="relu")
            layer.build(x_shape)
            kernel = rng.standard_normal(layer.kernel.shape).astype(np.float32)
            bias = rng.standard_normal(3).astype(np.float32)
            layer.set_weights([kernel, bias])
            np.testing.assert_allclose(
                reference_conv2d_layer(x, kernel, bias, strides, padding, "relu"),
                np.asarray(layer(x)),
                rtol=1e-4,
                atol=1e-4,
            )
            negative = -np.abs(x) - 1  # a padded cell must never win a max
            maxima = keras.layers.MaxPooling2D(size, strides, padding)(negative)
            np.testing.assert_allclose(reference_pool2d(negative, np.max, size, strides, padding), maxima, rtol=1e-6)
            means = keras.layers.AveragePooling2D(size, strides, padding)(x)
            np.testing.assert_allclose(
                reference_pool2d(x, np.mean, size, strides, padding), means, rtol=1e-5, atol=1e-6
            )


@pytest.mark.slow
def test_do_the_backward_references_match_tensorflow_gradients():
    """Do exercise 4's hidden reference gradients (Conv2D, max and average pooling, steps of fit_kernel) and the
    forward passes it gives students match TensorFlow and tf.GradientTape, on random shapes, strides and both
    paddings?"""
    import tensorflow as tf

    given, references = given_code("ex04_backprop"), reference_functions("ex04_backprop")
    conv_backward, pool_backward = (
        references["reference_conv2d_layer_backward"],
        references["reference_pool2d_backward"],
    )
    forward = {"max": (given["max_pool2d"], tf.nn.max_pool2d), "avg": (given["avg_pool2d"], tf.nn.avg_pool2d)}
    rng = np.random.default_rng(3)
    cases = (
        ((2, 7, 9, 3), (3, 3, 3, 4), (1, 1)),
        ((1, 8, 6, 2), (2, 4, 2, 3), (2, 1)),
        ((2, 9, 10, 1), (4, 3, 1, 2), (2, 3)),
        ((1, 7, 7, 2), (2, 2, 2, 2), 3),
        ((1, 4, 5, 1), (5, 5, 1, 1), (1, 2)),
    )
    for x_shape, k_shape, strides in cases:
        x, kernel, bias = rng.standard_normal(x_shape), rng.standard_normal(k_shape), rng.standard_normal(k_shape[3])
        for padding in ("valid", "same"):
            if padding == "valid" and (k_shape[0] > x_shape[1] or k_shape[1] > x_shape[2]):
                continue
            tensors = [tf.constant(a) for a in (x, kernel, bias)]
            with tf.GradientTape() as tape:
                tape.watch(tensors)
                y = tf.nn.conv2d(tensors[0], tensors[1], strides, padding.upper()) + tensors[2]
                dy = rng.standard_normal(y.shape)
                loss = tf.reduce_sum(y * dy)
            np.testing.assert_allclose(
                given["conv2d_layer"](x, kernel, bias, strides, padding), y, rtol=1e-10, atol=1e-10
            )
            for got, expected in zip(conv_backward(dy, x, kernel, strides, padding), tape.gradient(loss, tensors)):
                np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
            pool_size = k_shape[:2]
            for kind, (numpy_pool, tf_pool) in forward.items():
                tensor = tf.constant(x)
                with tf.GradientTape() as tape:
                    tape.watch(tensor)
                    pooled = tf_pool(tensor, pool_size, strides, padding.upper())
                    dy = rng.standard_normal(pooled.shape)
                    loss = tf.reduce_sum(pooled * dy)
                np.testing.assert_allclose(numpy_pool(x, pool_size, strides, padding), pooled, rtol=1e-10, atol=1e-10)
                expected = tape.gradient(loss, tensor).numpy()
                if kind == "avg" and (pool_size[0] > x_shape[1] or pool_size[1] > x_shape[2]):
                    # where a window is larger than the input, TensorFlow's AvgPoolGrad is not the derivative of its
                    # own forward pass; average pooling is linear, so that derivative is exact: sum(dy * pool(unit))
                    units = np.eye(x.size).reshape(x.size, *x_shape)
                    pooled_units = [np.sum(dy * tf_pool(u, pool_size, strides, padding.upper())) for u in units]
                    expected = np.reshape(pooled_units, x_shape)
                got = pool_backward(dy, x, kind, pool_size, strides, padding)
                np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
    for x_shape, size, steps, rate in (((2, 6, 7, 1), (3, 3), 3, 0.1), ((1, 5, 8, 1), (2, 4), 5, 0.05)):
        x = rng.standard_normal(x_shape)
        y = rng.standard_normal((x_shape[0], x_shape[1] - size[0] + 1, x_shape[2] - size[1] + 1, 1))
        kernel = tf.Variable(tf.zeros((*size, 1, 1), tf.float64))
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((tf.nn.conv2d(x, kernel, 1, "VALID") - y) ** 2)
            kernel.assign_sub(rate * tape.gradient(loss, kernel))
        fitted = references["reference_fit_kernel"](x, y, size, steps, rate)
        np.testing.assert_allclose(fitted, kernel.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("assignment", [*ASSIGNMENTS, "ex03_cnn"])
def test_does_the_introduction_name_its_book_sections_and_say_how_to_check_and_submit(assignment):
    """Are the sections it names real page titles of the book, and does it say how to check and submit?"""
    released = nbformat.read(REPO / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    intro = released.cells[0].source
    titles = {
        page.read_text().split("\n# ", 1)[1].split("\n", 1)[0]
        for page in (REPO / "book").glob("*.md")
        if "\n# " in page.read_text()
    }
    named = re.findall(r"\*([^*]+)\*", intro.split("**On the course website**", 1)[1].split("\n\n", 1)[0])
    assert named and set(named) <= titles, f"{set(named) - titles} are not titles of book pages"
    assert f"course validate {assignment}.ipynb" in intro and "Restart & Run All" in intro
    assert f"Submit the saved `{assignment}.ipynb`" in intro
