"""A correct submission that builds the network with keras.Sequential instead of the functional API."""

import keras


def build_cnn(input_shape=(32, 32, 3), num_classes=10):
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(64, 9, strides=2, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.BatchNormalization(),
            keras.layers.Conv2D(128, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(num_classes, activation="sigmoid"),
        ]
    )


def compile_cnn(model, learning_rate=1e-3):
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model
