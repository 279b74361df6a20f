"""Sharded grading: which students a shard grades (``--shard i/n``), and ``course merge`` of shard workspaces."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from .gradebook import import_results
from .workspace import Course, CourseError, write_json

log = logging.getLogger("course")


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` → (2, 4); the i-th of n shards, 1 ≤ i ≤ n."""
    if text is None:
        return None
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise CourseError(f"bad --shard {text!r}: expected i/n, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise CourseError(f"bad --shard {text!r}: need 1 <= i <= n")
    return index, count


def shard_of(students: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The students the shard grades: every n-th of the sorted list, starting at the i-th."""
    ordered = sorted(students)
    if shard is None:
        return ordered
    index, count = shard
    return ordered[index - 1 :: count]


#: What the results of one assignment must share to be merged: the assignment's source and the limits.
SHARED_KEYS = {"source_hash": "versions of the assignment's source", "limits": "limits (profile, timeouts, memory)"}


def check_shards_agree(results: list[tuple[Path, dict]], source_hash: str) -> dict[str, tuple[Path, dict]]:
    """student → (shard, result) for results read from shard workspaces, in order; raises CourseError where they
    were graded against another source than ``source_hash`` (this course's), under different limits, or twice on
    different submissions."""
    seen: dict[str, tuple[Path, dict]] = {}
    first: dict[str, tuple[Path, object]] = {}
    for shard, result in results:
        student = result["student"]
        if result.get("source_hash") != source_hash:
            raise CourseError(
                f"{student}'s result in {shard} was graded against another version of the assignment's source "
                f"than this course's; grade every shard from the same release"
            )
        for key, what in SHARED_KEYS.items():
            where, value = first.setdefault(key, (shard, result.get(key)))
            if result.get(key) != value:
                raise CourseError(f"the shards were graded with different {what}: {where} and {shard}")
        if student in seen and seen[student][1]["submission_hash"] != result["submission_hash"]:
            raise CourseError(
                f"{student} was graded on different submissions in {seen[student][0]} and "
                f"{shard}; collect the same submissions for every shard"
            )
        seen[student] = (shard, result)
    return seen


def merge(course: Course, assignment_id: str, shard_workspaces: list[Path]) -> int:
    """Copy the results (and autograded notebooks) of shard workspaces into this one; return how many."""
    course.check_assignment(assignment_id)
    course.sync_gradebook(assignment_id)
    results = []
    for shard in shard_workspaces:
        folder = shard / "results" / assignment_id
        if not folder.is_dir():
            raise CourseError(f"{shard} holds no results for {assignment_id} (expected {folder})")
        results += [(shard, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.json"))]
    seen = check_shards_agree(results, course.source_hash(assignment_id))
    for student, (shard, result) in sorted(seen.items()):
        source = shard / "autograded" / student / assignment_id
        target = course.workspace / "autograded" / student / assignment_id
        if source.is_dir() and source.resolve() != target.resolve():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target)
        write_json(course.results_dir(assignment_id) / f"{student}.json", result)
    import_results(course, assignment_id, course.results(assignment_id))
    log.info(
        f"merged {len(seen)} result(s) of {assignment_id} from {len(shard_workspaces)} shard(s) into {course.workspace}"
    )
    return len(seen)
