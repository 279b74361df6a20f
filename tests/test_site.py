"""Do the exercise notebooks link the published website, wherever the course configures it (course_utils/site.py)?"""

from __future__ import annotations

import nbformat
from nbgrader_course import REPO, NbgraderCourse

from course_utils.site import site_links, site_url, wheel_name

SOURCE = "Read [*Pooling*](site:pooling) first; install with `pip install 'course_utils @ SITE_WHEEL'`."


def test_does_a_configured_site_turn_page_names_into_links():
    """With an address, does a page link point to its .html page and the wheel to the site's downloads?"""
    text = site_links(SOURCE, "https://example.org/cnn")
    assert "[*Pooling*](https://example.org/cnn/pooling.html)" in text
    assert f"https://example.org/cnn/downloads/{wheel_name()}" in text and "site:" not in text


def test_does_an_unpublished_site_leave_plain_words_and_no_broken_links():
    """Without an address, does a page link become its title and the wheel a description, with no dead link?"""
    text = site_links(SOURCE, "")
    assert text.startswith("Read *Pooling* first") and "](" not in text and "SITE_WHEEL" not in text
    assert f"<the address of {wheel_name()} on the course website>" in text


def test_is_the_address_read_from_the_book_configuration(tmp_path):
    """Is the address html.baseurl of _config.yml (without its last slash), and "" when it is unset?"""
    (tmp_path / "_config.yml").write_text("html:\n  baseurl: https://example.org/cnn/\n")
    assert site_url(tmp_path) == "https://example.org/cnn"
    assert site_url(REPO) == "" and site_url(tmp_path / "missing") == ""


def test_does_generate_assignment_link_the_configured_site(tmp_path):
    """Does plain `nbgrader generate_assignment` in a course with an address release notebooks that link it?"""
    config = (REPO / "_config.yml").read_text().replace('baseurl: ""', "baseurl: https://example.org/cnn/")
    assert "https://example.org/cnn/" in config
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "_config.yml").write_text(config)
    course = NbgraderCourse.create(tmp_path / "course", ["ex02_pooling"])
    text = nbformat.writes(course.released("ex02_pooling"))
    assert "https://example.org/cnn/pooling.html" in text and "site:" not in text and "SITE_WHEEL" not in text
