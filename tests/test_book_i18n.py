"""Is the Chinese edition complete and true to the English pages?

The quick tests read the catalogs (``book/locales/<language>/LC_MESSAGES``): every paragraph translated and none
fuzzy, a catalog for every page, and the translation of each paragraph keeping its math, code, links and
cross-references. The slow ones extract the prose from the pages again: the catalogs must hold exactly what the
pages say, and a paragraph added to an English page (on a copy of the book) must be reported.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import REPO
from site_browser import toc_pages

from course_utils.book_i18n import catalogs, languages, locale_dir, untranslated

LANGUAGES = languages(REPO)
#: What a translation must carry over unchanged: roles with their targets, then (in the text without roles) inline
#: math, inline code, link targets and HTML tags (an executed Markdown output).
ROLE = re.compile(r"\{[a-z:-]+\}`[^`]+`")
KEPT = {
    "math": re.compile(r"\$[^$]+\$"),
    "code": re.compile(r"`[^`]+`"),
    "link target": re.compile(r"\]\(([^)]+)\)"),
    "HTML": re.compile(r"<[^>]+>"),
}


def kept(text: str) -> dict[str, set[str]]:
    """The parts of a paragraph that its translation must keep, by kind."""
    rest = ROLE.sub(" ", text)
    return {"role": set(ROLE.findall(text)), **{name: set(pattern.findall(rest)) for name, pattern in KEPT.items()}}


def _messages(path: Path):
    with path.open("rb") as file:
        return [message for message in read_po(file) if message.id]


def test_is_the_book_translated_into_chinese():
    assert "zh_CN" in LANGUAGES, "_config.yml's course_translations no longer lists zh_CN"


@pytest.mark.parametrize("language", LANGUAGES)
def test_is_every_paragraph_translated_and_none_fuzzy(language):
    problems = untranslated(REPO, language)
    assert not problems, "\n".join(["", *map(str, problems), "(translate them: README.md, 'The Chinese edition')"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_does_every_page_of_the_table_of_contents_have_a_catalog(language):
    folder = locale_dir(REPO) / language / "LC_MESSAGES"
    missing = [page for page in toc_pages(REPO / "_toc.yml") if not (folder / f"{page}.po").is_file()]
    assert not missing, f"pages with no {language} catalog (run `make translations`): {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_does_every_translation_keep_the_math_code_and_links_of_its_paragraph(language):
    """Math, numbers in code, link targets and cross-references are the English page's own: a translation that
    drops or alters one shows the reader something the English page does not say."""
    problems = []
    for path in catalogs(REPO, language):
        for message in _messages(path):
            if not message.string:
                continue
            translated = kept(message.string)
            for name, english in kept(message.id).items():
                lost, added = sorted(english - translated[name]), sorted(translated[name] - english)
                if lost or added:
                    problems.append(
                        f"{path.relative_to(REPO)}:{message.lineno}: {name} differs: "
                        f"{lost} in the English only, {added} in the translation only"
                    )
    assert not problems, "\n".join(["", *problems])


def test_are_an_empty_and_a_fuzzy_translation_reported(tmp_path):
    """The check that guards the catalogs fails on a catalog with one entry emptied and one marked fuzzy."""
    book = tmp_path / "book"
    shutil.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    shutil.copytree(REPO / "book" / "locales", book / "locales")
    path = sorted((book / "locales" / "zh_CN").rglob("pooling.po"))[0]
    with path.open("rb") as file:
        catalog = read_po(file)
    first, second = [message for message in catalog if message.id][:2]
    first.string = ""
    second.flags.add("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalog)
    problems = untranslated(tmp_path, "zh_CN")
    assert [(problem.msgid, problem.fuzzy) for problem in problems] == [(first.id, False), (second.id, True)]


def _outdated(book: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "course_utils.book_i18n", "outdated", str(book), *options],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_do_the_catalogs_hold_exactly_the_prose_of_the_pages(built_site):
    """Extracting the pages' prose again gives the paragraphs the catalogs hold, no more and no fewer."""
    result = _outdated(REPO)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_is_a_paragraph_added_to_an_english_page_reported(built_site, tmp_path):
    """On a copy of the book whose pooling page gained a paragraph, the check names that paragraph."""
    book = tmp_path / "book-copy"
    (book / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, book / name)
    for path in (REPO / "book").iterdir():
        if path.is_file():
            shutil.copy(path, book / "book" / path.name)
        else:
            (book / "book" / path.name).symlink_to(path, target_is_directory=True)
    for name in ("exercises", "node_modules"):
        (book / name).symlink_to(REPO / name, target_is_directory=True)
    added = "A paragraph that the Chinese catalog has never seen."
    page = book / "book" / "pooling.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("\n## Max pooling\n", f"\n{added}\n\n## Max pooling\n", 1), encoding="utf-8")
    assert added in page.read_text(encoding="utf-8")
    result = _outdated(book, "--cache", str(built_site.parent / ".jupyter_cache"))
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"book/pooling.po: not in the catalog: {added!r}" in result.stdout.splitlines(), result.stdout[-4000:]
