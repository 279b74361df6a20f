"""Can a student install the course's helpers without the instructor's tools?

The core package needs NumPy only: exercises 1, 2 and 4 import `course_utils.checks` (1 and 2 `course_utils.reference`),
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


#: The exercises that need NumPy and the core package only.
NUMPY_EXERCISES = ("ex01_convolution", "ex02_pooling", "ex04_backprop")


@pytest.mark.parametrize("assignment", NUMPY_EXERCISES)
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


#: Runs a notebook's code cells in order in one namespace, as Restart & Run All does (the notebooks use no magics).
RUN_ALL = """
import json, sys
for cell in json.load(open(sys.argv[1]))["cells"]:
    if cell["cell_type"] == "code":
        exec(compile("".join(cell["source"]), sys.argv[1], "exec"), globals())
print("ran every cell")
"""


def answered(assignment: str, path) -> None:
    """Write the released notebook of ``assignment`` to ``path`` with the solutions' answers in its answer cells."""
    released = json.loads((REPO / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    source = json.loads((REPO / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    answers = {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        for cell in source["cells"]
        if cell["metadata"].get("nbgrader", {}).get("solution")
    }
    for cell in released["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            answer = answers[cell["metadata"]["nbgrader"]["grade_id"]]
            cell["source"] = [
                line
                for line in answer.splitlines(keepends=True)
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            ]
    path.write_text(json.dumps(released))


def test_does_the_site_s_wheel_alone_run_the_numpy_exercises(built_site, tmp_path):
    """Served on localhost, does the wheel the home page links install into a fresh venv, and do exercises 1, 2 and 4,
    downloaded and answered, run there from top to bottom without TensorFlow?"""
    import functools
    import http.server
    import re
    import threading

    link = re.search(
        r'The wheel: <a href="\.\./(downloads/[^"]+\.whl)"', (built_site / "book" / "intro.html").read_text()
    )
    assert link, "the home page links no wheel"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
        url = f"http://127.0.0.1:{server.server_port}/{link[1]}"
        # The wheel from the site; its one dependency, NumPy, from the package index (or pip's cache), pinned.
        install = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                python,
                "install",
                "--quiet",
                "--constraint",
                REPO / "constraints.txt",
                f"course_utils @ {url}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, install.stdout + install.stderr
    finally:
        server.shutdown()
        server.server_close()
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "list", "--format=json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    installed = {package["name"].lower().replace("-", "_") for package in json.loads(listed.stdout)}
    assert installed == {"course_utils", "numpy"}, installed
    for assignment in NUMPY_EXERCISES:
        notebook = tmp_path / f"{assignment}.ipynb"
        answered(assignment, notebook)
        run = subprocess.run(
            [python, "-c", RUN_ALL, notebook], capture_output=True, text=True, cwd=tmp_path, timeout=300
        )
        assert run.returncode == 0 and "ran every cell" in run.stdout, run.stderr[-3000:]
        assert run.stderr == "", run.stderr[-3000:]


@pytest.mark.parametrize(
    ("assignment", "command"),
    [
        ("ex01_convolution", "pip install 'course_utils @ <the address of"),
        ("ex03_cnn", "pip install 'course_utils[cnn] @ <"),
    ],
)
def test_does_a_notebook_without_the_helpers_say_what_to_install(assignment, command):
    """Where course_utils is missing, does the first cell stop with what to install, and no traceback?"""
    notebook = json.loads((REPO / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    first = next("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    blocker = BLOCKER.replace(repr(HEAVY), repr(("course_utils",)))
    result = subprocess.run([sys.executable, "-c", blocker + first], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "course_utils is not installed" in result.stderr and command in result.stderr
    assert "Getting the exercises to run" in result.stderr
