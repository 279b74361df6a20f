"""The course website's address, for links in the exercise notebooks (``_config.yml``'s ``html.baseurl``).

Source notebooks link book pages as ``[Pooling](site:pooling)`` and name the helper package's wheel as
``SITE_WHEEL``; :func:`site_links` (run by ``nbgrader generate_assignment`` and ``course release``, see
nbgrader_config.py) turns them into addresses on the published site, or, while no address is configured, into plain
words that point to the course website.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

#: A link to a book page in a source notebook: ``[text](site:page)``.
PAGE_LINK = re.compile(r"\[([^\]]+)\]\(site:([\w/-]+)\)")
#: Where the helper package's wheel goes in a source notebook.
WHEEL = "SITE_WHEEL"


def site_url(course_dir: str | Path) -> str:
    """``html.baseurl`` of the book's ``_config.yml`` in ``course_dir`` without its final slash, or ""."""
    import yaml

    config = Path(course_dir) / "_config.yml"
    settings = yaml.safe_load(config.read_text()) if config.is_file() else {}
    return str((settings.get("html") or {}).get("baseurl") or "").rstrip("/")


def wheel_name() -> str:
    """The file name of the wheel ``make book`` puts under the site's ``downloads/``."""
    return f"course_utils-{version('course-utils')}-py3-none-any.whl"


def site_links(text: str, base: str) -> str:
    """``text`` with its page links and wheel placeholder resolved against the site at ``base`` ("" = unknown)."""
    if base:
        text = PAGE_LINK.sub(lambda m: f"[{m.group(1)}]({base}/{m.group(2)}.html)", text)
        return text.replace(WHEEL, f"{base}/downloads/{wheel_name()}")
    text = PAGE_LINK.sub(lambda m: m.group(1), text)
    return text.replace(WHEEL, f"<the address of {wheel_name()} on the course website>")


def preprocessor(base: str):
    """An nbgrader/nbconvert preprocessor (a function) applying :func:`site_links` to every cell."""

    def resolve_site_links(nb, resources):
        for cell in nb.cells:
            cell.source = site_links(cell.source, base)
        return nb, resources

    return resolve_site_links
