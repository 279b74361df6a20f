"""The HTML pages of feedback and reports, rendered from ``templates/`` with Jinja2.

Every value a template prints is HTML-escaped (``autoescape``): a student id, a problem or a test's message that
holds ``<script>`` shows as text. A template that prints an undefined name fails instead of printing nothing.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("course_utils.grading"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, **context: object) -> str:
    """The page ``templates/<template>`` shows for ``context``."""
    return _environment().get_template(template).render(**context)
