"""Unit tests of course_utils.grading.autograde that need no course: the limits of each profile, merging shards."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_utils.grading.autograde import PROFILE_LIMITS, GradingLimits, check_shards_agree
from course_utils.grading.workspace import CourseError


@pytest.mark.parametrize("profile", sorted(PROFILE_LIMITS))
def test_does_each_profile_grade_with_the_limits_of_its_table_whatever_the_course_configures(profile):
    """Does nbgrader_config.py's 300 s cell timeout (the course's own) leave the gpu profile its 1200 s?"""
    limits = GradingLimits.build(profile, None, None, None, configured_cell_timeout=300)
    assert (limits.cell_timeout, limits.timeout, limits.memory_mb) == (
        PROFILE_LIMITS[profile]["cell_timeout"],
        PROFILE_LIMITS[profile]["timeout"],
        PROFILE_LIMITS[profile]["memory_mb"],
    )
    assert (PROFILE_LIMITS["cpu"]["cell_timeout"], PROFILE_LIMITS["gpu"]["cell_timeout"]) == (300, 1200)


def test_does_a_longer_configured_cell_timeout_count_and_the_command_line_win():
    assert GradingLimits.build("cpu", None, None, None, configured_cell_timeout=900).cell_timeout == 900
    assert GradingLimits.build("gpu", None, None, None, configured_cell_timeout=900).cell_timeout == 1200
    assert GradingLimits.build("gpu", 60, None, None, configured_cell_timeout=900).cell_timeout == 60
    assert (
        GradingLimits.build("cpu", None, 100, 0).timeout == 100
        and GradingLimits.build("cpu", None, None, 0).memory_mb == 0
    )


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
