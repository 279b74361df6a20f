"""``course autograde``: parallel, resumable, sharded autograding.

Each submission is graded by a worker process (:mod:`.worker`) in a private course folder with its own copy of
the gradebook; the parent stores each answer as ``results/<assignment>/<student>.json`` (written atomically) and
merges it into the main gradebook itself, one at a time. A result records the hashes of the submission, of the
assignment's source and of the limits it was graded under, so a rerun — after Ctrl-C, a crash, or new
submissions — grades only what is missing or changed, and ends with the grades of one uninterrupted run.

The limits are :mod:`.limits`'s; the worker pool is :mod:`.pool`; sharding and ``course merge`` are :mod:`.shards`;
the gradebook is written through :mod:`.gradebook`.
"""

from __future__ import annotations

import datetime
import logging
import shutil
from pathlib import Path

from .gradebook import assignment_parts, import_results
from .limits import GradingLimits
from .pool import grade_in_workers
from .shards import shard_of
from .workspace import Course, CourseError, hash_folder, write_json

log = logging.getLogger("course")


def complete_result(result: dict, parts: list[dict]) -> dict:
    """Give a result every part of the assignment (failed results score 0 on each) and every list of notes: ``problems``
    (for the student and the instructor), ``grader_notes`` (the instructor only) and ``invalid_notebooks`` (the
    notebooks that could not be read as this assignment's)."""
    for key in ("problems", "grader_notes", "invalid_notebooks"):
        result.setdefault(key, [])
    have = {(p["notebook"], p["grade_id"]): p for p in result.get("parts", [])}
    result["parts"] = [
        have.get((p["notebook"], p["grade_id"]), {**p, "score": 0.0, "needs_manual_grade": False, "error": None})
        for p in parts
    ]
    result["score"] = round(sum(p["score"] for p in result["parts"]), 6)
    result["max_score"] = round(sum(p["max_score"] for p in result["parts"]), 6)
    return result


def autograde(
    course: Course,
    assignment_id: str,
    *,
    jobs: int,
    students: list[str] | None = None,
    limits: GradingLimits,
    shard: tuple[int, int] | None = None,
    force: bool = False,
) -> dict[str, dict]:
    """Grade every submission that has no up-to-date result; return the results of the graded students."""
    course.check_assignment(assignment_id)
    submitted = course.submitted(assignment_id)
    if not submitted:
        raise CourseError(f"no submissions of {assignment_id} in {course.workspace}: run `course collect` first")
    if students:
        unknown = sorted(set(students) - set(submitted))
        if unknown:
            raise CourseError(f"no submission of {assignment_id} for student(s): {', '.join(unknown)}")
    chosen = shard_of(list(students or submitted), shard)
    course.sync_gradebook(assignment_id)
    parts = assignment_parts(course, assignment_id)
    source_hash = course.source_hash(assignment_id)
    existing = course.results(assignment_id)
    tasks, keys = [], {}
    scratch = course.workspace / "state" / "work" / assignment_id
    for student in chosen:
        key = {
            "submission_hash": hash_folder(submitted[student]),
            "source_hash": source_hash,
            "limits": limits.digest(),
        }
        keys[student] = key
        old = existing.get(student)
        if not force and old and all(old.get(k) == v for k, v in key.items()):
            continue
        tasks.append(
            {
                "student": student,
                "assignment": assignment_id,
                "submission": str(submitted[student]),
                "output": str(scratch / "out" / student),
                "source_hash": source_hash,
            }
        )
    skipped = len(chosen) - len(tasks)
    label = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    log.info(
        f"{assignment_id}{label}: {len(chosen)} submission(s), {skipped} already graded, {len(tasks)} to grade "
        f"with {min(jobs, len(tasks)) if tasks else 0} worker(s) [{limits.profile}: cell {limits.cell_timeout} s, "
        f"submission {limits.timeout} s, memory {limits.memory_mb or 'unlimited'} MB]"
    )
    new_results: dict[str, dict] = {}
    if tasks:
        new_results = grade_in_workers(
            course,
            assignment_id,
            tasks,
            jobs,
            limits,
            scratch,
            store=lambda task, answer: _store(course, assignment_id, task, answer, keys[task["student"]], parts),
        )
    results = course.results(assignment_id)
    import_results(course, assignment_id, {s: r for s, r in results.items() if s in submitted})
    for student in chosen:
        result = results.get(student)
        lines = [*result.get("problems", []), *result.get("grader_notes", [])] if result else []
        if result and result["status"] != "graded":
            log.warning(f"FAILED {student}: {'; '.join(lines)}")
        elif lines:
            log.warning(f"NOTE {student}: {'; '.join(lines)}")
    return new_results


def _store(course: Course, assignment_id: str, task: dict, answer: dict, key: dict, parts: list[dict]) -> dict:
    """Save one result: the autograded notebooks first, then the result file (so a crash never leaves a result
    without its notebooks)."""
    student = task["student"]
    timestamp_file = Path(task["submission"]) / "timestamp.txt"
    result = complete_result(
        {
            **answer,
            **key,
            "student": student,
            "assignment": assignment_id,
            "timestamp": timestamp_file.read_text().strip() if timestamp_file.is_file() else None,
            "graded_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        },
        parts,
    )
    target = course.workspace / "autograded" / student / assignment_id
    staged = Path(task["output"])
    if target.exists():
        shutil.rmtree(target)
    if staged.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), target)
    write_json(course.results_dir(assignment_id) / f"{student}.json", result)
    return result
