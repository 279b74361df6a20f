"""The CIFAR-10 figure helpers of course_utils.plotting: what each figure contains."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from course_utils import plotting, reference
from course_utils.data import CLASS_NAMES


def test_does_the_sample_grid_show_every_image_with_its_class_name():
    """Does plot_class_samples draw one (32, 32, 3) image per axes, titled "label: name", in a 2 x 5 grid?"""
    images = np.random.default_rng(0).integers(0, 256, size=(10, 32, 32, 3), dtype=np.uint8)
    fig = plotting.plot_class_samples(images, np.arange(10), CLASS_NAMES)
    assert len(fig.axes) == 10
    for k, ax in enumerate(fig.axes):
        (image,) = ax.get_images()
        assert image.get_array().shape == (32, 32, 3)
        np.testing.assert_array_equal(image.get_array(), images[k])
        assert ax.get_title() == f"{k}: {CLASS_NAMES[k]}"
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == (2, 5)


def test_does_the_sample_grid_refuse_mismatched_labels():
    """Does plot_class_samples say so when there are more images than labels?"""
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        plotting.plot_class_samples(np.zeros((10, 32, 32, 3)), np.arange(9), CLASS_NAMES)


def test_does_the_architecture_diagram_draw_one_box_per_layer_with_shape_and_parameters():
    """Does plot_architecture draw a box, the type, the output shape and the parameter count of every layer?"""
    fig = plotting.plot_architecture(reference.CNN_LAYERS, title="CNN")
    (ax,) = fig.axes
    boxes = [patch for patch in ax.patches if isinstance(patch, Rectangle)]
    assert len(boxes) == len(reference.CNN_LAYERS)
    texts = [text.get_text() for text in ax.texts]
    assert texts.count("Conv2D") == 2 and texts.count("Dense") == 3
    assert "12 \N{MULTIPLICATION SIGN} 12 \N{MULTIPLICATION SIGN} 64" in texts
    assert "15,616 params" in texts and "131,328 params" in texts
    assert not any(text.endswith(" params") and text.startswith("0 ") for text in texts)
    arrows = [child for child in ax.get_children() if type(child).__name__ == "Annotation"]
    assert len(arrows) == len(reference.CNN_LAYERS) - 1


def test_does_the_architecture_diagram_write_the_optional_detail_under_the_layer_type():
    """Does a fourth field such as "9×9, stride 2, relu" appear in its box, and only where given?"""
    layers = [("InputLayer", (32, 32, 3), 0), ("Conv2D", (12, 12, 64), 15616, "9×9, stride 2, relu")]
    (ax,) = plotting.plot_architecture(layers).axes
    texts = [text.get_text() for text in ax.texts]
    assert texts.count("9×9, stride 2, relu") == 1
    assert len(texts) == 2 + 4 + 1  # type and shape of the input; type, detail, shape, params of the conv layer


def test_do_the_loss_curves_mark_each_learning_rate_halving():
    """Does plot_loss_curves draw both losses per epoch and one vertical line per learning-rate reduction?"""
    epochs = 40
    loss = np.linspace(0.3, 0.1, epochs)
    rates = [0.001] * 12 + [0.0005] * 15 + [0.00025] * 13
    fig = plotting.plot_loss_curves(loss, loss + 0.02, rates, best_epoch=30)
    (ax,) = fig.axes
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) == epochs]
    assert len(curves) == 2
    np.testing.assert_array_equal(curves[0].get_xdata(), np.arange(1, epochs + 1))
    np.testing.assert_allclose(curves[1].get_ydata(), loss + 0.02)
    verticals = sorted(line.get_xdata()[0] for line in ax.get_lines() if len(line.get_xdata()) == 2)
    assert verticals == [13, 28, 30]
    assert ax.get_xlabel() == "epoch" and "cross-entropy" in ax.get_ylabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()][-1] == "best epoch (30)"


def test_do_the_loss_curves_refuse_histories_of_different_lengths():
    """Does plot_loss_curves refuse a learning-rate list that is one epoch short?"""
    with pytest.raises(ValueError, match="one value per epoch"):
        plotting.plot_loss_curves([1, 2, 3], [1, 2, 3], [0.1, 0.1])


def test_does_the_confusion_heat_map_show_every_count_and_the_class_names():
    """Does plot_confusion_matrix show the (10, 10) matrix as an image with its 100 counts and named axes?"""
    matrix = np.array(reference.CONFUSION_MATRIX)
    fig = plotting.plot_confusion_matrix(matrix, CLASS_NAMES, title="chapter")
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the heat map and its colour bar
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), matrix)
    assert sorted(int(text.get_text()) for text in ax.texts) == sorted(matrix.ravel().tolist())
    assert [label.get_text() for label in ax.get_yticklabels()][3] == "3: cat"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")


def test_does_the_filter_grid_show_64_filters_in_8_by_8():
    """Does plot_filter_grid draw each (9, 9, 3) filter once, titled "Filter i", in an 8 x 8 grid?"""
    filters = np.random.default_rng(1).random((64, *reference.FILTER_SHAPE))
    fig = plotting.plot_filter_grid(filters, columns=reference.FILTER_GRID[1])
    assert len(fig.axes) == 64
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == reference.FILTER_GRID
    for i, ax in enumerate(fig.axes):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), filters[i])
        assert ax.get_title() == f"Filter {i}"


def test_does_the_filter_grid_refuse_unscaled_weights():
    """Does plot_filter_grid refuse raw weights outside [0, 1], which imshow would silently clip?"""
    with pytest.raises(ValueError, match="scaled to"):
        plotting.plot_filter_grid(np.full((4, 9, 9, 3), -0.2))
