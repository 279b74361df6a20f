"""Unit tests of course_utils.grading.limits: the limits each profile grades under, whatever the course configures."""

from __future__ import annotations

import pytest

from course_utils.grading.limits import PROFILE_LIMITS, GradingLimits


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
