"""Does course_utils.grading.pages render its templates from an installed wheel, not only from a checkout?"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

RENDER = """
import course_utils
from course_utils.grading.feedback import render
result = {"assignment": "ex01", "student": "amy", "status": "failed", "score": 0.0, "max_score": 2.0, "parts": []}
print(course_utils.__file__)
print(render(result, {}))
"""


@pytest.mark.slow
def test_does_the_wheel_carry_the_page_templates(tmp_path):
    """Built from the project's files alone, does the wheel hold the templates, and does a page render from it?"""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, project)
    shutil.copytree(REPO / "course_utils", project / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, project],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("*.whl")
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    templates = sorted(path.name for path in (REPO / "course_utils" / "grading" / "templates").glob("*.html"))
    missing = [name for name in templates if f"course_utils/grading/templates/{name}" not in names]
    assert templates and not missing, f"templates not in the wheel: {missing}"
    shown = subprocess.run(
        [sys.executable, "-c", RENDER],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(str(installed / "course_utils"))
    assert "<h1>ex01: feedback for amy</h1>" in shown.stdout
