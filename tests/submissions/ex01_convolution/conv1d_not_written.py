"""Bug: the function was never written: the released `raise NotImplementedError()` is still there.

Feedback: not written yet
"""


def conv1d(x, w, mode="full"):
    # YOUR CODE HERE
    raise NotImplementedError()
