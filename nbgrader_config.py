"""nbgrader configuration for the course: sources in solutions/, student releases in exercises/."""

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
