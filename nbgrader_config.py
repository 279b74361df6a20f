"""nbgrader configuration for the course: sources in solutions/, student releases in exercises/."""

from pathlib import Path

from nbgrader.converters import GenerateAssignment

from course_utils import site

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Autograding: each cell of exercises 1, 2 and 4 runs in well under a second; exercise 3's largest is the grader's own
# training run (cpu profile: capped at 180 CPU seconds, plus TensorFlow's import). A cell still running after this
# many seconds (an endless loop) is interrupted, scores as failed, and grading goes on with the next cell.
c.ExecutePreprocessor.timeout = 300
# A test cell missing from a submission is put back from the source and graded, not scored as absent.
c.OverwriteCells.add_missing_cells = True


def _short_tracebacks(nb, resources):
    """Feedback preprocessor: a failed test shows its error line, not the traceback that would quote hidden tests."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
    return nb, resources


# Feedback shows each test cell as the student's copy shows it: the hidden tests are removed from its source
# (nbgrader's ClearHiddenTests, as generate_assignment does) and a failure shows only its message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
    _short_tracebacks,
]

# The released notebooks link the book's pages on the published website: set its address as `html.baseurl` in
# _config.yml, then `course release` (course_utils/site.py; without an address the links become plain page titles).
c.GenerateAssignment.preprocessors = [
    site.preprocessor(site.site_url(Path(__file__).resolve().parent)),
    *GenerateAssignment.class_traits()["preprocessors"].default(),
]
