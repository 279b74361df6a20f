"""Is the repository clean: toc entries real, notebooks stored without outputs, no generated files tracked?

(That the website holds nothing from solutions/ is checked in test_site_browser.py.)
"""

import json
import subprocess

import pytest
import yaml
from conftest import REPO


def toc_files():
    """Every file named in _toc.yml (the root, then chapters and sections at any depth)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return names


def notebooks(folder):
    return sorted(path for path in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def test_does_every_toc_entry_exist_as_a_book_page():
    for name in toc_files():
        assert name.startswith("book/"), f"{name}: the toc lists book pages only"
        assert any((REPO / f"{name}{suffix}").is_file() for suffix in (".md", ".ipynb")), f"{name} has no page file"


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_are_notebooks_stored_without_outputs(folder):
    for path in notebooks(folder):
        cells = json.loads(path.read_text())["cells"]
        with_output = [i for i, cell in enumerate(cells) if cell.get("outputs") or cell.get("execution_count")]
        assert not with_output, f"{path.relative_to(REPO)}: cells {with_output} carry outputs"


def test_are_no_generated_files_or_datasets_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    forbidden = [
        name
        for name in tracked
        if name.endswith((".npz", ".tar.gz", "gradebook.db"))
        or any(
            part in {"_build", ".venv", "node_modules", "__pycache__", ".ipynb_checkpoints"} for part in name.split("/")
        )
    ]
    assert not forbidden, f"generated files or data are tracked: {forbidden}"
    large = [name for name in tracked if (REPO / name).is_file() and (REPO / name).stat().st_size > 2_000_000]
    assert not large, f"files over 2 MB are tracked: {large}"
