"""Unit tests of course_utils.grading.shards: which results `course merge` accepts from shard workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_utils.grading.shards import check_shards_agree, parse_shard, shard_of
from course_utils.grading.workspace import CourseError


def shard_result(student, submission="s1", source="src", limits="L"):
    return {"student": student, "submission_hash": submission, "source_hash": source, "limits": limits}


def test_do_shards_graded_alike_merge_with_one_result_per_student():
    results = [(Path("a"), shard_result("amy")), (Path("b"), shard_result("ben")), (Path("b"), shard_result("amy"))]
    merged = check_shards_agree(results, "src")
    assert sorted(merged) == ["amy", "ben"] and merged["amy"][0] == Path("b")


@pytest.mark.parametrize(
    "other, message",
    [
        (shard_result("ben", source="old"), "another version of the assignment's source"),
        (shard_result("ben", limits="M"), "different limits"),
        (shard_result("amy", submission="s2"), "graded on different submissions"),
    ],
)
def test_does_merge_refuse_shards_graded_differently(other, message):
    """Does merging refuse a shard graded from another release, under other limits, or on another submission?"""
    with pytest.raises(CourseError, match=message):
        check_shards_agree([(Path("a"), shard_result("amy")), (Path("b"), other)], "src")


def test_does_a_shard_name_the_ith_of_n_and_refuse_anything_else():
    assert parse_shard("2/4") == (2, 4) and parse_shard(None) is None
    for bad in ("0/2", "3/2", "a/b", "2"):
        with pytest.raises(CourseError, match="bad --shard"):
            parse_shard(bad)


def test_do_the_shards_split_the_students_without_overlap():
    students = [f"s{i:02d}" for i in range(7)]
    shards = [shard_of(students, (index, 3)) for index in (1, 2, 3)]
    assert sorted(sum(shards, [])) == students and all(len(shard) in (2, 3) for shard in shards)
    assert shard_of(students, None) == students
