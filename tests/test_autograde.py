"""Unit tests of course_utils.grading.autograde that need no course: the limits each profile grades under."""

from __future__ import annotations

import pytest

from course_utils.grading.autograde import PROFILES, Limits


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_does_each_profile_grade_with_the_limits_of_its_table_whatever_the_course_configures(profile):
    """Does nbgrader_config.py's 300 s cell timeout (the course's own) leave the gpu profile its 1200 s?"""
    limits = Limits.build(profile, None, None, None, configured_cell_timeout=300)
    assert (limits.cell_timeout, limits.timeout, limits.memory_mb) == (
        PROFILES[profile]["cell_timeout"],
        PROFILES[profile]["timeout"],
        PROFILES[profile]["memory_mb"],
    )
    assert (PROFILES["cpu"]["cell_timeout"], PROFILES["gpu"]["cell_timeout"]) == (300, 1200)


def test_does_a_longer_configured_cell_timeout_count_and_the_command_line_win():
    assert Limits.build("cpu", None, None, None, configured_cell_timeout=900).cell_timeout == 900
    assert Limits.build("gpu", None, None, None, configured_cell_timeout=900).cell_timeout == 1200
    assert Limits.build("gpu", 60, None, None, configured_cell_timeout=900).cell_timeout == 60
    assert Limits.build("cpu", None, 100, 0).timeout == 100 and Limits.build("cpu", None, None, 0).memory_mb == 0
