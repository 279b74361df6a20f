"""Does every printed number in course_utils.reference still come out of NumPy, SciPy and Keras?"""

import numpy as np
import pytest
from scipy.signal import convolve, convolve2d

from course_utils import reference as ref


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_do_the_1d_outputs_match_np_convolve(mode):
    np.testing.assert_array_equal(np.convolve(ref.CONV1D_X, ref.CONV1D_W, mode), ref.CONV1D[mode])


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_do_the_2d_outputs_match_scipy_convolve2d(mode):
    np.testing.assert_array_equal(convolve2d(ref.CONV2D_X, ref.CONV2D_W, mode=mode), ref.CONV2D[mode])


def test_does_the_3d_output_match_scipy_convolve():
    np.testing.assert_array_equal(convolve(np.array(ref.CONVND_X), np.array(ref.CONVND_W)), ref.CONVND_FULL)


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def test_does_keras_conv2d_give_the_printed_output_shape(keras):
    layer = keras.layers.Conv2D(
        ref.CONV_LAYER_FILTERS, ref.CONV_LAYER_KERNEL_SIZE, strides=ref.CONV_LAYER_STRIDES, activation="relu"
    )
    x = np.random.default_rng(0).normal(size=ref.CONV_LAYER_INPUT_SHAPE).astype("float32")
    assert tuple(layer(x).shape) == ref.CONV_LAYER_OUTPUT_SHAPE


@pytest.mark.parametrize(
    ("layer_name", "expected"), [("MaxPooling2D", ref.MAX_POOL), ("AveragePooling2D", ref.AVG_POOL)]
)
def test_do_keras_pooling_layers_give_the_printed_results(keras, layer_name, expected):
    layer = getattr(keras.layers, layer_name)(pool_size=ref.POOL_SIZE, strides=ref.POOL_SIZE, padding="valid")
    x = np.array(ref.POOL_X, dtype="float32").reshape(1, 4, 4, 1)
    np.testing.assert_allclose(np.asarray(layer(x)).reshape(2, 2), expected)


def test_does_the_chapters_model_have_the_printed_layers_and_parameter_counts(keras):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(64, (9, 9), strides=(2, 2), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.BatchNormalization(),
            layers.Conv2D(128, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(10, activation="sigmoid"),
        ]
    )
    rows = [(type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]
    assert [("InputLayer", (32, 32, 3), 0), *rows] == list(ref.CNN_LAYERS)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (model.count_params(), trainable, non_trainable) == (
        ref.CNN_TOTAL_PARAMS,
        ref.CNN_TRAINABLE_PARAMS,
        ref.CNN_NON_TRAINABLE_PARAMS,
    )


def test_is_the_printed_classification_report_what_the_confusion_matrix_implies():
    from sklearn.metrics import balanced_accuracy_score, precision_recall_fscore_support

    cm = np.array(ref.CONFUSION_MATRIX)
    y_true = np.repeat(np.arange(10), cm.sum(axis=1))
    y_pred = np.concatenate([np.repeat(np.arange(10), row) for row in cm])
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred)
    for label, (p, r, f, s) in ref.CLASSIFICATION_REPORT.items():
        assert (round(precision[label], 2), round(recall[label], 2), round(f1[label], 2), support[label]) == (
            p,
            r,
            f,
            s,
        )
    assert round(float(np.mean(y_true == y_pred)), 2) == ref.TEST_ACCURACY
    assert round(balanced_accuracy_score(y_true, y_pred), 4) == ref.BALANCED_ACCURACY
    assert round(1 - ref.BALANCED_ACCURACY, 4) == ref.BER


def test_are_cats_and_dogs_the_most_confused_pair():
    cm = np.array(ref.CONFUSION_MATRIX)
    mutual = cm + cm.T
    np.fill_diagonal(mutual, 0)
    assert tuple(sorted(np.unravel_index(mutual.argmax(), mutual.shape))) == ref.MOST_CONFUSED_CLASSES


def test_is_the_printed_training_log_consistent():
    assert ref.TRAINING_LOG[ref.EPOCHS_RUN][1] == ref.FINAL_TRAIN_ACCURACY
    assert ref.CIFAR10_TRAIN_SHAPE[0] // ref.BATCH_SIZE == ref.STEPS_PER_EPOCH
    for epoch, (*_, learning_rate) in ref.TRAINING_LOG.items():
        halvings = np.log2(1e-3 / learning_rate)
        assert abs(halvings - round(halvings)) < 1e-3, f"epoch {epoch}: {learning_rate} is not 1e-3 halved"


def test_is_the_filter_grid_one_cell_per_first_layer_filter():
    assert np.prod(ref.FILTER_GRID) == ref.CONV_LAYER_FILTERS
    assert ref.FILTER_SHAPE == (*ref.CONV_LAYER_KERNEL_SIZE, ref.CONV_LAYER_INPUT_SHAPE[-1])


def test_does_keras_s_vgg19_have_the_layers_the_summary_gives(keras):
    """Keras's own VGG-19 (no weights downloaded): 16 convolutional and 3 dense layers, not the chapter's 12."""
    model = keras.applications.VGG19(weights=None, include_top=True)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == ref.VGG19_LAYERS["conv"] != ref.CHAPTER_VGG19_CONV_LAYERS
    assert kinds.count("Dense") == ref.VGG19_LAYERS["dense"]
    assert sum(ref.VGG19_LAYERS.values()) == 19


def test_is_resnet110_counted_as_its_paper_defines_it():
    """6n + 2 layers with weights for n = 18: a first convolution, 3 stages of n blocks of 2, one dense layer."""
    n = 18
    assert ref.RESNET110_LAYERS == {"conv": 1 + 3 * n * 2, "dense": 1}
    assert sum(ref.RESNET110_LAYERS.values()) == 6 * n + 2 == 110
    error = ref.RESNET110_CIFAR10_ERROR
    assert error["best"] < error["mean"] and error["best"] >= error["mean"] - 2 * error["sd"]
