"""Figure helpers shared by the book pages; each helper names the section that uses it.

Every helper returns a :class:`matplotlib.figure.Figure` that is already closed in pyplot: a notebook shows it once
when it is a cell's last expression, and no figure is left open for the next cell (or test) to draw into.
Helpers only draw: the numbers they show are computed by the page that calls them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

#: Colours used across the chapter's figures.
INPUT_COLOUR = "#dbe9f6"
KERNEL_COLOUR = "#fde0c5"
RESULT_COLOUR = "#d5f0d5"
PADDING_COLOUR = "#f2f2f2"
BLOCK_COLOURS = ("#dbe9f6", "#fde0c5", "#d5f0d5", "#eadcf5", "#fbf3c4", "#f8d7da", "#d1f2f0", "#e8e8e8", "#ffe4f0")


def _closed(fig: Figure) -> Figure:
    """Detach ``fig`` from pyplot (it stays drawable and displayable) and return it."""
    plt.close(fig)
    return fig


def _number(value) -> str:
    """A number as the chapter prints it: integers without a decimal point, other floats with up to 2 decimals."""
    value = float(value)
    if value.is_integer():
        return str(int(value)).replace("-", "\N{MINUS SIGN}")
    return f"{value:.2f}".rstrip("0").replace("-", "\N{MINUS SIGN}")


def _cell(
    ax: Axes,
    column: float,
    row: float,
    text: str,
    colour: str,
    *,
    dashed: bool = False,
    bold: bool = False,
    note: str = "",
) -> None:
    """Draw one unit square whose top-left corner is at (column, row), with ``text`` in its centre."""
    ax.add_patch(
        Rectangle(
            (column, row), 1, 1, facecolor=colour, edgecolor="0.35", linestyle="--" if dashed else "-", linewidth=1
        )
    )
    ax.text(
        column + 0.5,
        row + 0.5,
        text,
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold" if bold else "normal",
        color="0.45" if dashed else "black",
    )
    if note:
        ax.text(column + 0.95, row + 0.93, note, ha="right", va="bottom", fontsize=7, color="0.3")


def _grid_axes(ax: Axes, width: float, height: float, title: str = "") -> None:
    """Prepare ``ax`` for unit cells: row 0 at the top, equal aspect, no frame."""
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(height + 0.1, -0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)


def _draw_matrix(
    ax: Axes, values: np.ndarray, *, colours: np.ndarray | None = None, bold: np.ndarray | None = None, title: str = ""
) -> None:
    """Draw a 2-D array as a grid of numbered cells. colours, bold : (H, W) per-cell colour and emphasis."""
    values = np.asarray(values)
    height, width = values.shape
    _grid_axes(ax, width, height, title)
    for i in range(height):
        for j in range(width):
            colour = INPUT_COLOUR if colours is None else colours[i, j]
            _cell(ax, j, i, _number(values[i, j]), colour, bold=bool(bold is not None and bold[i, j]))


def _signed(value) -> str:
    text = _number(value)
    return f"({text})" if float(value) < 0 else text


# --- Why CNNs (why-cnns) -------------------------------------------------------------------------------------------


def _finish_curves(fig: Figure, ax: Axes, xlabel: str, ylabel: str, title: str) -> Figure:
    """Label, title, legend and grid of a figure of curves; return it closed."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _closed(fig)


def plot_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    cmap: str = "gray",
    symmetric: Sequence[bool] | None = None,
    width: float = 3.2,
) -> Figure:
    """Show images side by side, one axes each (why-cnns, convolution-2d, convolutional-layers).

    images    : each (H, W) (shown with ``cmap``) or (H, W, 3) RGB.
    symmetric : per image, centre the colour scale on zero (for filter responses with negative values).
    """
    if len(images) != len(titles):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles")
    symmetric = [False] * len(images) if symmetric is None else list(symmetric)
    fig, axes = plt.subplots(1, len(images), figsize=(width * len(images), width), squeeze=False)
    for ax, image, title, centred in zip(axes[0], images, titles, symmetric):
        image = np.asarray(image)
        limits = {}
        if centred:
            bound = float(np.abs(image).max()) or 1.0
            limits = {"vmin": -bound, "vmax": bound}
        ax.imshow(image, cmap=None if image.ndim == 3 else cmap, **limits)
        ax.set_title(title, fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return _closed(fig)


# --- Convolution in one dimension (convolution-1d) -------------------------------------------------------------------


def plot_conv1d_steps(x: Sequence[float], w: Sequence[float], y: Sequence[float]) -> Figure:
    """The full 1-D convolution ``y = x * w`` step by step: flip ``w``, then for each output shift, multiply, sum.

    x : (n,) input; w : (k,) kernel; y : (n + k - 1,) the full convolution, computed by the caller.
    One axes for the flip, then one per output element: x on top (zeros outside it dashed), the flipped kernel
    shifted under it, the products of the overlapping pairs, and the sum that becomes ``y[i]``.
    """
    x, w, y = np.asarray(x), np.asarray(w), np.asarray(y)
    n, k = len(x), len(w)
    if len(y) != n + k - 1:
        raise ValueError(f"y must be the full convolution of length {n + k - 1}, got length {len(y)}")
    left = k - 1  # x[0] sits in column `left`; the columns before and after it hold the implicit zeros
    width = n + 2 * (k - 1) + 4.5
    fig, axes = plt.subplots(len(y) + 1, 1, figsize=(width * 0.62, 1.45 * (len(y) + 1) + 0.3))

    flip_ax = axes[0]
    _grid_axes(flip_ax, width, 3)
    flip_ax.set_title("Flip: w read backwards", fontsize=11, loc="left")
    flip_ax.text(left - 0.2, 0.5, "w", ha="right", va="center", fontsize=11)
    flip_ax.text(left - 0.2, 2.0, "flipped w", ha="right", va="center", fontsize=11)
    for j in range(k):
        _cell(flip_ax, left + j, 0, _number(w[j]), KERNEL_COLOUR, note=f"w[{j}]")
        _cell(flip_ax, left + j, 1.5, _number(w[k - 1 - j]), KERNEL_COLOUR, note=f"w[{k - 1 - j}]")

    for i, ax in enumerate(axes[1:]):
        _grid_axes(ax, width, 3)
        full_overlap = i >= k - 1 and i <= n - 1
        ax.set_title(
            f"Shift by {i}" + ("  (full overlap: the 'valid' part)" if full_overlap else ""), fontsize=11, loc="left"
        )
        for column in range(n + 2 * (k - 1)):
            index = column - left
            if 0 <= index < n:
                _cell(ax, column, 0, _number(x[index]), INPUT_COLOUR)
            else:
                _cell(ax, column, 0, "0", PADDING_COLOUR, dashed=True)
        terms = []
        for j in range(k):
            column = i + j  # kernel element w[k-1-j] lies under x[i + j - left]
            weight = w[k - 1 - j]
            _cell(ax, column, 1, _number(weight), KERNEL_COLOUR)
            index = column - left
            if 0 <= index < n:
                _cell(ax, column, 2, _number(x[index] * weight), RESULT_COLOUR)
                terms.append(f"{_signed(x[index])}\N{MIDDLE DOT}{_signed(weight)}")
        ax.text(
            n + 2 * (k - 1) + 0.3,
            1.5,
            f"y[{i}] = {_number(y[i])}",
            ha="left",
            va="center",
            fontsize=12,
            fontweight="bold",
        )
        ax.text(0, 3.0, " + ".join(terms) + f" = {_number(y[i])}", ha="left", va="top", fontsize=9, color="0.25")
    fig.tight_layout()
    return _closed(fig)


def plot_timings(
    sizes: Sequence[int], timings: dict[str, Sequence[float]], *, xlabel: str = "signal length n", title: str = ""
) -> Figure:
    """Run time against problem size on log-log axes, one line per method (convolution-1d).

    sizes : (m,) problem sizes; timings : method name -> (m,) seconds.
    """
    for label, seconds in timings.items():
        if len(seconds) != len(sizes):
            raise ValueError(f"{label}: {len(seconds)} timings for {len(sizes)} sizes")
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for (label, seconds), marker in zip(timings.items(), "os^dv"):
        ax.loglog(sizes, np.asarray(seconds) * 1e3, marker=marker, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("time per call (ms)")
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.4)
    ax.legend()
    fig.tight_layout()
    return _closed(fig)


# --- Convolution in two dimensions (convolution-2d) -----------------------------------------------------------------


def plot_conv2d_steps(x: np.ndarray, w: np.ndarray, y: np.ndarray, steps: Sequence[tuple[int, int]]) -> Figure:
    """Chosen steps of the full 2-D convolution ``y = x * w``, then the whole output (convolution-2d).

    x : (H, W) input; w : (kH, kW) kernel; y : (H + kH - 1, W + kW - 1) full convolution, computed by the caller.
    steps : output positions (i, j) to draw. Each step shows x inside its frame of implicit zeros, the flipped
    kernel laid over it (kernel values in the corner of each covered cell) and the sum of products ``y[i, j]``.
    The last axes shows ``y`` with the drawn positions in bold.
    """
    x, w, y = np.asarray(x), np.asarray(w), np.asarray(y)
    (h, wd), (kh, kw) = x.shape, w.shape
    if y.shape != (h + kh - 1, wd + kw - 1):
        raise ValueError(f"y must be the full convolution of shape {(h + kh - 1, wd + kw - 1)}, got {y.shape}")
    flipped = w[::-1, ::-1]
    padded = np.zeros((h + 2 * (kh - 1), wd + 2 * (kw - 1)), dtype=x.dtype)
    padded[kh - 1 : kh - 1 + h, kw - 1 : kw - 1 + wd] = x
    inside = np.zeros(padded.shape, dtype=bool)
    inside[kh - 1 : kh - 1 + h, kw - 1 : kw - 1 + wd] = True

    panels = len(steps) + 1
    columns = min(panels, 2)
    rows = -(-panels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 4.9 * rows), squeeze=False)
    flat = axes.ravel()
    for ax in flat[panels:]:
        fig.delaxes(ax)
    for number, ((i, j), ax) in enumerate(zip(steps, flat), start=1):
        _grid_axes(ax, padded.shape[1], padded.shape[0])
        terms = []
        for r in range(padded.shape[0]):
            for c in range(padded.shape[1]):
                covered = i <= r < i + kh and j <= c < j + kw
                colour = INPUT_COLOUR if inside[r, c] else PADDING_COLOUR
                if covered and inside[r, c]:
                    colour = RESULT_COLOUR
                elif covered:
                    colour = KERNEL_COLOUR
                note = _number(flipped[r - i, c - j]) if covered else ""
                _cell(ax, c, r, _number(padded[r, c]), colour, dashed=not inside[r, c], note=note)
                if covered and inside[r, c]:
                    terms.append(f"{_signed(padded[r, c])}\N{MIDDLE DOT}{_signed(flipped[r - i, c - j])}")
        ax.add_patch(Rectangle((j, i), kw, kh, fill=False, edgecolor="#c0392b", linewidth=2.5))
        ax.set_title(f"Step {number}: y[{i}, {j}] = {_number(y[i, j])}\n" + " + ".join(terms), fontsize=10)
    bold = np.zeros(y.shape, dtype=bool)
    for i, j in steps:
        bold[i, j] = True
    colours = np.where(bold, RESULT_COLOUR, INPUT_COLOUR)
    _draw_matrix(flat[panels - 1], y, colours=colours, bold=bold, title="Full output y (drawn steps in bold)")
    fig.tight_layout()
    return _closed(fig)


# --- Convolution in n dimensions (convolution-nd) --------------------------------------------------------------------


def plot_matrices(matrices: Sequence[np.ndarray], titles: Sequence[str], *, cell: float = 0.55) -> Figure:
    """Small 2-D arrays side by side as numbered grids, one axes each (convolution-nd: the slices of a 3-D array).

    matrices : each (H, W).
    """
    if len(matrices) != len(titles):
        raise ValueError(f"got {len(matrices)} matrices but {len(titles)} titles")
    matrices = [np.asarray(m) for m in matrices]
    if any(m.ndim != 2 for m in matrices):
        raise ValueError("every matrix must be 2-D")
    widths = [m.shape[1] for m in matrices]
    height = max(m.shape[0] for m in matrices)
    fig, axes = plt.subplots(
        1,
        len(matrices),
        figsize=(cell * (sum(widths) + len(widths)) + 0.4, cell * height + 0.9),
        gridspec_kw={"width_ratios": widths},
        squeeze=False,
    )
    for ax, matrix, title in zip(axes[0], matrices, titles):
        _draw_matrix(ax, matrix, title=title)
    fig.tight_layout()
    return _closed(fig)


# --- Convolutional layers (convolutional-layers) ---------------------------------------------------------------------


def plot_windows(n: int, k: int, starts: Sequence[int]) -> Figure:
    """Where a kernel of size k lands along an input of size n when it starts at ``starts`` (convolutional-layers).

    One bar per window under a strip of n input cells; input cells that no window covers are hatched.
    """
    starts = list(starts)
    if any(start < 0 or start + k > n for start in starts):
        raise ValueError(f"every window [start, start + {k}) must lie inside the input of size {n}")
    covered = np.zeros(n, dtype=bool)
    for start in starts:
        covered[start : start + k] = True
    fig, ax = plt.subplots(figsize=(max(6.0, 0.28 * n + 1.5), 0.32 * len(starts) + 1.6))
    for column in range(n):
        ax.add_patch(
            Rectangle(
                (column, 0),
                1,
                1,
                facecolor=INPUT_COLOUR if covered[column] else "white",
                edgecolor="0.35",
                hatch=None if covered[column] else "///",
            )
        )
        ax.text(column + 0.5, 0.5, str(column), ha="center", va="center", fontsize=7)
    for row, start in enumerate(starts, start=1):
        ax.add_patch(Rectangle((start, row + 0.25), k, 0.6, facecolor=KERNEL_COLOUR, edgecolor="#c0392b"))
        ax.text(start - 0.3, row + 0.55, f"output {row - 1}", ha="right", va="center", fontsize=7)
    ax.set_xlim(-3.2, n + 0.2)
    ax.set_ylim(len(starts) + 1.1, -0.1)
    ax.axis("off")
    ax.set_title(f"{len(starts)} windows of size {k} over {n} inputs", fontsize=11)
    fig.tight_layout()
    return _closed(fig)


# --- Pooling (pooling) ------------------------------------------------------------------------------------------------


def plot_pooling(
    x: np.ndarray, pooled: Sequence[np.ndarray], titles: Sequence[str], pool_size: tuple[int, int]
) -> Figure:
    """A 2-D input split into pooling windows, next to the pooled results (pooling).

    x : (H, W) input; pooled : results of non-overlapping pooling, each (H // pH, W // pW), one axes each.
    Each window and the output cell it produces share a colour; the largest value of each window is bold.
    """
    x = np.asarray(x)
    ph, pw = pool_size
    rows, columns = x.shape[0] // ph, x.shape[1] // pw
    pooled = [np.asarray(result) for result in pooled]
    if len(pooled) != len(titles):
        raise ValueError(f"got {len(pooled)} results but {len(titles)} titles")
    for result, title in zip(pooled, titles):
        if result.shape != (rows, columns):
            raise ValueError(f"{title}: pooled shape {result.shape}, expected {(rows, columns)}")
    block = np.full(x.shape, PADDING_COLOUR, dtype=object)
    bold = np.zeros(x.shape, dtype=bool)
    for r in range(rows):
        for c in range(columns):
            window = x[r * ph : (r + 1) * ph, c * pw : (c + 1) * pw]
            block[r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = BLOCK_COLOURS[(r * columns + c) % len(BLOCK_COLOURS)]
            top = np.unravel_index(np.argmax(window), window.shape)
            bold[r * ph + top[0], c * pw + top[1]] = True
    out_colours = np.array(
        [[BLOCK_COLOURS[(r * columns + c) % len(BLOCK_COLOURS)] for c in range(columns)] for r in range(rows)],
        dtype=object,
    )
    widths = [x.shape[1]] + [result.shape[1] for result in pooled]
    fig, axes = plt.subplots(
        1,
        1 + len(pooled),
        figsize=(0.75 * sum(widths) + 1.6 * len(widths), 0.75 * x.shape[0] + 1),
        gridspec_kw={"width_ratios": widths},
    )
    _draw_matrix(axes[0], x, colours=block, bold=bold, title=f"input, {ph}\N{MULTIPLICATION SIGN}{pw} windows")
    for ax, result, title in zip(axes[1:], pooled, titles):
        _draw_matrix(ax, result, colours=out_colours, title=title)
    fig.tight_layout()
    return _closed(fig)


# --- CIFAR-10 figures ---


def plot_class_samples(
    images: np.ndarray, labels: Sequence[int], class_names: Sequence[str], *, columns: int = 5
) -> Figure:
    """One image per panel titled "label: class name", in a grid of ``columns`` (cifar10-cnn).

    images : (N, H, W, 3) RGB, uint8 or floats in [0, 1]; labels : (N,) integer classes.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must have shape (N, H, W, 3), got {images.shape}")
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.0 * columns, 2.1 * rows), squeeze=False)
    for ax in axes.ravel()[len(images) :]:
        fig.delaxes(ax)
    for ax, image, label in zip(axes.ravel(), images, labels):
        ax.imshow(image)
        ax.set_title(f"{label}: {class_names[label]}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return _closed(fig)


def plot_architecture(layers: Sequence[tuple], *, title: str = "") -> Figure:
    """A network as a column of boxes, input at the top, joined by arrows (cifar10-cnn).

    layers : (layer type, output shape without the batch axis, parameter count[, detail]), one per layer, in order.
    Each box names the layer type, an optional detail under it (e.g. "9×9, stride 2, relu"), the output shape and
    (when it has any) the parameter count.
    """
    if not layers:
        raise ValueError("layers must not be empty")
    kinds = sorted({layer[0] for layer in layers})
    colour = {kind: BLOCK_COLOURS[i % len(BLOCK_COLOURS)] for i, kind in enumerate(kinds)}
    step, height, width = 1.0, 0.72, 6.0
    fig, ax = plt.subplots(figsize=(6.2, 0.62 * len(layers) + 0.5))
    for row, (kind, shape, params, *detail) in enumerate(layers):
        top = row * step
        ax.add_patch(Rectangle((0, top), width, height, facecolor=colour[kind], edgecolor="0.3", linewidth=1))
        size = " \N{MULTIPLICATION SIGN} ".join(str(n) for n in shape)
        if detail and detail[0]:
            ax.text(0.2, top + 0.27 * height, kind, ha="left", va="center", fontsize=10, fontweight="bold")
            ax.text(0.2, top + 0.72 * height, detail[0], ha="left", va="center", fontsize=8, color="0.25")
        else:
            ax.text(0.2, top + height / 2, kind, ha="left", va="center", fontsize=10, fontweight="bold")
        ax.text(3.2, top + height / 2, size, ha="left", va="center", fontsize=10)
        if params:
            ax.text(
                width - 0.15, top + height / 2, f"{params:,} params", ha="right", va="center", fontsize=9, color="0.25"
            )
        if row:
            ax.annotate(
                "",
                xy=(width / 2, top),
                xytext=(width / 2, top - step + height),
                arrowprops={"arrowstyle": "->", "color": "0.3"},
            )
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(len(layers) * step, -0.15)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return _closed(fig)


def plot_loss_curves(
    train_loss: Sequence[float],
    val_loss: Sequence[float],
    learning_rates: Sequence[float],
    *,
    ylabel: str = "binary cross-entropy loss",
    best_epoch: int | None = None,
    title: str = "",
) -> Figure:
    """Training and validation loss per epoch, with a dotted line at every learning-rate reduction (cifar10-cnn).

    train_loss, val_loss, learning_rates : (E,) per epoch (epoch 1 first); best_epoch : 1-based, marked if given.
    """
    train_loss, val_loss, learning_rates = (np.asarray(a, dtype=float) for a in (train_loss, val_loss, learning_rates))
    if not len(train_loss) == len(val_loss) == len(learning_rates):
        raise ValueError("train_loss, val_loss and learning_rates must have one value per epoch")
    epochs = np.arange(1, len(train_loss) + 1)
    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    ax.plot(epochs, train_loss, color="#785ef0", label="training set")
    ax.plot(epochs, val_loss, color="#dc267f", label="test set (validation)")
    drops = epochs[1:][learning_rates[1:] < learning_rates[:-1]]
    for number, epoch in enumerate(drops):
        ax.axvline(
            epoch, color="0.5", linestyle=":", linewidth=1, label="learning rate halved" if number == 0 else None
        )
    if best_epoch is not None:
        ax.axvline(best_epoch, color="#fe6100", linestyle="--", linewidth=1.2, label=f"best epoch ({best_epoch})")
    return _finish_curves(fig, ax, "epoch", ylabel, title)


def plot_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str], *, title: str = "") -> Figure:
    """A confusion matrix as a heat map with the count in every cell (cifar10-cnn).

    matrix : (K, K) counts, rows the true class and columns the predicted class; class_names : (K,).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(class_names):
        raise ValueError(f"matrix must be ({len(class_names)}, {len(class_names)}), got {matrix.shape}")
    fig, ax = plt.subplots(figsize=(7.2, 6.2))
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="test images")
    threshold = matrix.max() / 2
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(
                j,
                i,
                str(int(matrix[i, j])),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if matrix[i, j] > threshold else "black",
            )
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=[f"{k}: {name}" for k, name in enumerate(class_names)], rotation=45, ha="right")
    ax.set_yticks(ticks, labels=[f"{k}: {name}" for k, name in enumerate(class_names)])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _closed(fig)


def plot_filter_grid(filters: np.ndarray, *, columns: int = 8) -> Figure:
    """Filters as small RGB images in a grid, titled "Filter i" (learned-filters).

    filters : (F, kH, kW, 3) values already scaled to [0, 1] by the caller.
    """
    filters = np.asarray(filters)
    if filters.ndim != 4 or filters.shape[-1] != 3:
        raise ValueError(f"filters must have shape (F, kH, kW, 3), got {filters.shape}")
    if filters.min() < 0 or filters.max() > 1:
        raise ValueError("filters must be scaled to [0, 1] before drawing")
    rows = -(-len(filters) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.45 * rows), squeeze=False)
    for ax in axes.ravel()[len(filters) :]:
        fig.delaxes(ax)
    for index, (ax, kernel) in enumerate(zip(axes.ravel(), filters)):
        ax.imshow(kernel, interpolation="nearest")
        ax.set_title(f"Filter {index}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return _closed(fig)


# --- Pooling: small shifts and receptive fields (pooling) -------------------------------------------------------------


def plot_shift_change(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], titles: Sequence[str], *, width: float = 2.8
) -> Figure:
    """Maps of an image and of the image shifted by a pixel, and how much they differ, one row per map (pooling).

    pairs  : one (before, after) per row, each (H, W): e.g. a feature map and the feature map of the shifted image,
             then the same two maps pooled. titles : one per row, naming the map (and the change the page measured).
    Columns: before, after, |after - before|; each row has one colour scale, shared by its three panels.
    """
    if len(pairs) != len(titles):
        raise ValueError(f"got {len(pairs)} pairs of maps but {len(titles)} titles")
    pairs = [(np.asarray(before, dtype=float), np.asarray(after, dtype=float)) for before, after in pairs]
    for (before, after), title in zip(pairs, titles):
        if before.ndim != 2 or before.shape != after.shape:
            raise ValueError(
                f"{title}: before and after must be 2-D maps of one shape, got {before.shape}, {after.shape}"
            )
    fig, axes = plt.subplots(len(pairs), 3, figsize=(3 * width, width * len(pairs) + 0.2), squeeze=False)
    for row, ((before, after), title) in zip(axes, zip(pairs, titles)):
        top = float(max(np.abs(before).max(), np.abs(after).max())) or 1.0
        panels = [(before, "input"), (after, "input shifted by 1 pixel"), (np.abs(after - before), "difference")]
        for ax, (image, label) in zip(row, panels):
            ax.imshow(image, cmap="gray", vmin=0, vmax=top, interpolation="nearest")
            ax.set_title(f"{title}\n{label}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    return _closed(fig)


def plot_receptive_fields(size: int, fields: Sequence[tuple[int, int, int]], labels: Sequence[str]) -> Figure:
    """The input pixels that one unit of each layer sees, as nested squares on the size x size input (pooling).

    fields : one (top, left, extent) per layer, in input pixels, computed by the page; labels : one per field.
    """
    if len(fields) != len(labels):
        raise ValueError(f"got {len(fields)} fields but {len(labels)} labels")
    for (top, left, extent), label in zip(fields, labels):
        if top < 0 or left < 0 or extent < 1 or top + extent > size or left + extent > size:
            raise ValueError(f"{label}: the field ({top}, {left}, {extent}) must lie inside the {size} x {size} input")
    colours = ("#c0392b", "#e67e22", "#27ae60", "#2e86c1", "#8e44ad", "#34495e")
    fig, ax = plt.subplots(figsize=(6.8, 5.0))
    ax.add_patch(Rectangle((0, 0), size, size, facecolor=INPUT_COLOUR, edgecolor="0.35"))
    for line in range(1, size):
        ax.plot([line, line], [0, size], color="white", linewidth=0.6)
        ax.plot([0, size], [line, line], color="white", linewidth=0.6)
    for number, ((top, left, extent), label) in enumerate(zip(fields, labels)):
        colour = colours[number % len(colours)]
        # A light fill shows each field even where its edges coincide with another field's; earlier (smaller)
        # fields are drawn on top.
        ax.add_patch(
            Rectangle(
                (left, top),
                extent,
                extent,
                facecolor=to_rgba(colour, 0.15),
                edgecolor=colour,
                linewidth=2.5,
                label=label,
                zorder=3 + len(fields) - number,
            )
        )
    ax.set_xlim(-0.5, size + 0.5)
    ax.set_ylim(size + 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(0, size + 1, 4))
    ax.set_yticks(range(0, size + 1, 4))
    ax.tick_params(labelsize=8)
    ax.set_title(f"Receptive fields on the {size} \N{MULTIPLICATION SIGN} {size} input", fontsize=11)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=9, frameon=False)
    fig.tight_layout()
    return _closed(fig)


def plot_training_losses(losses: dict[str, Sequence[float]], *, title: str = "") -> Figure:
    """Loss per gradient-descent step on a log scale, one line per run (learning-kernels).

    losses : run name -> (S,) losses, step 0 (before any update) first; all positive.
    """
    runs = {name: np.asarray(values, dtype=float) for name, values in losses.items()}
    for name, values in runs.items():
        if values.ndim != 1 or not np.all(values > 0):
            raise ValueError(f"the losses of {name!r} must be a 1-D sequence of positive numbers")
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    for (name, values), colour in zip(runs.items(), ("#785ef0", "#dc267f", "#fe6100", "#648fff"), strict=False):
        ax.plot(np.arange(len(values)), values, color=colour, label=name)
    ax.set_yscale("log")
    return _finish_curves(fig, ax, "gradient-descent step", "loss (mean squared error)", title)


# --- Doing better than the chapter (beyond-the-chapter) --------------------------------------------------------------

CURVE_COLOURS = ("#785ef0", "#dc267f", "#fe6100", "#648fff", "#ffb000", "#009e73", "#555555")


def plot_accuracy_against_time(
    curves: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    goal: float | None = None,
    budget_minutes: float | None = None,
    title: str = "",
) -> Figure:
    """Test balanced accuracy against training time, one line per run, minutes on a log scale (beyond-the-chapter).

    curves : run name -> (minutes (E,), balanced accuracy (E,)), one point per epoch, both increasing in time.
    goal   : a dashed horizontal line at this accuracy; budget_minutes : a dotted vertical line at the budget.
    """
    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    for (name, (minutes, accuracy)), colour in zip(curves.items(), CURVE_COLOURS * 2, strict=False):
        minutes, accuracy = np.asarray(minutes, dtype=float), np.asarray(accuracy, dtype=float)
        if minutes.shape != accuracy.shape or minutes.ndim != 1 or not np.all(minutes > 0):
            raise ValueError(f"the curve {name!r} needs as many accuracies as positive times, one per epoch")
        ax.plot(minutes, accuracy, color=colour, label=name, marker="." if len(minutes) < 40 else None)
    if goal is not None:
        ax.axhline(goal, color="0.3", linestyle="--", linewidth=1, label=f"goal {goal:.2f}")
    if budget_minutes is not None:
        ax.axvline(budget_minutes, color="0.5", linestyle=":", linewidth=1, label=f"budget {budget_minutes:g} min")
    ax.set_xscale("log")
    ax.set_xlabel("training time (minutes, log scale)")
    ax.set_ylabel("balanced accuracy on the test set")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(True, alpha=0.3, which="both")
    fig.tight_layout()
    return _closed(fig)


def plot_schedule(progress: Sequence[float], rates: Sequence[float], *, title: str = "") -> Figure:
    """A learning rate against the elapsed share of the time budget (beyond-the-chapter).

    progress : (S,) shares from 0 to 1; rates : (S,) learning rates.
    """
    progress, rates = np.asarray(progress, dtype=float), np.asarray(rates, dtype=float)
    if progress.shape != rates.shape or progress.ndim != 1:
        raise ValueError("progress and rates must be 1-D and of the same length")
    fig, ax = plt.subplots(figsize=(7.0, 3.2))
    ax.plot(progress * 100, rates, color="#785ef0")
    ax.set_xlabel("share of the time budget (%)")
    ax.set_ylabel("learning rate")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _closed(fig)
