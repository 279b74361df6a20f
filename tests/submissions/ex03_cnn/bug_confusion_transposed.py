"""Puts the predicted class in the rows: the transpose of the confusion matrix."""

import numpy as np


def confusion_matrix(y_true, y_pred, num_classes=10):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for true, predicted in zip(np.ravel(y_true), np.ravel(y_pred)):
        matrix[predicted, true] += 1
    return matrix
