"""Can the student's code in the kernel nbgrader runs during `course autograde` touch the instructor's files?

course_utils.grading.kernel confines that kernel (user + mount namespaces): hidden folders are empty, everything
else is read-only except the kernel's working directory and a private /tmp. The first tests confine a small Python
process the way the kernel launcher does; the last one grades a hostile submission through the real `course` CLI.
The layouts live under /var/tmp, because a confined process sees a private /tmp of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from nbgrader_course import answer_cells, solution_code

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel is confined on Linux only")

COURSE = Path(sys.executable).with_name("course")
#: Confine this process like the kernel launcher, then execute the probe given as the last argument.
LAUNCH = """
import json, os, sys
from course_utils.grading.kernel import confine
warning = confine(*json.loads(sys.argv[1]))
if warning.startswith("not confined"):
    sys.exit("SKIP " + warning)
assert not warning, warning
os.execv(sys.executable, [sys.executable, "-c", sys.argv[2]])
"""
#: Runs in the confined process: tries each action, prints {name: "ok: <result>" or the error's name}.
PROBE = """
import ctypes, json, os, sys
def attempt(action):
    try:
        return "ok: " + str(action())
    except OSError as error:
        return type(error).__name__
def write(path, mode="w"):
    with open(path, mode) as handle:
        return handle.write("written by the student")
def read(path):
    with open(path) as handle:
        return handle.read()
libc = ctypes.CDLL(None, use_errno=True)
actions = {ACTIONS}
print(json.dumps({name: attempt(action) for name, action in actions.items()}))
"""


@pytest.fixture
def layout():
    """A folder outside /tmp: an instructor folder with a secret, a kept and a working folder inside it."""
    if not os.access("/var/tmp", os.W_OK):
        pytest.skip("/var/tmp is not writable here")
    base = Path(tempfile.mkdtemp(prefix="kernel-confinement-", dir="/var/tmp"))
    instructor = base / "instructor"
    for folder in ("kept", "work"):
        (instructor / folder).mkdir(parents=True)
    (instructor / "secret.txt").write_text("hidden tests")
    (instructor / "kept" / "data.txt").write_text("kept data")
    (base / "visible").mkdir()
    yield base
    shutil.rmtree(base)


def confined(actions: str, hide, keep, writable, cwd: Path) -> dict[str, str]:
    """Run PROBE with ``actions`` (a dict display of name: lambda) in a process confined like the kernel."""
    probe = PROBE.replace("{ACTIONS}", actions)
    arguments = json.dumps([[str(p) for p in hide], [str(p) for p in keep], [str(p) for p in writable]])
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, arguments, probe], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    if result.returncode == 1 and result.stderr.startswith("SKIP "):
        pytest.skip(f"user namespaces are unavailable here: {result.stderr[5:].strip()}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_does_the_kernel_see_only_the_kept_paths_of_a_hidden_folder(layout):
    instructor = layout / "instructor"
    outcome = confined(
        f"""{{
        "read secret": lambda: read("{instructor}/secret.txt"),
        "list hidden": lambda: sorted(os.listdir("{instructor}")),
        "read kept": lambda: read("{instructor}/kept/data.txt"),
        "write kept": lambda: write("{instructor}/kept/data.txt", "a"),
        "write hidden": lambda: write("{instructor}/new.txt"),
    }}""",
        hide=[instructor],
        keep=[instructor / "kept"],
        writable=[instructor / "work"],
        cwd=instructor / "work",
    )
    assert outcome == {
        "read secret": "FileNotFoundError",
        "list hidden": "ok: ['kept', 'work']",
        "read kept": "ok: kept data",
        "write kept": "OSError",
        "write hidden": "OSError",
    }
    assert (instructor / "kept" / "data.txt").read_text() == "kept data"
    assert sorted(p.name for p in instructor.iterdir()) == ["kept", "secret.txt", "work"]


def test_can_the_kernel_write_its_working_folder_and_a_private_tmp_but_nothing_else(layout, tmp_path):
    instructor, work = layout / "instructor", layout / "instructor" / "work"
    (tmp_path / "grader.txt").write_text("the grader's temporary file")
    package, scratch = REPO / "course_utils" / f"student_{uuid.uuid4().hex}.py", f"/tmp/{uuid.uuid4().hex}.txt"
    try:
        outcome = confined(
            f"""{{
            "write work": lambda: write("answer.txt"),
            "write visible": lambda: write("{layout}/visible/new.txt"),
            "write package": lambda: write("{package}"),
            "write tmp": lambda: write("{scratch}"),
            "read grader tmp": lambda: read("{tmp_path}/grader.txt"),
        }}""",
            hide=[instructor],
            keep=[],
            writable=[],
            cwd=work,
        )
        package_written = package.exists()
    finally:
        package.unlink(missing_ok=True)
    assert outcome == {
        "write work": "ok: 22",
        "write visible": "OSError",
        "write package": "OSError",
        "write tmp": "ok: 22",
        "read grader tmp": "FileNotFoundError",
    }
    assert (work / "answer.txt").read_text() == "written by the student"
    assert not (layout / "visible" / "new.txt").exists() and not package_written and not Path(scratch).exists()


def test_can_the_kernel_neither_undo_its_mounts_nor_reach_the_grader_through_proc(layout):
    instructor = layout / "instructor"
    outcome = confined(
        f"""{{
        "unmount": lambda: libc.umount2(b"{instructor}", 2) or "unmounted",
        "errno": lambda: os.strerror(ctypes.get_errno()),
        "via parent": lambda: read(f"/proc/{{os.getppid()}}/root{instructor}/secret.txt"),
        "via init": lambda: read("/proc/1/root{instructor}/secret.txt"),
        "capabilities": lambda: [line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff")],
    }}""",
        hide=[instructor],
        keep=[],
        writable=[],
        cwd=instructor / "work",
    )
    assert outcome == {
        "unmount": "ok: -1",
        "errno": "ok: Operation not permitted",
        "via parent": "PermissionError",
        "via init": "PermissionError",
        "capabilities": "ok: ['0000000000000000']",
    }


def test_does_a_kernel_that_cannot_be_confined_say_so_and_still_run(layout):
    """unshare(CLONE_NEWUSER) refuses a process with several threads: one real way to be refused."""
    work = layout / "instructor" / "work"
    code = f"""
import threading
from course_utils.grading.kernel import confine
threading.Thread(target=threading.Event().wait, daemon=True).start()
print(confine(["{layout / "instructor"}"], [], []))
print(open("{layout / "instructor" / "secret.txt"}").read())
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    warning, secret = result.stdout.splitlines()
    assert warning.startswith("not confined (") and "grade as a user who cannot write them" in warning
    assert secret == "hidden tests"


# --- through `course autograde` --------------------------------------------------------------------------------------
ASSIGNMENT = "ex02_pooling"
#: Put before the first answer: tries to rewrite the hidden tests, the gradebook and course_utils, then reports.
ATTACK = """import json, os
_targets = {{"source": ("{source}", "w"), "gradebook": ("{gradebook}", "a"), "package": ("{package}", "w"),
            "via worker": (f"/proc/{{os.getppid()}}/root{source}", "w")}}
_outcome = {{}}
for _name, (_path, _mode) in _targets.items():
    try:
        with open(_path, _mode) as _handle:
            _handle.write("{marker}")
        _outcome[_name] = "written"
    except OSError as _error:
        _outcome[_name] = type(_error).__name__
try:
    _outcome["read source"] = "read" if "HIDDEN" in open("{source}").read() else "no hidden tests"
except OSError as _error:
    _outcome["read source"] = type(_error).__name__
with open("attack.json", "w") as _handle:
    json.dump(_outcome, _handle)

"""


def course(*args, cwd: Path) -> str:
    """Run the installed `course` command; its output."""
    environment = {k: v for k, v in os.environ.items() if k != "COURSE_WORKSPACE"}
    environment.update({"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"})
    result = subprocess.run(
        [str(COURSE), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600, env=environment
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_does_autograde_keep_a_hostile_notebook_off_the_instructors_files(layout):
    confined('{"cwd": os.getcwd}', hide=[], keep=[], writable=[], cwd=layout)  # skips without user namespaces
    root, workspace = layout / "course", layout / "workspace"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    course("release", ASSIGNMENT, "--workspace", workspace, cwd=root)
    source = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    package = REPO / "course_utils" / f"student_{uuid.uuid4().hex}.py"
    marker = f"written by the student {uuid.uuid4().hex}"
    notebook = nbformat.read(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = solution_code(nbformat.read(source, as_version=4))
    first, *_ = solutions
    attack = ATTACK.format(source=source, gradebook=workspace / "gradebook.db", package=package, marker=marker)
    for grade_id, cell in answer_cells(notebook).items():
        cell.source = (attack if grade_id == first else "") + solutions[grade_id]
    (layout / "export" / "mallory").mkdir(parents=True)
    nbformat.write(notebook, layout / "export" / "mallory" / f"{ASSIGNMENT}.ipynb")
    source_bytes = source.read_bytes()
    course("collect", ASSIGNMENT, layout / "export", "--workspace", workspace, cwd=root)
    try:
        course("autograde", ASSIGNMENT, "--workspace", workspace, cwd=root)
        package_written = package.exists()
    finally:
        package.unlink(missing_ok=True)
    outcome = json.loads((workspace / "autograded" / "mallory" / ASSIGNMENT / "attack.json").read_text())
    assert outcome == {
        "source": "FileNotFoundError",
        "gradebook": "OSError",
        "package": "OSError",
        "via worker": "PermissionError",
        "read source": "FileNotFoundError",
    }
    assert source.read_bytes() == source_bytes and not package_written
    assert marker.encode() not in (workspace / "gradebook.db").read_bytes()
    result = json.loads((workspace / "results" / ASSIGNMENT / "mallory.json").read_text())
    assert result["score"] == result["max_score"] > 0, result["parts"]
    logs = "".join(path.read_text() for path in (workspace / "logs" / ASSIGNMENT).glob("*.log"))
    assert "course grading kernel:" not in logs, logs
