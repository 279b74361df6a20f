"""The ``course`` command: release, collect, autograde, feedback, reports, similarity, export and merge for instructors;
``course validate`` for students. See GRADING.md.

Grading data lives in a workspace outside the repository: ``--workspace DIR``, else ``$COURSE_WORKSPACE``, else
``${XDG_DATA_HOME:-~/.local/share}/cnn-course/<course_id>``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

try:
    from .grading.workspace import Course, CourseError, skip_iri_grammar
except ModuleNotFoundError as missing:  # a light install (exercises 1 and 2) has no nbgrader
    sys.exit(
        f"The course command needs the grading tools ({missing.name} is not installed): "
        f"pip install 'course-utils[grading]' (or from a clone: pip install '.[grading]')."
    )

log = logging.getLogger("course")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Release, collect, autograde, feedback, reports, similarity, export "
        "and merge for instructors; `course validate` for students. See GRADING.md.",
    )
    output = argparse.ArgumentParser(add_help=False)
    verbosity = output.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="also say what happens step by step")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    common = argparse.ArgumentParser(add_help=False, parents=[output])
    common.add_argument(
        "--course-dir", help="the course repository (default: the nearest folder holding nbgrader_config.py)"
    )
    common.add_argument(
        "--workspace", help="grading data folder (default: $COURSE_WORKSPACE or ~/.local/share/cnn-course/<course_id>)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser(
        "release", parents=[common], help="regenerate exercises/ from solutions/ and check both"
    )
    release.add_argument("assignments", nargs="*", metavar="ID", help="assignment ids (default: all)")

    collect = commands.add_parser("collect", parents=[common], help="import submissions from a folder or zip")
    collect.add_argument("assignment", metavar="ID")
    collect.add_argument("source", type=Path, metavar="SOURCE", help="a folder or a zip exported by the platform")
    collect.add_argument(
        "--roster",
        type=Path,
        help="CSV with a student_id column (optional: first_name, last_name, name, email, lms_id)",
    )

    autograde = commands.add_parser("autograde", parents=[common], help="grade submissions in parallel")
    autograde.add_argument("assignment", metavar="ID")
    autograde.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: CPU count for cpu, 1 for gpu)"
    )
    autograde.add_argument("--student", action="append", help="grade only this student (repeatable)")
    autograde.add_argument("--profile", choices=["cpu", "gpu"], default="cpu", help="default limits and devices")
    autograde.add_argument("--shard", metavar="i/n", help="grade only the i-th of n shares of the students")
    autograde.add_argument(
        "--cell-timeout",
        type=int,
        help="seconds per cell (default: the profile's, cpu: 300, gpu: 1200, or nbgrader_config.py's "
        "Execute/ExecutePreprocessor.timeout where that is larger)",
    )
    autograde.add_argument("--timeout", type=int, help="seconds per submission (cpu: 1800, gpu: 3600)")
    autograde.add_argument(
        "--memory", type=int, dest="memory_mb", help="MB of address space per kernel, 0 = unlimited (cpu: 8192, gpu: 0)"
    )
    autograde.add_argument("--force", action="store_true", help="regrade even submissions with up-to-date results")

    merge = commands.add_parser("merge", parents=[common], help="merge the results of shard workspaces")
    merge.add_argument("assignment", metavar="ID")
    merge.add_argument("shards", nargs="+", type=Path, metavar="SHARD_WORKSPACE")

    feedback = commands.add_parser("feedback", parents=[common], help="write feedback HTML per student")
    feedback.add_argument("assignment", metavar="ID")
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")

    report = commands.add_parser("report", parents=[common], help="grades CSV, item analysis, histogram")
    report.add_argument("assignment", metavar="ID")

    similarity = commands.add_parser(
        "similarity", parents=[common], help="how alike the students' own code is, pair by pair (HTML and CSV)"
    )
    similarity.add_argument("assignment", metavar="ID")
    similarity.add_argument(
        "--threshold", type=float, default=0.5, help="list the pairs at or above this similarity in the CSV (0-1; 0.5)"
    )
    similarity.add_argument("--top", type=int, default=50, help="pairs shown side by side in the HTML (default: 50)")

    export = commands.add_parser("export", parents=[common], help="grades file for Canvas, Moodle or a spreadsheet")
    export.add_argument("assignments", nargs="+", metavar="ID", help="one column per assignment")
    export.add_argument("--format", choices=["canvas", "moodle", "csv"], default="csv", help="default: csv")
    export.add_argument(
        "--roster",
        type=Path,
        help="collect's roster CSV (student_id; optional first_name, last_name, name, email, lms_id, "
        "sis_user_id, sis_login_id, section)",
    )
    export.add_argument(
        "--missing-zero", action="store_true", help="0 for a student without a submission (default: empty cell)"
    )
    export.add_argument(
        "--column", action="append", metavar="ID=TITLE", help="title of an assignment's column (repeatable)"
    )
    export.add_argument("--output", "-o", type=Path, help="the file to write (default: in the workspace's reports/)")

    validate = commands.add_parser("validate", parents=[output], help="students: run a notebook's visible tests")
    validate.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    validate.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from .grading.validate import validate

        return 0 if validate(args.notebook, args.timeout) else 1
    course = Course.open(args.course_dir, args.workspace, create=args.command in ("collect", "release", "merge"))
    if args.command == "release":
        from .grading.release import release

        problems = release(course, args.assignments)
        for line in problems:
            log.warning(f"PROBLEM {line}")
        return 1 if problems else 0
    if args.command == "collect":
        from .grading.collect import collect

        outcome = collect(course, args.assignment, args.source, args.roster)
        for line in outcome.lines():
            log.info(line)
        invalid = sum(line.startswith("INVALID") for line in outcome.imported)
        log.info(
            f"{len(outcome.imported)} student(s) imported or unchanged"
            + (f" ({invalid} of them INVALID: kept, but cannot be graded as they are)" if invalid else "")
            + f", {len(outcome.problems)} file(s) not imported (listed above); workspace: {course.workspace}"
        )
        return 0
    if args.command == "autograde":
        from .grading.autograde import autograde
        from .grading.limits import GradingLimits
        from .grading.shards import parse_shard

        shard = parse_shard(args.shard)
        jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1) if args.profile == "cpu" else 1
        if jobs < 1:
            raise CourseError(f"bad --jobs {jobs}: need at least 1")
        limits = GradingLimits.build(
            args.profile, args.cell_timeout, args.timeout, args.memory_mb, course.configured_cell_timeout
        )
        autograde(
            course, args.assignment, jobs=jobs, students=args.student, limits=limits, shard=shard, force=args.force
        )
        return 0
    if args.command == "merge":
        from .grading.shards import merge

        merge(course, args.assignment, args.shards)
        return 0
    if args.command == "feedback":
        from .grading.feedback import feedback

        written = feedback(course, args.assignment, args.student)
        log.info(f"wrote {len(written)} feedback page(s) to {course.workspace / 'feedback' / args.assignment}")
        return 0
    if args.command == "similarity":
        from .grading.similarity import similarity

        found = similarity(course, args.assignment, args.threshold, args.top)
        for pair in found.flagged[:20]:
            log.info(f"SIMILAR {pair.a} {pair.b}: {pair.similarity:.0%} ({pair.share_a:.0%} / {pair.share_b:.0%})")
        if len(found.flagged) > 20:
            log.info(f"... and {len(found.flagged) - 20} more pairs in {found.csv}")
        for line in found.skipped:
            log.info(f"NOT COMPARED {line}")
        log.info(
            f"{len(found.codes)} submission(s) compared, {len(found.flagged)} pair(s) at or above "
            f"{args.threshold:g}; wrote {found.html} and {found.csv}"
        )
        return 0
    if args.command == "export":
        from .grading.export import export

        written = export(
            course,
            args.assignments,
            args.format,
            roster_path=args.roster,
            missing_zero=args.missing_zero,
            output=args.output,
            columns=args.column,
        )
        for line in written.notes:
            log.warning(f"NOTE {line}")
        log.info(f"wrote {written.path} ({written.students} students, {args.format} format)")
        return 0
    from .grading.report import report

    folder = report(course, args.assignment)
    log.info(f"wrote grades.csv, items.csv, summary.html and the figures to {folder}")
    return 0


def _configure_logging(level: int) -> None:
    """What the command says goes to standard output, errors to standard error, as plain lines."""
    log.setLevel(level)
    log.handlers.clear()
    log.propagate = False
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.ERROR)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.ERROR)
    for handler in (out, err):
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``course`` console script."""
    args = _parser().parse_args(argv)
    _configure_logging(logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO)
    # nbgrader creates gradebooks by running the `alembic` script: find it next to this interpreter.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    skip_iri_grammar()
    try:
        return _dispatch(args)
    except CourseError as error:
        log.error(f"course {args.command}: error: {error}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
