"""The instructor's grading workflow behind the ``course`` command (see GRADING.md, and CONTRIBUTING.md for the path
of one submission through these modules).

Steps: :mod:`.workspace` (where grading data lives, nbgrader settings), :mod:`.release`, :mod:`.collect`,
:mod:`.autograde` (with :mod:`.limits`, :mod:`.pool` of :mod:`.worker` processes, :mod:`.shards`), :mod:`.feedback`,
:mod:`.report`, :mod:`.similarity` (pairs of alike submissions), :mod:`.export` (grade files for Canvas and
Moodle) and :mod:`.validate` (the students' check). Every gradebook access goes through :mod:`.gradebook`.

Trusted grading: :mod:`.trusted` re-runs every test cell outside the student's reach, its scores are the ones that
count (:mod:`.trusted_results` writes them into notebooks and gradebook); the student's answer cells run in a
:mod:`.sandbox` (the grader's side), a separate :mod:`.sandbox_process`, talking in :mod:`.wire` messages; Keras
objects cross as :mod:`.keras_values`; :mod:`.student_code` reads the student's code without running it;
:mod:`.cells` reads nbgrader cells. :mod:`.kernel` confines nbgrader's kernel; it and the sandbox share the Linux
helpers of :mod:`.namespaces`.
"""
