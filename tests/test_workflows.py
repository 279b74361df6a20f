"""Are the GitHub Actions workflows valid for GitHub, as checked by a workflow linter?"""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
LINTER = [str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema", "vendor.github-workflows"]


def lint(*paths):
    return subprocess.run([*LINTER, *map(str, paths)], capture_output=True, text=True)


def test_does_the_project_ship_its_test_and_publish_workflows():
    names = {path.name for path in WORKFLOWS}
    assert {"tests.yml", "pages.yml"} <= names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_does_the_workflow_pass_the_linter(workflow):
    result = lint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_does_the_linter_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  test:\n    steps: run make test\n")
    result = lint(broken)
    assert result.returncode != 0 and "broken.yml" in result.stdout + result.stderr


def test_does_the_tests_workflow_run_the_readme_test_command():
    assert "make test" in (REPO / ".github" / "workflows" / "tests.yml").read_text()
    assert "make test" in (REPO / ".ci" / "run").read_text()
