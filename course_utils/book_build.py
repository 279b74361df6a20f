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
  The article header's end items (the language switch, the theme's buttons) sit side by side.
* The book has translations (``course_translations``, built by ``course_utils.book_i18n`` into a folder of the site
  named after the language, e.g. ``zh_CN/``): every page links the same page in the other languages with a relative
  URL (``book_templates/language-switch.html``, in the article's header), and the alt text of the figures that
  executed cells draw and the captions of the table of contents are translated too. Sphinx's gettext machinery
  translates the prose at read time, but these images only appear when myst-nb picks an output's MIME type, after
  reading: the gettext builder is given the images (``nb_mime_priority_overrides``) and adds their alt text to the
  page's catalog, and a translated build looks it up in the same catalog once the page is resolved.

Enable it in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.gettext import MsgOrigin
from sphinx.errors import ExtensionError
from sphinx.locale import init as init_translations
from sphinx.util.i18n import docname_to_domain

MATHJAX_ENTRY = "tex-chtml.js"
MATHJAX_STATIC = "mathjax"
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
NO_FAVICON = '<link rel="icon" href="data:,">'
TEMPLATES = Path(__file__).parent / "book_templates"
#: The language the pages are written in; translations are built into a folder named after their language.
SOURCE_LANGUAGE = "en"
#: What the language switch shows for each language: its own name in its own language.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "中文"}
#: The language switch's accessible name, in the language of the page.
SWITCH_LABELS = {"en": "Other languages", "zh_CN": "其他语言"}
#: The theme's search field's placeholder in each translation.
SEARCH_PLACEHOLDERS = {"zh_CN": "搜索本书……"}
#: The image formats of executed cells, in the order the HTML builder prefers them (myst-nb's own default).
IMAGE_MIME_TYPES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")
COURSE_CSS = """\
code.literal span.pre { white-space: normal; overflow-wrap: anywhere; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; }
html[data-theme="light"] .admonition a { color: #155ec7; }
.bd-article div.highlight pre, .bd-article div.output pre { font-size: 12px; }
.bd-article .admonition div.highlight pre, .bd-article .admonition div.output pre { padding: 0.75rem; }
.bd-header-article .header-article-items__end { display: flex; align-items: center; }
.bd-header-article .course-language-switch .btn { font-size: 0.9rem; }
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


def _translate_the_frame(app: Sphinx, config) -> None:
    """A translation's book title (``course_titles``) and the theme's search placeholder, which Jupyter Book sets in
    English as a theme option (the theme translates the rest of its interface itself)."""
    if config.language == SOURCE_LANGUAGE:
        return
    if config.language in config.course_titles:
        config.html_title = config.course_titles[config.language]
    if config.language in SEARCH_PLACEHOLDERS:
        config.html_theme_options = {
            **config.html_theme_options,
            "search_bar_text": SEARCH_PLACEHOLDERS[config.language],
        }


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


def translations(app: Sphinx) -> list[str]:
    """The languages the book is translated into: those of ``course_translations`` that have a catalog folder
    (``<locale_dir>/<language>/LC_MESSAGES``) in the book."""
    folders = [Path(app.srcdir) / folder for folder in app.config.locale_dirs]
    return [
        language
        for language in app.config.course_translations
        if any((folder / language / "LC_MESSAGES").is_dir() for folder in folders)
    ]


def language_links(pagename: str, language: str, languages: list[str]) -> list[dict]:
    """The same page in every other language, as links relative to ``pagename`` in the site of ``language``: the
    source language's site is the root, each translation's a folder named after it."""
    to_root = "../" * (pagename.count("/") + (language != SOURCE_LANGUAGE))
    return [
        {
            "href": f"{to_root}{'' if other == SOURCE_LANGUAGE else other + '/'}{pagename}.html",
            "lang": other.replace("_", "-"),
            "name": LANGUAGE_NAMES.get(other, other),
        }
        for other in [SOURCE_LANGUAGE, *languages]
        if other != language
    ]


def _give_gettext_the_images(app: Sphinx, config) -> None:
    config.nb_mime_priority_overrides = [
        *config.nb_mime_priority_overrides,
        *(("gettext", mime, rank) for rank, mime in enumerate(IMAGE_MIME_TYPES, start=1)),
    ]


def _catalog(app: Sphinx, docname: str):
    """The translations of ``docname``'s catalog in the build's language (None when there is none)."""
    folders = [str(Path(app.srcdir) / folder) for folder in app.config.locale_dirs]
    domain = docname_to_domain(docname, app.config.gettext_compact)
    catalog, found = init_translations(folders, app.config.language, domain)
    return catalog if found else None


def _translate_toctree_captions(app: Sphinx, doctree: nodes.document) -> None:
    """The captions of the table of contents (sphinx-external-toc adds them to the root page after Sphinx has
    translated it), before Sphinx stores them for the sidebar."""
    if app.config.language == SOURCE_LANGUAGE or (catalog := _catalog(app, app.env.docname)) is None:
        return
    for toctree in doctree.findall(addnodes.toctree):
        if toctree.get("caption"):
            toctree["caption"] = catalog.gettext(toctree["caption"])


def _translate_image_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    images = [image for image in doctree.findall(nodes.image) if image.get("alt")]
    if not images:
        return
    if app.builder.name == "gettext":
        catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
        source = app.env.doc2path(docname)
        for image in images:
            catalog.add(image["alt"], MsgOrigin(str(source), image.line or 0))
    elif app.config.language != SOURCE_LANGUAGE and (translations := _catalog(app, docname)) is not None:
        for image in images:
            image["alt"] = translations.gettext(image["alt"])


def _link_other_languages(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    languages = translations(app)
    if languages:
        context["course_language_links"] = language_links(pagename, app.config.language, languages)
        context["course_language_label"] = SWITCH_LABELS.get(app.config.language, SWITCH_LABELS[SOURCE_LANGUAGE])


def setup(app: Sphinx) -> dict:
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)
    app.add_config_value("course_mathjax_dir", "node_modules/mathjax/es5", "env")
    app.add_config_value("course_translations", [], "html", list)
    app.add_config_value("course_titles", {}, "html", dict)
    app.connect("config-inited", _translate_the_frame)
    app.connect("config-inited", _give_gettext_the_images)
    app.connect("doctree-resolved", _translate_image_alt_text)
    # Before Sphinx's toctree collector (priority 500) records the captions.
    app.connect("doctree-read", _translate_toctree_captions, priority=400)
    app.connect("html-page-context", _link_other_languages)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("config-inited", _start_in_light_mode)
    app.connect("config-inited", _use_course_templates)
    app.connect("builder-inited", _write_course_css)
    app.connect("html-page-context", _clean_page_head)
    app.add_css_file("course.css")
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
