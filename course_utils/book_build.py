"""Sphinx extension for the course's Jupyter Book: an offline, quiet build.

* MathJax is served from the built site: the copy that ``make setup`` installs from the npm registry
  (``node_modules/mathjax/es5``) is copied to ``_static/mathjax`` and ``mathjax_path`` points at it, so math renders
  with no network. A missing copy fails the build with a message saying how to install it.
* TensorFlow's start-up log lines are switched off for the notebook kernels that execute the pages (they inherit
  this process's environment).
* Every page loads without a browser console error:
  - inline scripts that Sphinx 7.4 lists twice (an extension's ``add_js_file(None, body=...)`` is re-added as
    ``""``) are written once; sphinx-thebe's duplicated ``const THEBE_JS_URL`` otherwise throws a SyntaxError;
  - the theme starts in light mode (pydata-sphinx-theme logs an error on a first visit when no default is set);
  - the page declares an empty icon, so the browser does not ask the server for a missing ``/favicon.ico``.
* Pages pass an accessibility audit (axe-core, in the browser tests): the theme's search field and colour-mode
  button hide their icons and shortcut from assistive technology (``book_templates/``), and bibliography entries
  are list items of the citation list (docutils marks them ``doc-biblioentry``, which ARIA 1.2 deprecates).
* Pages fit a phone screen (``_static/course.css``): a long inline code word (a file path) may break instead of
  widening the page, and display math wider than the screen scrolls inside its own box. Links inside admonitions
  (exercises, answers) are a darker blue, readable on their tinted background (contrast at least 4.5:1). Code and
  printed outputs use a 12 px font, so that a line of 88 characters fits the article at 1280 px, in an answer too.

Enable it in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

MATHJAX_ENTRY = "tex-chtml.js"
MATHJAX_STATIC = "mathjax"
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
NO_FAVICON = '<link rel="icon" href="data:,">'
TEMPLATES = Path(__file__).parent / "book_templates"
COURSE_CSS = """\
code.literal span.pre { white-space: normal; overflow-wrap: anywhere; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; }
html[data-theme="light"] .admonition a { color: #155ec7; }
.bd-article div.highlight pre, .bd-article div.output pre { font-size: 12px; }
.bd-article .admonition div.highlight pre, .bd-article .admonition div.output pre { padding: 0.75rem; }
"""


def mathjax_source(app: Sphinx) -> Path:
    """The folder holding MathJax's ``es5`` build, resolved against the book's root."""
    return (Path(app.confdir) / app.config.course_mathjax_dir).resolve()


def _use_local_mathjax(app: Sphinx, config) -> None:
    source = mathjax_source(app)
    if not (source / MATHJAX_ENTRY).is_file():
        raise ExtensionError(
            f"MathJax not found at {source / MATHJAX_ENTRY}; run `make setup` (it installs MathJax with `npm ci`)"
        )
    config.mathjax_path = f"{MATHJAX_STATIC}/{MATHJAX_ENTRY}"


def _start_in_light_mode(app: Sphinx, config) -> None:
    config.html_context = {"default_mode": "light", **config.html_context}


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_STATIC
    shutil.copytree(mathjax_source(app), target, dirs_exist_ok=True)


def _use_course_templates(app: Sphinx, config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def _write_course_css(app: Sphinx) -> None:
    if app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / "course.css").write_text(COURSE_CSS, encoding="utf-8")


def _clean_page_head(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    unique = {}
    for script in context.get("script_files", []):
        unique.setdefault((script.filename or "", tuple(sorted(script.attributes.items()))), script)
    context["script_files"] = list(unique.values())
    if not context.get("favicon_url"):
        context["metatags"] = context.get("metatags", "") + NO_FAVICON
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)
    app.add_config_value("course_mathjax_dir", "node_modules/mathjax/es5", "env")
    app.connect("config-inited", _use_local_mathjax)
    app.connect("config-inited", _start_in_light_mode)
    app.connect("config-inited", _use_course_templates)
    app.connect("builder-inited", _write_course_css)
    app.connect("html-page-context", _clean_page_head)
    app.add_css_file("course.css")
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
