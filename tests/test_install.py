"""Can a student install the course's helpers without the instructor's tools?

The core package needs NumPy only: exercises 1 and 2 import `course_utils.checks` and `course_utils.reference`,
which must import nothing heavier. The extras add exercise 3's libraries (cnn), the `course` command (grading) and
the book (book); binder/ installs the cnn extra with the same pins as `make setup`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest

from conftest import REPO

#: Libraries a light install does not have.
HEAVY = ("tensorflow", "keras", "scipy", "matplotlib", "sklearn", "nbgrader", "traitlets", "jupyter_book", "rich")

BLOCKER = f"""
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {HEAVY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Missing())
"""


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_does_the_core_install_need_numpy_only():
    assert project()["dependencies"] == ["numpy"]
    extras = project()["optional-dependencies"]
    assert {"cnn", "grading", "book", "all", "test", "gpu"} <= set(extras)
    assert any(requirement.startswith("keras==") for requirement in extras["cnn"])
    assert any(requirement.startswith("nbgrader==") for requirement in extras["grading"])


@pytest.mark.parametrize("assignment", ["ex01_convolution", "ex02_pooling"])
def test_do_the_numpy_exercises_import_without_the_heavy_libraries(assignment):
    """Does the released notebook's first code cell run where TensorFlow, SciPy, nbgrader... are missing?"""
    notebook = json.loads((REPO / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    first = next("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    code = BLOCKER + first + "\nimport course_utils.data\nprint('imported')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0 and "imported" in result.stdout, result.stderr


def test_does_the_course_command_say_what_to_install_without_the_grading_tools():
    code = BLOCKER + "import sys; sys.argv = ['course', '--help']\nfrom course_utils.cli import main\nmain()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 1 and "pip install 'course-utils[grading]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_does_binder_install_the_cnn_extra_with_the_same_pins():
    lines = [line for line in (REPO / "binder" / "requirements.txt").read_text().splitlines() if line[:1] not in "#"]
    assert lines == ["-c ../constraints.txt", ".[cnn]"]
    assert (REPO / "binder" / lines[0].split()[1]).resolve() == REPO / "constraints.txt"
