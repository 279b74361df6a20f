"""The printed chapter's outputs, as data: the one source of truth for the book, the exercises and the tests.

Every value here is what the printed chapter shows. The book pages print and assert them, the exercises' visible
tests quote them, and ``tests/test_reference.py`` recomputes each one with NumPy, SciPy or Keras so they cannot
drift. Values are plain tuples (immutable); wrap them in ``np.array`` where an array is needed.
"""

# --- Convolution in one dimension (np.convolve) ------------------------------------------------------------------
CONV1D_X = (2, 3, 2)
CONV1D_W = (-1, 2, -1)
CONV1D = {
    "full": (-2, 1, 2, 1, -2),
    "valid": (2,),
    "same": (1, 2, 1),
}

# --- Convolution in two dimensions (scipy.signal.convolve2d) ----------------------------------------------------
CONV2D_X = (
    (2, 2, 2),
    (2, 3, 2),
    (2, 2, 2),
)
CONV2D_W = (
    (-1, -1, -1),
    (-1, 8, -1),
    (-1, -1, -1),
)
CONV2D = {
    "full": (
        (-2, -4, -6, -4, -2),
        (-4, 9, 5, 9, -4),
        (-6, 5, 8, 5, -6),
        (-4, 9, 5, 9, -4),
        (-2, -4, -6, -4, -2),
    ),
    "valid": ((8,),),
    "same": (
        (9, 5, 9),
        (5, 8, 5),
        (9, 5, 9),
    ),
}

# --- Convolution in n dimensions (scipy.signal.convolve, full mode) ---------------------------------------------
CONVND_X = (
    ((1, 1), (1, 1)),
    ((2, 2), (2, 2)),
)
CONVND_W = (
    ((1, -1), (1, -1)),
    ((1, -1), (1, -1)),
)
CONVND_FULL = (
    ((1, 0, -1), (2, 0, -2), (1, 0, -1)),
    ((3, 0, -3), (6, 0, -6), (3, 0, -3)),
    ((2, 0, -2), (4, 0, -4), (2, 0, -2)),
)

# --- The first convolutional layer (keras.layers.Conv2D) --------------------------------------------------------
CONV_LAYER_INPUT_SHAPE = (1, 32, 32, 3)
CONV_LAYER_FILTERS = 64
CONV_LAYER_KERNEL_SIZE = (9, 9)
CONV_LAYER_STRIDES = (2, 2)
CONV_LAYER_OUTPUT_SHAPE = (1, 12, 12, 64)

# --- Pooling (keras.layers.MaxPooling2D / AveragePooling2D, 2x2, stride 2, "valid") -----------------------------
POOL_X = (
    (-2, -4, -6, -4),
    (-4, 9, 5, 9),
    (-6, 5, 8, 5),
    (-4, 9, 5, 9),
)
POOL_SIZE = (2, 2)
MAX_POOL = (
    (9, 9),
    (9, 9),
)
AVG_POOL = (
    (-0.25, 1.0),
    (1.0, 6.75),
)

# --- The CIFAR-10 CNN --------------------------------------------------------------------------------------------
CIFAR10_TRAIN_SHAPE = (50000, 32, 32, 3)
CIFAR10_TEST_SHAPE = (10000, 32, 32, 3)
#: Test-set indices of the chapter's "one image per class" figure, in class order 0..9.
SAMPLE_TEST_INDICES = (3, 6, 25, 46, 58, 85, 93, 99, 108, 133)

#: (layer type, output shape without the batch axis, parameter count) for every layer of the chapter's model.
CNN_LAYERS = (
    ("InputLayer", (32, 32, 3), 0),
    ("Conv2D", (12, 12, 64), 15616),
    ("MaxPooling2D", (6, 6, 64), 0),
    ("BatchNormalization", (6, 6, 64), 256),
    ("Conv2D", (4, 4, 128), 73856),
    ("MaxPooling2D", (2, 2, 128), 0),
    ("BatchNormalization", (2, 2, 128), 512),
    ("Flatten", (512,), 0),
    ("Dropout", (512,), 0),
    ("Dense", (256,), 131328),
    ("Dropout", (256,), 0),
    ("Dense", (64,), 16448),
    ("Dropout", (64,), 0),
    ("Dense", (10,), 650),
)
CNN_TOTAL_PARAMS = 238666
CNN_TRAINABLE_PARAMS = 238282
CNN_NON_TRAINABLE_PARAMS = 384

# --- Training (the chapter's printed run) -----------------------------------------------------------------------
BATCH_SIZE = 100
STEPS_PER_EPOCH = 500
#: First two and last epochs of the printed log: epoch -> (loss, accuracy, val_loss, val_accuracy, learning rate).
TRAINING_LOG = {
    1: (0.2733, 0.3613, 0.2494, 0.4078, 0.0010),
    2: (0.2263, 0.4814, 0.2703, 0.4037, 0.0010),
    151: (0.0866, 0.8275, 0.1153, 0.7714, 7.8125e-06),
    152: (0.0864, 0.8285, 0.1154, 0.7707, 3.9063e-06),
    153: (0.0861, 0.8305, 0.1153, 0.7709, 3.9063e-06),
    154: (0.0860, 0.8306, 0.1153, 0.7709, 3.9063e-06),
    155: (0.0866, 0.8295, 0.1153, 0.7715, 3.9063e-06),
    156: (0.0857, 0.8315, 0.1153, 0.7713, 3.9063e-06),
}
EPOCHS_RUN = 156
FINAL_TRAIN_ACCURACY = 0.8315

# --- Results on the test set --------------------------------------------------------------------------------------
#: Rows are the true class, columns the predicted class (sklearn.metrics.confusion_matrix).
CONFUSION_MATRIX = (
    (821, 12, 36, 18, 12, 8, 4, 4, 51, 34),
    (17, 860, 3, 7, 2, 6, 8, 1, 22, 74),
    (61, 2, 656, 67, 72, 53, 43, 24, 11, 11),
    (11, 7, 47, 631, 55, 148, 38, 36, 10, 17),
    (21, 2, 48, 63, 736, 28, 31, 54, 12, 5),
    (12, 3, 35, 179, 39, 658, 16, 41, 4, 13),
    (2, 4, 32, 67, 34, 20, 820, 8, 8, 5),
    (12, 3, 18, 41, 42, 52, 5, 809, 3, 15),
    (43, 22, 12, 12, 2, 5, 3, 0, 875, 26),
    (29, 51, 10, 19, 2, 3, 5, 9, 26, 846),
)
#: The printed classification report: class -> (precision, recall, f1-score, support), two decimals.
CLASSIFICATION_REPORT = {
    0: (0.80, 0.82, 0.81, 1000),
    1: (0.89, 0.86, 0.87, 1000),
    2: (0.73, 0.66, 0.69, 1000),
    3: (0.57, 0.63, 0.60, 1000),
    4: (0.74, 0.74, 0.74, 1000),
    5: (0.67, 0.66, 0.66, 1000),
    6: (0.84, 0.82, 0.83, 1000),
    7: (0.82, 0.81, 0.81, 1000),
    8: (0.86, 0.88, 0.87, 1000),
    9: (0.81, 0.85, 0.83, 1000),
}
TEST_ACCURACY = 0.77
BALANCED_ACCURACY = 0.7712
BER = 0.2288
#: The pair of classes the model confuses most (cat, dog).
MOST_CONFUSED_CLASSES = (3, 5)

# --- Larger networks the chapter names ------------------------------------------------------------------------------
#: Convolutional layers the chapter gives VGG-19 (an erratum: the network has VGG19_LAYERS["conv"]).
CHAPTER_VGG19_CONV_LAYERS = 12
#: VGG-19's layers with weights (Simonyan and Zisserman 2014, configuration E).
VGG19_LAYERS = {"conv": 16, "dense": 3}
#: ResNet-110's layers with weights (He et al. 2016: 6n + 2 with n = 18): the first convolution, 3 stages of 18
#: residual blocks of two convolutions, and one dense layer.
RESNET110_LAYERS = {"conv": 109, "dense": 1}
#: ResNet-110's test error on CIFAR-10 in percent (He et al. 2016, Table 6): the best of 5 runs, and their mean and
#: standard deviation; the chapter quotes the mean, "6.61 % (0.16 %)".
RESNET110_CIFAR10_ERROR = {"best": 6.43, "mean": 6.61, "sd": 0.16}
#: ResNet-20's test error on CIFAR-10 in percent and its parameters (He et al. 2016, Table 6): the smallest of the
#: paper's CIFAR-10 networks (6n + 2 layers with n = 3).
RESNET20_CIFAR10 = {"error": 8.75, "parameters": 270_000, "layers": 20}

# --- Doing better than the chapter ----------------------------------------------------------------------------------
#: The fastest published CIFAR-10 training of the airbench paper (Jordan 2024): airbench94_compiled reaches 94.01 %
#: test accuracy in 3.29 seconds on one NVIDIA A100 GPU, for 0.36 PFLOPs of training.
AIRBENCH94 = {"accuracy": 94.01, "seconds": 3.29, "pflops": 0.36, "gpu": "NVIDIA A100"}
#: The page's goal: a balanced accuracy on all 10,000 test images, within the chapter's recorded run's wall time.
BEYOND_GOAL_BALANCED_ACCURACY = 0.85

# --- Learned filters ------------------------------------------------------------------------------------------------
FILTER_GRID = (8, 8)
FILTER_SHAPE = (9, 9, 3)
