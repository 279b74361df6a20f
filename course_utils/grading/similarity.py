"""``course similarity``: how alike the students' own code is, pair by pair, for one assignment (computed locally).

What counts is what the students wrote: the code of each submitted notebook's answer cells and of the cells the
student added. Everything the released notebook already holds (starter code, signatures, docstrings, imports, the
visible tests) is boilerplate: its fingerprints are removed from every submission, so identical starter code alone
never makes two submissions alike.

The comparison is copydetect's (a maintained implementation of MOSS's winnowing): each submission is tokenized,
comments and whitespace are dropped and every name becomes one placeholder (so renaming, comments and layout hide
nothing), the fingerprints are hashes of its k-grams of ``NOISE`` characters, winnowed so that any match of
``GUARANTEE`` characters is found. Two changes to copydetect's own pipeline: the k-grams are hashed the same way in
every process (:func:`kgram_hashes`), and code that most of a large class wrote is ignored like the starter code
(:func:`common_hashes`, as MOSS does). A pair's similarity is the larger of the two shares: how much of one
submission's fingerprinted code is also in the other's. Fingerprints are sets, so reordering functions or cells
changes little.

Writes ``reports/<ID>/similarity.html`` (the pairs ranked, the two submissions side by side with the matching regions
highlighted) and ``reports/<ID>/similarity.csv`` (every pair at or above the threshold).
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from .cells import grade_id
from .workspace import Course, CourseError

#: k-grams of this many characters of normalised code are fingerprinted (copydetect's default noise threshold).
NOISE = 25
#: Any match at least this long (normalised characters) is found (copydetect's default guarantee threshold).
GUARANTEE = 30
#: A pair shares at least this many normalised characters before it is reported at all (about two lines of code).
MIN_MATCH = 2 * NOISE
#: Code found in more than this share of the submissions, and in at least ``COMMON_MIN`` of them, is common code.
COMMON_SHARE = 0.5
COMMON_MIN = 10
#: Below this many normalised characters a submission has too little of its own code to compare.
MIN_CODE = NOISE


@dataclass
class Pair:
    """Two students' submissions and how much of each is found in the other."""

    a: str
    b: str
    share_a: float
    share_b: float
    matched: int
    #: (start, end) character ranges of the matching code in each submission's text.
    regions_a: list[tuple[int, int]] = field(default_factory=list)
    regions_b: list[tuple[int, int]] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        """The larger share: a short submission copied whole into a longer one scores high."""
        return max(self.share_a, self.share_b)


@dataclass
class SimilarityReport:
    """What ``course similarity`` found and wrote."""

    codes: dict[str, str]
    pairs: list[Pair]
    threshold: float
    skipped: list[str]
    html: Path | None = None
    csv: Path | None = None

    @property
    def flagged(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.similarity >= self.threshold]


# --- what the students wrote ------------------------------------------------------------------------------------
def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _read_cells(path: Path) -> list[dict]:
    """The cells of a notebook file, read as plain JSON (no validation: a damaged submission is still compared)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no cells")
    return [cell for cell in cells if isinstance(cell, dict)]


def student_code(cells: list[dict]) -> str:
    """The code a student wrote in a notebook: its answer cells and the code cells it added (no nbgrader metadata),
    each under a comment naming the cell (comments do not count in the comparison)."""
    parts = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        if nbgrader is None:
            label = "a cell the student added"
        elif nbgrader.get("solution"):
            label = f"answer cell {grade_id(cell)}"
        else:
            continue
        parts.append(f"# --- {label} ---\n{_source(cell).rstrip()}\n")
    return "\n".join(parts)


def starter_texts(course: Course, assignment_id: str) -> list[str]:
    """The released notebooks' code whose fingerprints are boilerplate: every code cell alone, and the answer cells
    joined as :func:`student_code` joins a student's (an untouched submission is exactly that text)."""
    texts = []
    for name in course.notebook_names(assignment_id):
        released = course.release_dir / assignment_id / f"{name}.ipynb"
        if not released.is_file():
            raise CourseError(f"no released notebook {released}: run `course release {assignment_id}` first")
        cells = _read_cells(released)
        texts += [_source(cell) for cell in cells if cell.get("cell_type") == "code"]
        texts.append(student_code(cells))
    return texts


def read_submissions(course: Course, assignment_id: str) -> tuple[dict[str, str], list[str]]:
    """student → the code they wrote (all notebooks of the assignment), and a line per notebook that was skipped."""
    codes, skipped = {}, []
    names = course.notebook_names(assignment_id)
    for student, folder in course.submitted(assignment_id).items():
        parts = []
        for name in names:
            path = folder / f"{name}.ipynb"
            if not path.is_file():
                skipped.append(f"{student}: no {name}.ipynb in the submission")
                continue
            try:
                parts.append(student_code(_read_cells(path)))
            except (ValueError, UnicodeDecodeError) as error:
                skipped.append(f"{student}: {name}.ipynb is not a readable notebook ({error})")
        if parts:
            codes[student] = "\n".join(parts)
    return codes, skipped


# --- fingerprints and pairs -------------------------------------------------------------------------------------
#: The k-gram hash: a polynomial over the code points (wrapping at 2**64), kept to 52 bits so that copydetect's
#: winnowing, which buffers hashes as floats, compares them exactly.
HASH_BASE = 1_000_003
HASH_BITS = 52


def kgram_hashes(normalised: str):
    """The hash of every k-gram (``NOISE`` characters) of normalised code, the same in every process.

    copydetect hashes k-grams with Python's ``hash()``, which is salted per process (PYTHONHASHSEED): the winnowing
    then keeps other fingerprints on every run and the same pair scored 0.16 on one run, 0.20 on the next."""
    import numpy as np

    points = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(points) - NOISE + 1
    hashes = np.zeros(max(count, 0), dtype=np.uint64)
    if count > 0:
        for offset in range(NOISE):
            hashes = hashes * np.uint64(HASH_BASE) + points[offset : offset + count]
    return (hashes >> np.uint64(64 - HASH_BITS)).astype(np.int64)


def _normalise(text: str):
    """copydetect's normalisation: (the code as tokens, comments and whitespace dropped, names as one letter; and
    the offsets that map positions in it back to ``text``)."""
    from copydetect.utils import filter_code

    return filter_code(text, "submission.py", language="python")


def boilerplate_hashes(texts: list[str]):
    """Every k-gram hash of the starter code (all of them, not only the winnowed ones, as copydetect does)."""
    import numpy as np

    hashes = [kgram_hashes(_normalise(text)[0]) for text in texts]
    return np.unique(np.concatenate(hashes)) if hashes else np.array([], dtype=np.int64)


class Fingerprints:
    """One submission's fingerprints, the starter code's removed: copydetect's normalisation and winnowing over
    :func:`kgram_hashes`. Has the attributes of copydetect's ``CodeFingerprint`` that its ``compare_files`` reads
    (``k``, ``hashes``, ``hash_idx``, ``filtered_code``, ``offsets``, ``token_coverage``), and the fingerprints as
    arrays: one hash and one position (in the normalised code) per occurrence, and the sorted distinct hashes."""

    def __init__(self, text: str, boilerplate):
        import numpy as np
        from copydetect.utils import winnow

        self.k = NOISE
        self.raw_code = text
        self.filtered_code, self.offsets = _normalise(text)
        selected, positions = winnow(kgram_hashes(self.filtered_code), GUARANTEE - NOISE + 1, remove_duplicates=False)
        self._keep(selected, positions.astype(np.int64), ~np.isin(selected, boilerplate))

    def _keep(self, hashes, positions, keep) -> None:
        """Keep the fingerprints where ``keep`` is true, and index them as copydetect does."""
        import numpy as np
        from copydetect.utils import get_token_coverage

        self.all_hashes, self.positions = hashes[keep], positions[keep]
        self.distinct = np.unique(self.all_hashes)
        self.hashes = set(self.distinct.tolist())
        self.hash_idx: dict[int, list[int]] = {}
        for value, position in zip(self.all_hashes.tolist(), self.positions.tolist()):
            self.hash_idx.setdefault(value, []).append(position)
        self.token_coverage = get_token_coverage(self.hash_idx, NOISE, len(self.filtered_code))

    def drop(self, common) -> None:
        """Forget the fingerprints in ``common`` (sorted hashes)."""
        import numpy as np

        self._keep(self.all_hashes, self.positions, ~np.isin(self.all_hashes, common))

    def matched(self, other: Fingerprints) -> int:
        """How many normalised characters of this submission lie in k-grams that ``other`` has too.

        The number copydetect's ``compare_files`` computes (the copied slices' total length: the union of the
        intervals [p, p + k) of every shared fingerprint's positions p), vectorised: comparing every pair of a class
        is the slow step, and compare_files builds its slices in Python for each pair."""
        import numpy as np

        shared = np.sort(self.positions[np.isin(self.all_hashes, other.distinct)])
        if shared.size == 0:
            return 0
        return int(np.minimum(np.diff(shared), NOISE).sum()) + NOISE


def _regions(slices) -> list[tuple[int, int]]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(int(start), int(end)) for start, end in zip(slices[0], slices[1])]


def fingerprint_all(codes: dict[str, str], starter: list[str], progress=None) -> dict[str, Fingerprints]:
    """Every submission's fingerprints, without the starter code's and without common code (:func:`common_hashes`).
    ``progress("fingerprinting", done, total)`` is called as the submissions are read."""
    boilerplate = boilerplate_hashes(starter)
    prints = {}
    for done, (student, code) in enumerate(sorted(codes.items()), start=1):
        prints[student] = Fingerprints(code, boilerplate)
        if progress is not None and (done % 10 == 0 or done == len(codes)):
            progress("fingerprinting", done, len(codes))
    common = common_hashes(prints)
    for fingerprints in prints.values():
        fingerprints.drop(common)
    return prints


def common_hashes(prints: dict[str, Fingerprints]):
    """The fingerprints of code most of the class wrote: in more than ``COMMON_SHARE`` of the submissions and in at
    least ``COMMON_MIN`` of them (MOSS ignores passages found in more than ten documents for the same reason: code
    that everyone writes, such as checking the mode argument, says nothing about copying)."""
    import numpy as np

    if not prints:
        return np.array([], dtype=np.int64)
    values, counts = np.unique(np.concatenate([p.distinct for p in prints.values()]), return_counts=True)
    return values[(counts > COMMON_SHARE * len(prints)) & (counts >= COMMON_MIN)]


def compare(prints: dict[str, Fingerprints], progress=None) -> tuple[list[Pair], list[str]]:
    """Every pair of students that shares code beyond the starter code, most similar first; and the students with too
    little code of their own to compare. ``progress("comparing", done, total)`` is called as pairs are compared."""
    too_little = sorted(s for s, p in prints.items() if p.token_coverage < MIN_CODE)
    students = [s for s in prints if s not in too_little]
    total = len(students) * (len(students) - 1) // 2
    pairs = []
    for done, (a, b) in enumerate(itertools.combinations(students, 2), start=1):
        first, second = prints[a], prints[b]
        if not first.hashes.isdisjoint(second.hashes):
            matched_a, matched_b = first.matched(second), second.matched(first)
            if max(matched_a, matched_b) >= MIN_MATCH:
                pairs.append(Pair(a, b, matched_a / first.token_coverage, matched_b / second.token_coverage, matched_a))
        if progress is not None and (done % 1000 == 0 or done == total):
            progress("comparing", done, total)
    pairs.sort(key=lambda pair: (-pair.similarity, -pair.matched, pair.a, pair.b))
    return pairs, too_little


def locate(pair: Pair, prints: dict[str, Fingerprints]) -> None:
    """Fill in the pair's matching regions (character ranges of the submitted code) with copydetect's compare_files."""
    from copydetect import compare_files

    _, _, (slices_a, slices_b) = compare_files(prints[pair.a], prints[pair.b])
    pair.regions_a, pair.regions_b = _regions(slices_a), _regions(slices_b)


# --- outputs ----------------------------------------------------------------------------------------------------
def write_csv(pairs: list[Pair], path: Path) -> None:
    """One row per pair: the two students, the similarity and each one's share found in the other."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_a", "student_b", "similarity", "share_a", "share_b"])
        for pair in pairs:
            writer.writerow([pair.a, pair.b, f"{pair.similarity:.3f}", f"{pair.share_a:.3f}", f"{pair.share_b:.3f}"])


def highlight(text: str, regions: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) segments, in order, from possibly overlapping character ranges."""
    segments, position = [], 0
    for start, end in sorted(regions):
        start, end = max(start, position), min(end, len(text))
        if end <= start:
            continue
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def write_html(
    assignment_id: str,
    codes: dict[str, str],
    pairs: list[Pair],
    threshold: float,
    skipped: list[str],
    path: Path,
    top: int,
) -> None:
    """The report page: the ``top`` most similar pairs ranked, each with both submissions side by side."""
    from .pages import render_page

    shown = [
        {
            "a": pair.a,
            "b": pair.b,
            "similarity": pair.similarity,
            "share_a": pair.share_a,
            "share_b": pair.share_b,
            "sides": [
                (pair.a, pair.share_a, highlight(codes[pair.a], pair.regions_a)),
                (pair.b, pair.share_b, highlight(codes[pair.b], pair.regions_b)),
            ],
        }
        for pair in pairs[:top]
    ]
    page = render_page(
        "similarity.html",
        assignment=assignment_id,
        compared=len(codes),
        total_pairs=len(codes) * (len(codes) - 1) // 2,
        flagged=sum(pair.similarity >= threshold for pair in pairs),
        threshold=threshold,
        skipped=skipped,
        pairs=shown,
    )
    path.write_text(page, encoding="utf-8")


class _Progress:
    """A progress bar (rich) per step on a terminal; nothing elsewhere."""

    def __init__(self):
        from rich.console import Console

        console = Console(stderr=True)
        self.bar, self.tasks = None, {}
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            )
            self.bar.start()

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if step not in self.tasks:
            self.tasks[step] = self.bar.add_task(step, total=total)
        self.bar.update(self.tasks[step], completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def similarity(course: Course, assignment_id: str, threshold: float = 0.5, top: int = 50) -> SimilarityReport:
    """Compare every pair of submissions of ``assignment_id``; write similarity.html and similarity.csv."""
    course.check_assignment(assignment_id)
    if not 0 <= threshold <= 1:
        raise CourseError(f"bad --threshold {threshold}: a similarity is between 0 and 1")
    if top < 0:
        raise CourseError(f"bad --top {top}: need 0 or more pairs")
    starter = starter_texts(course, assignment_id)
    codes, skipped = read_submissions(course, assignment_id)
    if len(codes) < 2:
        raise CourseError(
            f"{len(codes)} readable submission(s) of {assignment_id} in {course.workspace}: "
            f"need two to compare (run `course collect` first)"
        )
    progress = _Progress()
    try:
        prints = fingerprint_all(codes, starter, progress)
        pairs, too_little = compare(prints, progress)
    finally:
        progress.close()
    for pair in pairs[:top]:
        locate(pair, prints)
    skipped += [f"{student}: too little code beyond the starter code to compare" for student in too_little]
    report = SimilarityReport(codes, pairs, threshold, skipped)
    folder = course.reports_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    report.csv, report.html = folder / "similarity.csv", folder / "similarity.html"
    write_csv(report.flagged, report.csv)
    write_html(assignment_id, codes, pairs, threshold, skipped, report.html, top)
    return report
