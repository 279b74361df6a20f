"""Do the assertion helpers accept right answers and explain wrong ones?"""

import numpy as np
import pytest

from course_utils.checks import CheckError, assert_array_matches, assert_shape, assert_value_equals, tolerances_for


def test_does_a_matching_array_pass_across_integer_and_float_dtypes():
    assert_array_matches(np.array([1.0, 2.0]), [1, 2], "f(x)")
    assert_array_matches(np.array([1, 2]), np.array([1.0, 2.0]), "f(x)")


def test_does_a_wrong_shape_name_the_call_and_both_shapes():
    with pytest.raises(CheckError, match=r"conv1d\(mode='same'\) returned shape \(5,\), expected \(3,\)"):
        assert_array_matches(np.zeros(5), np.zeros(3), "conv1d(mode='same')")


def test_does_a_wrong_value_report_where_and_what():
    with pytest.raises(CheckError) as info:
        assert_array_matches(np.array([[1, 2], [3, 5]]), [[1, 2], [3, 4]], "conv2d(mode='valid')")
    message = str(info.value)
    assert (
        "1 of 4 positions" in message and "index (1, 1)" in message and "got 5" in message and "expected 4" in message
    )


def test_does_returning_none_hint_at_a_missing_return():
    with pytest.raises(CheckError, match="forget a `return`"):
        assert_array_matches(None, [1], "conv1d")


def test_is_a_list_instead_of_an_array_rejected():
    with pytest.raises(CheckError, match="returned a list, expected a NumPy array"):
        assert_array_matches([1, 2], [1, 2], "conv1d")


def test_is_a_complex_result_rejected_when_real_values_are_expected():
    with pytest.raises(CheckError, match="complex"):
        assert_array_matches(np.array([1 + 0j]), [1], "conv1d")


def test_are_float32_results_held_to_float32_precision_only():
    expected = np.array([1.0, 2.0])
    assert tolerances_for(np.float32(1)) == (1e-5, 1e-5)
    assert_array_matches((expected + 1e-6).astype(np.float32), expected.astype(np.float32), "pool")
    with pytest.raises(CheckError):
        assert_array_matches(expected + 1e-6, expected, "pool")


def test_does_an_exact_value_check_catch_type_and_value():
    assert_value_equals(np.int64(12), 12, "conv_output_size(32, 9, 2)")
    assert_value_equals([1, 12, 12, 64], (1, 12, 12, 64), "shape")
    with pytest.raises(CheckError, match="returned 11, expected 12"):
        assert_value_equals(11, 12, "conv_output_size(32, 9, 2)")
    with pytest.raises(CheckError, match="of type float, expected int"):
        assert_value_equals(12.0, 12, "conv_output_size(32, 9, 2)")


def test_does_a_hidden_check_keep_the_expected_values_secret():
    with pytest.raises(CheckError) as info:
        assert_array_matches(np.array([7.0, 1.0]), np.array([3.25, 1.0]), "conv1d(hidden case 3)", reveal=False)
    message = str(info.value)
    assert "got 7.0" in message and "3.25" not in message


def test_is_a_small_wrong_array_shown_in_full_beside_the_expected_one():
    with pytest.raises(CheckError) as info:
        assert_array_matches(np.array([9, 9, 9]), np.array([1, 2, 1]), "conv1d(mode='same')")
    assert "got:\n[9 9 9]\nexpected:\n[1 2 1]" in str(info.value)


def _uses_np_convolve(x, w):
    return np.convolve(x, w)


def _helper_with_scipy(x, w):
    from scipy import signal

    return signal.convolve(x, w)


def _calls_a_forbidden_helper(x, w):
    return _helper_with_scipy(x, w) + 0


def _honest(x, w):
    return np.array([np.sum(x * w)])


def test_does_the_forbidden_call_check_find_direct_imported_and_indirect_uses():
    from course_utils.checks import forbidden_calls

    assert forbidden_calls(_uses_np_convolve) == ["numpy.convolve"]
    assert forbidden_calls(_helper_with_scipy) == ["scipy.signal"]
    assert forbidden_calls(_calls_a_forbidden_helper) == ["scipy.signal"]
    assert forbidden_calls(_honest) == []


def test_does_a_forbidden_call_cost_the_function_with_a_reason():
    from course_utils.checks import assert_no_forbidden_calls

    assert_no_forbidden_calls(_honest, "conv1d")
    with pytest.raises(CheckError, match=r"conv1d uses numpy\.convolve; the exercise asks you to compute"):
        assert_no_forbidden_calls(_uses_np_convolve, "conv1d")


def test_does_a_sandbox_proxy_show_the_students_source_to_the_check():
    from course_utils.checks import forbidden_calls, function_source

    def proxy(*args):
        raise AssertionError("a proxy is never called by the source check")

    proxy.__student_source__ = "def conv1d(x, w):\n    return np.convolve(x, w)\n"
    assert function_source(proxy) == proxy.__student_source__
    assert forbidden_calls(proxy) == ["numpy.convolve"]


def test_does_assert_raises_accept_the_right_error_and_explain_the_others():
    from course_utils.checks import assert_raises

    def bad_mode():
        raise ValueError("mode must be 'full', 'valid' or 'same'")

    assert_raises(ValueError, bad_mode, "conv1d(mode='wide')")
    with pytest.raises(CheckError, match="returned a result; expected it to raise ValueError"):
        assert_raises(ValueError, lambda: 1, "conv1d(mode='wide')")
    with pytest.raises(CheckError, match=r"raised KeyError \('x'\); expected ValueError"):
        assert_raises(ValueError, lambda: {}["x"], "conv1d(mode='wide')")


def test_does_a_hidden_exact_check_keep_the_expected_value_secret():
    """With reveal=False, do a wrong size and a wrong shape say what was returned and not what was expected?"""
    with pytest.raises(CheckError) as size:
        assert_value_equals(0, 1, "conv_output_size(1, 1, 2, 'same')", reveal=False)
    with pytest.raises(CheckError) as shape:
        assert_array_matches(np.ones(4), np.ones(5), "conv1d(x, w)", reveal=False)
    assert "returned 0" in str(size.value) and "expected" not in str(size.value)
    assert "returned shape (4,)" in str(shape.value) and "(5,)" not in str(shape.value)


@pytest.mark.parametrize(
    ("result", "says"),
    [
        ([1.0, 2.0, 3.0], "returned a list, expected a NumPy array"),
        ((1.0, 2.0, 3.0), "returned a tuple, expected a NumPy array"),
        (None, "returned None; did you forget a `return` statement?"),
        (np.ones((3, 1)), "returned shape (3, 1), expected (3,)"),
    ],
)
def test_does_a_shape_check_explain_a_result_that_is_no_array_of_that_shape(result, says):
    """Does assert_shape name a list, a tuple, None or a wrong shape instead of failing on `.shape`?"""
    assert_shape(np.ones(3), (3,), "conv1d(x, w)")
    with pytest.raises(CheckError) as error:
        assert_shape(result, (3,), "conv1d(x, w)")
    assert says in str(error.value)
