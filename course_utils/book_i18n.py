"""The book's translations, with Sphinx's gettext workflow: one catalog of every page's prose per language, and one
site per language built from the same pages and the same executed outputs.

``python -m course_utils.book_i18n COMMAND [BOOK]`` (``BOOK``: the book's folder, the current one by default):

* ``update``: extract the prose of every page (Sphinx's gettext builder, into ``_build/gettext``) and bring each
  translation's catalogs (``book/locales/<language>/LC_MESSAGES/book/<page>.po``) up to date with sphinx-intl: a new
  paragraph gets an empty translation, an edited one keeps its old translation marked fuzzy, a deleted one goes.
* ``build``: build each translation's HTML site into ``_build/<language>/html`` (its own doctrees, so the English
  build's stay valid) and copy it to ``_build/html/<language>/``. The pages are not executed again: myst-nb reads
  their outputs from the English build's execution cache (``_build/.jupyter_cache``), keyed by the code.
* ``check``: list every paragraph with no translation or a fuzzy one; exit status 1 if there is any.
* ``outdated``: extract the prose again (into a temporary folder) and list every paragraph of the pages that a
  catalog lacks, and every catalog entry that no page has any more: the catalogs are behind the English pages until
  ``update`` runs; exit status 1 if there is any. ``--cache DIR`` reads executed outputs from another book's cache.

The languages are ``course_translations`` of ``_config.yml``'s Sphinx settings; the catalogs' folder is the first
of its ``locale_dirs``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

#: Where the builds go, under the book's folder.
BUILD = "_build"
#: The site's folder of files to download (the helper package's wheel), which the home page links relatively.
DOWNLOADS = "downloads"


@dataclass(frozen=True)
class Untranslated:
    """A message of a catalog that a reader of the translation would see in English (or out of date)."""

    catalog: str
    line: int
    msgid: str
    fuzzy: bool

    def __str__(self) -> str:
        state = "fuzzy (the English changed)" if self.fuzzy else "not translated"
        text = self.msgid if len(self.msgid) <= 80 else self.msgid[:77] + "..."
        return f"{self.catalog}:{self.line}: {state}: {text!r}"


def sphinx_settings(book: Path) -> dict:
    """The Sphinx settings of the book's ``_config.yml`` (its ``sphinx: config:`` section)."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    return (config.get("sphinx") or {}).get("config") or {}


def languages(book: Path) -> list[str]:
    """The languages the book is translated into (``course_translations``)."""
    return list(sphinx_settings(book).get("course_translations", []))


def locale_dir(book: Path) -> Path:
    """The folder of the catalogs (the first of ``locale_dirs``)."""
    return book / sphinx_settings(book).get("locale_dirs", ["locales"])[0]


def catalogs(book: Path, language: str) -> list[Path]:
    """Every ``.po`` catalog of ``language``, sorted."""
    return sorted((locale_dir(book) / language / "LC_MESSAGES").rglob("*.po"))


def sphinx_build(book: Path, builder: str, outdir: Path, doctrees: Path, cache: Path | None = None, **settings) -> None:
    """Build ``book`` with Jupyter Book's Sphinx configuration as ``jupyter-book build`` does (strict: ``-W -n
    --keep-going``), into ``outdir`` with the doctrees in ``doctrees``, reading executed outputs from ``cache`` (the
    book's execution cache by default); ``settings`` override Sphinx settings. Raises SystemExit when the build
    fails."""
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        book,
        outdir,
        noconfig=True,
        path_config=str(book / "_config.yml"),
        confoverrides={
            "external_toc_path": str(book / "_toc.yml"),
            "latex_individualpages": False,
            "nitpicky": True,
            "nb_execution_cache_path": str(cache or book / BUILD / ".jupyter_cache"),
            **settings,
        },
        builder=builder,
        doctreedir=doctrees,
        warningiserror=True,
        keep_going=True,
    )
    if result:
        raise SystemExit(f"the {builder} build of {book} failed (see above)")


def extract(book: Path, pot_dir: Path | None = None, cache: Path | None = None) -> Path:
    """Write the message templates (``.pot``) of every page into ``pot_dir`` (``_build/gettext``); returns it."""
    pot_dir = pot_dir or book / BUILD / "gettext"
    sphinx_build(book, "gettext", pot_dir, pot_dir / ".doctrees", cache=cache)
    return pot_dir


def _messages(path: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


def outdated(book: Path, language: str, pot_dir: Path) -> list[str]:
    """How ``language``'s catalogs differ from the templates in ``pot_dir`` (extracted from the pages): every
    paragraph a catalog lacks, every entry no page has any more, and every page with no catalog."""
    folder = locale_dir(book) / language / "LC_MESSAGES"
    problems = []
    for template in sorted(pot_dir.rglob("*.pot")):
        name = template.relative_to(pot_dir).with_suffix(".po")
        catalog = folder / name
        if not catalog.is_file():
            problems.append(f"{name}: no {language} catalog (run `make translations`)")
            continue
        wanted, held = _messages(template), _messages(catalog)
        problems += [f"{name}: not in the catalog: {text!r}" for text in sorted(wanted - held)]
        problems += [f"{name}: no longer on the page: {text!r}" for text in sorted(held - wanted)]
    return problems


def update(book: Path) -> None:
    """Extract the prose and update every translation's catalogs from it (sphinx-intl)."""
    from sphinx_intl.basic import update as update_catalogs

    pot_dir = extract(book)
    update_catalogs(str(locale_dir(book)), str(pot_dir), tuple(languages(book)), ignore_obsolete=True)


def build(book: Path) -> None:
    """Build each translation's site and copy it into the English site's folder, ``_build/html/<language>/``."""
    for language in languages(book):
        if not catalogs(book, language):
            print(f"no catalogs for {language} under {locale_dir(book)}: its site is not built")
            continue
        outdir = book / BUILD / language / "html"
        sphinx_build(book, "html", outdir, outdir.parent / ".doctrees", language=language)
        site = book / BUILD / "html"
        shutil.copytree(outdir, site / language, dirs_exist_ok=True)
        if (site / DOWNLOADS).is_dir():
            shutil.copytree(site / DOWNLOADS, site / language / DOWNLOADS, dirs_exist_ok=True)


def untranslated(book: Path, language: str) -> list[Untranslated]:
    """Every message of ``language``'s catalogs with an empty or a fuzzy translation."""
    from babel.messages.pofile import read_po

    problems = []
    for path in catalogs(book, language):
        with path.open("rb") as file:
            catalog = read_po(file)
        name = path.relative_to(book).as_posix()
        for message in catalog:
            if message.id and (message.fuzzy or not message.string):
                problems.append(Untranslated(name, message.lineno, message.id, message.fuzzy))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.book_i18n", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "build", "check", "outdated"])
    parser.add_argument("book", nargs="?", type=Path, default=Path("."))
    parser.add_argument("--cache", type=Path, help="outdated: the execution cache to read outputs from")
    args = parser.parse_args(argv)
    book = args.book.resolve()
    if args.command == "update":
        update(book)
        return 0
    if args.command == "build":
        build(book)
        return 0
    if args.command == "check":
        problems = [str(problem) for language in languages(book) for problem in untranslated(book, language)]
    else:
        with tempfile.TemporaryDirectory() as folder:
            pot_dir = extract(book, Path(folder), cache=args.cache and args.cache.resolve())
            problems = [problem for language in languages(book) for problem in outdated(book, language, pot_dir)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
