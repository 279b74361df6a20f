"""The instructor's grading workflow behind the ``course`` command (see GRADING.md).

One module per step: :mod:`.workspace` (where grading data lives, nbgrader settings), :mod:`.release`,
:mod:`.collect`, :mod:`.autograde` (parallel, resumable, sharded; :mod:`.worker` and :mod:`.kernel` run inside the
worker processes), :mod:`.feedback`, :mod:`.report` and :mod:`.validate` (the students' check). :mod:`.trusted`
re-runs every test cell outside the student's reach, with the answer cells confined by :mod:`.sandbox`; its scores
are the ones that count.
:mod:`.kernel` confines nbgrader's kernel too; both use the Linux namespace helpers of :mod:`.namespaces`.
"""
