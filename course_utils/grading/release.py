"""``course release``: regenerate the student notebooks from the sources and check both versions.

The check runs nbgrader's validator: every test of the source notebook must pass (the reference solution is
right), and no test of the released notebook may pass (the solutions really were removed).
"""

from __future__ import annotations

import logging
from pathlib import Path

from .workspace import Course, CourseError, run_converter

log = logging.getLogger("course")


def _validate(course: Course, notebook: Path, *, invert: bool) -> dict:
    """nbgrader's validator results for one notebook (``invert``: the tests are expected to fail)."""
    from nbgrader.validator import Validator

    config = course.nbgrader_config()
    config.Validator.invert = invert
    config.Execute.timeout = 600
    # ipykernel's notice that it talks over loopback TCP unencrypted is noise here; its errors still show.
    config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    return Validator(config=config).validate(str(notebook))


def release(course: Course, assignment_ids: list[str]) -> list[str]:
    """Regenerate ``exercises/<id>/`` for each id (all when empty); return one problem line per failed check."""
    from nbgrader.converters import GenerateAssignment

    ids = [course.check_assignment(a) for a in assignment_ids] or course.assignments()
    if not ids:
        raise CourseError(f"no assignments in {course.source_dir}")
    problems: list[str] = []
    for assignment_id in ids:
        config = course.nbgrader_config()
        config.CourseDirectory.assignment_id = assignment_id
        config.GenerateAssignment.force = True
        config.GenerateAssignment.create_assignment = True
        run_converter(GenerateAssignment, config)
        for name in course.notebook_names(assignment_id):
            source = course.source_dir / assignment_id / f"{name}.ipynb"
            released = course.release_dir / assignment_id / f"{name}.ipynb"
            failed = _validate(course, source, invert=False)
            if failed:
                problems.append(
                    f"{assignment_id}/{name}: the source notebook fails its own tests: {_first_problem(failed)}"
                )
            passed = _validate(course, released, invert=True)
            if passed.get("passed"):
                problems.append(
                    f"{assignment_id}/{name}: {len(passed['passed'])} test cell(s) of the released "
                    f"notebook pass without a solution (is a solution left in it?)"
                )
            status = "PROBLEM" if any(p.startswith(f"{assignment_id}/{name}:") for p in problems) else "ok"
            log.info(f"released {released.relative_to(course.course_dir)}: {status}")
    return problems


def _first_problem(results: dict) -> str:
    for key in ("type_changed", "changed", "failed"):
        if results.get(key):
            entry = results[key][0]
            detail = entry.get("raw_error") or entry.get("source", "")
            return f"{key}: {detail.strip().splitlines()[-1] if detail.strip() else ''}"
    return "unknown"
