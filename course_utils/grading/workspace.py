"""Where grading data lives and how nbgrader is configured for it.

The course directory (the repository) holds the source notebooks (``solutions/``) and the student release
(``exercises/``). Everything about students — submissions, the gradebook, autograded notebooks, feedback, reports —
lives in a *workspace* outside the repository:

``--workspace DIR`` › ``$COURSE_WORKSPACE`` › ``${XDG_DATA_HOME:-~/.local/share}/cnn-course/<course_id>``

Layout of a workspace (nbgrader's own folder names, so ``nbgrader`` commands work on it too)::

    gradebook.db                         the nbgrader gradebook (SQLite)
    submitted/<student>/<assignment>/    one current submission per student (+ timestamp.txt)
    superseded/<assignment>/<student>/   older submissions, kept
    autograded/<student>/<assignment>/   executed notebooks
    results/<assignment>/<student>.json  one grading result per submission (what reports and feedback read)
    feedback/<assignment>/<student>.html
    reports/<assignment>/                grades.csv, summary.html, histogram.png, collect.txt
    logs/<assignment>/                   worker logs
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(Exception):
    """Bad input from the instructor or student: the command prints the message and exits with status 2."""


def skip_iri_grammar() -> None:
    """Keep jsonschema from compiling its optional IRI grammar (``rfc3987_syntax``) in this process.

    jsonschema builds that grammar when it is first imported, which costs seconds of CPU in every process that
    reads a notebook; notebook schemas use no IRI formats, so nothing is lost. Call before importing nbformat.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def default_workspace(course_id: str) -> Path:
    """The workspace used when neither --workspace nor $COURSE_WORKSPACE is given."""
    if os.environ.get("COURSE_WORKSPACE"):
        return Path(os.environ["COURSE_WORKSPACE"]).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "cnn-course" / course_id


def find_course_dir(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding nbgrader_config.py."""
    for folder in [start, *start.parents]:
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise CourseError(f"no {CONFIG_FILE} in {start} or above; run inside the course repository or pass --course-dir")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_json(path: Path, data) -> None:
    """Write ``data`` as JSON so that a crash leaves either the old file or the new one, never half of one."""
    _write_atomic(path, json.dumps(data, indent=1, sort_keys=True))


def hash_folder(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """SHA-256 over the relative names and bytes of every file under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in skip):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class Course:
    """A course directory (sources + release) and the workspace that holds its grading data."""

    course_dir: Path
    workspace: Path
    course_config: Config

    @classmethod
    def open(cls, course_dir: str | None, workspace: str | None, *, create: bool = False) -> Course:
        """Resolve both folders; ``create`` makes a missing workspace (only commands that import data do)."""
        root = Path(course_dir).resolve() if course_dir else find_course_dir(Path.cwd().resolve())
        if not (root / CONFIG_FILE).is_file():
            raise CourseError(f"{root} is not a course directory (no {CONFIG_FILE})")
        loader = PyFileConfigLoader(CONFIG_FILE, path=str(root))
        config = loader.load_config()
        course_id = config.CourseDirectory.get("course_id") or "default"
        space = Path(workspace).expanduser().resolve() if workspace else default_workspace(course_id).resolve()
        if space == root or root in space.parents:
            raise CourseError(
                f"the workspace {space} is inside the course repository; grading data must stay out "
                f"of git: pass --workspace outside {root}"
            )
        if create:
            space.mkdir(parents=True, exist_ok=True)
        elif not space.is_dir():
            raise CourseError(
                f"workspace {space} does not exist: run `course collect` first, "
                f"or pass --workspace / set COURSE_WORKSPACE"
            )
        return cls(root, space, config)

    # --- folders -------------------------------------------------------------------------------------------------
    @property
    def source_dir(self) -> Path:
        return self.course_dir / self.course_config.CourseDirectory.get("source_directory", "source")

    @property
    def release_dir(self) -> Path:
        return self.course_dir / self.course_config.CourseDirectory.get("release_directory", "release")

    @property
    def db_path(self) -> Path:
        return self.workspace / "gradebook.db"

    def assignments(self) -> list[str]:
        """Every assignment id: the folders of the source directory that hold notebooks."""
        if not self.source_dir.is_dir():
            return []
        return sorted(p.name for p in self.source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def check_assignment(self, assignment_id: str) -> str:
        """Return ``assignment_id`` or raise a CourseError naming the known ones."""
        known = self.assignments()
        if assignment_id not in known:
            raise CourseError(
                f"unknown assignment {assignment_id!r}; known: {', '.join(known) or 'none'} "
                f"(folders of {self.source_dir})"
            )
        return assignment_id

    def notebook_names(self, assignment_id: str) -> list[str]:
        """Notebook names (without .ipynb) of an assignment's source."""
        return sorted(p.stem for p in (self.source_dir / assignment_id).glob("*.ipynb"))

    def source_hash(self, assignment_id: str) -> str:
        return hash_folder(self.source_dir / assignment_id)

    def submitted(self, assignment_id: str) -> dict[str, Path]:
        """student id → submission folder, for every collected submission of the assignment."""
        base = self.workspace / "submitted"
        if not base.is_dir():
            return {}
        return {p.parent.name: p for p in sorted(base.glob(f"*/{assignment_id}")) if p.is_dir()}

    def results_dir(self, assignment_id: str) -> Path:
        return self.workspace / "results" / assignment_id

    def results(self, assignment_id: str) -> dict[str, dict]:
        """student id → grading result (see :mod:`.autograde`)."""
        folder = self.results_dir(assignment_id)
        if not folder.is_dir():
            return {}
        return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}

    def reports_dir(self, assignment_id: str) -> Path:
        return self.workspace / "reports" / assignment_id

    @property
    def configured_cell_timeout(self) -> int | None:
        """The per-cell timeout set in nbgrader_config.py (Execute or ExecutePreprocessor), if any."""
        for section in ("Execute", "ExecutePreprocessor"):
            if section in self.course_config and self.course_config[section].get("timeout"):
                return int(self.course_config[section]["timeout"])
        return None

    # --- nbgrader ------------------------------------------------------------------------------------------------
    def nbgrader_config(
        self, root: Path | None = None, db_path: Path | None = None, release_dir: Path | None = None
    ) -> Config:
        """nbgrader settings: the course's own config, with student data in ``root`` (default: the workspace)."""
        config = Config()
        config.merge(self.course_config)
        config.CourseDirectory.root = str(root or self.workspace)
        config.CourseDirectory.source_directory = str(self.source_dir)
        config.CourseDirectory.release_directory = str(release_dir or self.release_dir)
        config.CourseDirectory.db_url = f"sqlite:///{db_path or self.db_path}"
        return config

    def sync_gradebook(self, assignment_id: str) -> None:
        """Record the assignment's source (grade cells, points) in the gradebook when the source changed.

        Runs nbgrader's generate_assignment into a scratch release inside the workspace, so the repository's
        exercises/ folder is not touched.
        """
        from nbgrader.converters import GenerateAssignment

        stamp = self.workspace / "state" / f"{assignment_id}.source-hash"
        digest = self.source_hash(assignment_id)
        if self.db_path.is_file() and stamp.is_file() and stamp.read_text() == digest:
            return
        config = self.nbgrader_config(release_dir=self.workspace / "state" / "release")
        config.CourseDirectory.assignment_id = assignment_id
        config.GenerateAssignment.force = True
        config.GenerateAssignment.create_assignment = True
        run_converter(GenerateAssignment, config)
        _write_atomic(stamp, digest)


def run_converter(converter_class, config: Config) -> None:
    """Run one nbgrader converter in this process; raise CourseError with nbgrader's error lines on failure."""
    import logging

    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    lines: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.ERROR:
                lines.append(record.getMessage().strip())

    coursedir = CourseDirectory(config=config)
    converter = converter_class(coursedir=coursedir, config=config)
    handler = _Collect()
    converter.log.addHandler(handler)
    try:
        converter.start()
    except NbGraderException as error:
        detail = "; ".join(line.splitlines()[-1] for line in lines if line) or str(error)
        raise CourseError(f"nbgrader {converter_class.__name__} failed: {detail}") from error
    finally:
        converter.log.removeHandler(handler)
