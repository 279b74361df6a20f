"""Shared fixtures: the repository root, the built website, the real CIFAR-10 copy, and headless Chromium."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# Before any test imports TensorFlow: keep its start-up log lines out of the output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parent.parent
#: The built website; COURSE_BUILT_SITE points the suite at another build (e.g. a private one while editing).
SITE = Path(os.environ.get("COURSE_BUILT_SITE", REPO / "_build" / "html"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The website as `make book` builds it, each translation in its folder (built here only when `make test` has not
    built it already; one build at a time when several test processes ask at once)."""
    import fcntl

    from course_utils.book_i18n import languages

    SITE.parent.mkdir(exist_ok=True)
    with open(SITE.parent / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((SITE / folder / "index.html").is_file() for folder in ["", *languages(REPO)]):
            subprocess.run(["make", "book"], cwd=REPO, check=True)
    return SITE


@pytest.fixture(scope="session")
def cifar10_path() -> Path:
    """The real CIFAR-10 copy named by COURSE_CIFAR10: required in CI, skipped elsewhere when absent."""
    value = os.environ.get("COURSE_CIFAR10")
    if value and Path(value).is_file():
        return Path(value)
    message = f"COURSE_CIFAR10 does not name a CIFAR-10 file (value: {value!r}); see README.md"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium for the session (required in CI, skipped elsewhere when absent)."""
    from site_browser import CHROMIUM
    from site_browser import chromium as launch_chromium

    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing; `make browser` installs it (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with launch_chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.fixture(scope="session")
def tab(chromium):
    """The session's one tab (reusing it keeps the scripts compiled between pages)."""
    page = chromium.new_page()
    yield page
    page.close()


def pytest_collection_modifyitems(items):
    """A test that needs the built website, or a browser, is slow: `pytest -m "not slow"` neither builds the book
    nor starts Chromium."""
    for item in items:
        if "built_site" in getattr(item, "fixturenames", ()) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
