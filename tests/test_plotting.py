"""Do the book's figure helpers draw what the pages ask for, and leave pyplot clean?"""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.signal import convolve2d

from course_utils import plotting, reference


@pytest.fixture(autouse=True)
def no_open_figures():
    """Every test starts and must end with no figure open in pyplot."""
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a helper left a figure open in pyplot"


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def texts(fig: Figure) -> str:
    shown = []
    for ax in fig.axes:
        shown += [text.get_text() for text in ax.texts] + [ax.get_title(loc) for loc in ("left", "center", "right")]
    return "\n".join(shown)


def renders_to_png(fig: Figure) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue().startswith(b"\x89PNG")


def test_does_plot_images_show_each_image_unchanged_in_its_own_axes():
    gray = np.arange(12.0).reshape(3, 4)
    rgb = np.zeros((5, 6, 3), dtype=np.uint8)
    fig = plotting.plot_images([gray, rgb], ["grey", "colour"])
    assert isinstance(fig, Figure)
    axes = visible_axes(fig)
    assert len(axes) == 2
    assert [ax.images[0].get_array().shape for ax in axes] == [(3, 4), (5, 6, 3)]
    assert [ax.get_title() for ax in axes] == ["grey", "colour"]
    assert renders_to_png(fig)


def test_does_plot_images_centre_the_colour_scale_on_zero_when_asked():
    response = np.array([[-1.0, 3.0], [0.5, 2.0]])
    fig = plotting.plot_images([response, response], ["centred", "auto"], symmetric=[True, False])
    centred, auto = (ax.images[0] for ax in fig.axes)
    assert centred.get_clim() == (-3.0, 3.0)
    assert auto.get_clim() == (-1.0, 3.0)


def test_does_plot_images_refuse_a_missing_title():
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        plotting.plot_images([np.zeros((2, 2)), np.zeros((2, 2))], ["only one"])


def test_does_the_1d_figure_draw_the_flip_and_one_step_per_output():
    x, w = np.array(reference.CONV1D_X), np.array(reference.CONV1D_W)
    y = np.array(reference.CONV1D["full"])
    fig = plotting.plot_conv1d_steps(x, w, y)
    assert isinstance(fig, Figure)
    assert len(visible_axes(fig)) == 1 + len(y)
    shown = texts(fig)
    for i, value in enumerate(y):
        assert f"y[{i}] = {value}".replace("-", "\N{MINUS SIGN}") in shown
    assert "full overlap" in shown
    assert renders_to_png(fig)


def test_does_the_1d_figure_reject_an_output_that_is_not_the_full_convolution():
    with pytest.raises(ValueError, match="full convolution of length 5"):
        plotting.plot_conv1d_steps(reference.CONV1D_X, reference.CONV1D_W, reference.CONV1D["same"])


def test_does_the_2d_figure_draw_each_step_and_the_whole_output():
    x, w = np.array(reference.CONV2D_X), np.array(reference.CONV2D_W)
    y = convolve2d(x, w)
    fig = plotting.plot_conv2d_steps(x, w, y, steps=[(0, 0), (0, 1), (4, 4)])
    axes = visible_axes(fig)
    assert len(axes) == 4
    titles = [ax.get_title() for ax in axes]
    assert titles[0].startswith("Step 1: y[0, 0] = \N{MINUS SIGN}2")
    assert titles[1].startswith("Step 2: y[0, 1] = \N{MINUS SIGN}4")
    assert titles[2].startswith("Step 3: y[4, 4] = \N{MINUS SIGN}2")
    # The step panels hold the 7 x 7 zero-padded input, the last panel the 5 x 5 output.
    assert [len(ax.patches) for ax in axes] == [7 * 7 + 1] * 3 + [5 * 5]
    assert renders_to_png(fig)


def test_does_the_2d_figure_reject_an_output_of_the_wrong_shape():
    x, w = np.array(reference.CONV2D_X), np.array(reference.CONV2D_W)
    with pytest.raises(ValueError, match=r"full convolution of shape \(5, 5\)"):
        plotting.plot_conv2d_steps(x, w, np.array(reference.CONV2D["same"]), steps=[(0, 0)])


def test_does_plot_matrices_draw_one_numbered_grid_per_slice():
    h = np.array(reference.CONVND_FULL)
    fig = plotting.plot_matrices(list(h), ["h[0]", "h[1]", "h[2]"])
    axes = visible_axes(fig)
    assert len(axes) == 3
    assert [len(ax.patches) for ax in axes] == [9, 9, 9]
    assert sorted(text.get_text() for text in axes[1].texts) == sorted(
        str(v).replace("-", "\N{MINUS SIGN}") for v in h[1].ravel()
    )


def test_does_plot_matrices_refuse_arrays_that_are_not_2d():
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_matrices([np.zeros((2, 2, 2))], ["cube"])


def test_does_plot_windows_draw_one_bar_per_window_under_the_input():
    starts = list(range(0, 32 - 9 + 1, 2))
    fig = plotting.plot_windows(32, 9, starts)
    (ax,) = visible_axes(fig)
    assert len(ax.patches) == 32 + len(starts)
    assert ax.get_title() == "12 windows of size 9 over 32 inputs"
    assert renders_to_png(fig)


def test_does_plot_windows_refuse_a_window_that_leaves_the_input():
    with pytest.raises(ValueError, match="inside the input of size 32"):
        plotting.plot_windows(32, 9, [24])


def test_does_the_pooling_figure_show_the_input_and_each_result():
    x = np.array(reference.POOL_X)
    fig = plotting.plot_pooling(
        x,
        [np.array(reference.MAX_POOL), np.array(reference.AVG_POOL)],
        ["max", "average"],
        pool_size=reference.POOL_SIZE,
    )
    axes = visible_axes(fig)
    assert len(axes) == 3
    assert [len(ax.patches) for ax in axes] == [16, 4, 4]
    assert sorted(text.get_text() for text in axes[2].texts) == ["1", "1", "6.75", "\N{MINUS SIGN}0.25"]
    # The largest value of each window is bold: the four 9s.
    bold = [text.get_text() for text in axes[0].texts if text.get_fontweight() == "bold"]
    assert bold == ["9"] * 4
    assert renders_to_png(fig)


def test_does_the_pooling_figure_reject_a_result_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"expected \(2, 2\)"):
        plotting.plot_pooling(np.array(reference.POOL_X), [np.zeros((3, 3))], ["max"], pool_size=(2, 2))


def test_does_plot_timings_draw_one_line_per_method_in_milliseconds():
    fig = plotting.plot_timings([10, 100, 1000], {"direct": [1e-5, 1e-4, 1e-2], "fft": [2e-5, 4e-5, 1e-4]})
    (ax,) = visible_axes(fig)
    assert [line.get_label() for line in ax.get_lines()] == ["direct", "fft"]
    assert np.allclose(ax.get_lines()[0].get_ydata(), [1e-2, 1e-1, 10])
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert renders_to_png(fig)


def test_does_plot_timings_refuse_timings_that_do_not_match_the_sizes():
    with pytest.raises(ValueError, match="2 timings for 3 sizes"):
        plotting.plot_timings([1, 2, 3], {"direct": [1.0, 2.0]})


def test_does_plot_shift_change_show_before_after_and_their_difference_per_row():
    before = np.array([[0.0, 1.0], [2.0, 3.0]])
    after = np.array([[1.0, 1.0], [2.0, 0.0]])
    pooled = np.array([[3.0]])
    fig = plotting.plot_shift_change([(before, after), (pooled, pooled)], ["feature map", "pooled"])
    axes = visible_axes(fig)
    assert len(axes) == 6
    shown = [np.asarray(ax.images[0].get_array()) for ax in axes]
    assert np.array_equal(shown[0], before) and np.array_equal(shown[1], after)
    assert np.array_equal(shown[2], [[1.0, 0.0], [0.0, 3.0]])
    assert np.array_equal(shown[5], [[0.0]])
    # One colour scale per row, shared by its three panels.
    assert {ax.images[0].get_clim() for ax in axes[:3]} == {(0, 3.0)}
    assert axes[0].get_title() == "feature map\ninput" and axes[4].get_title() == "pooled\ninput shifted by 1 pixel"
    assert renders_to_png(fig)


def test_does_plot_shift_change_refuse_maps_of_different_shapes():
    with pytest.raises(ValueError, match="one shape"):
        plotting.plot_shift_change([(np.zeros((2, 2)), np.zeros((2, 3)))], ["map"])
    with pytest.raises(ValueError, match="1 pairs of maps but 2 titles"):
        plotting.plot_shift_change([(np.zeros((2, 2)), np.zeros((2, 2)))], ["map", "extra"])


def test_does_plot_receptive_fields_draw_one_labelled_square_per_layer():
    fields = [(10, 10, 9), (8, 8, 11), (4, 4, 19), (0, 0, 23)]
    labels = ["Conv2D 1", "MaxPooling2D 1", "Conv2D 2", "MaxPooling2D 2"]
    fig = plotting.plot_receptive_fields(32, fields, labels)
    (ax,) = visible_axes(fig)
    squares = [patch for patch in ax.patches if patch.get_label() in labels]
    assert [(p.get_y(), p.get_x(), p.get_width(), p.get_height()) for p in squares] == [
        (top, left, extent, extent) for top, left, extent in fields
    ]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == labels
    assert renders_to_png(fig)


def test_does_plot_receptive_fields_refuse_a_field_outside_the_input():
    with pytest.raises(ValueError, match="inside the 32 x 32 input"):
        plotting.plot_receptive_fields(32, [(20, 0, 19)], ["too low"])


def test_does_plot_training_losses_draw_one_log_scaled_line_per_run():
    losses = {"NumPy": [1.0, 0.1, 0.01], "Keras": [1.0, 0.2, 0.04, 0.008]}
    fig = plotting.plot_training_losses(losses, title="Learning a kernel")
    (ax,) = visible_axes(fig)
    assert ax.get_yscale() == "log" and ax.get_title() == "Learning a kernel"
    assert [line.get_label() for line in ax.lines] == ["NumPy", "Keras"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), losses["Keras"])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 1, 2, 3])
    assert renders_to_png(fig)


def test_does_plot_training_losses_refuse_a_loss_that_cannot_be_drawn_on_a_log_scale():
    with pytest.raises(ValueError, match="'broken'"):
        plotting.plot_training_losses({"broken": [1.0, 0.0]})
