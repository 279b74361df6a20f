"""``course autograde`` and ``course merge``: parallel, resumable, sharded autograding.

Each submission is graded by a worker process (:mod:`.worker`) in a private course folder with its own copy of
the gradebook; the parent stores each answer as ``results/<assignment>/<student>.json`` (written atomically) and
merges it into the main gradebook itself, one at a time. A result records the hashes of the submission, of the
assignment's source and of the limits it was graded under, so a rerun — after Ctrl-C, a crash, or new
submissions — grades only what is missing or changed, and ends with the grades of one uninterrupted run.

GradingLimits: a per-cell timeout (nbgrader interrupts the cell and goes on), a per-submission wall-clock limit (the
worker and its kernel are killed, the submission scores 0) and a per-kernel memory cap (``RLIMIT_AS``; the
student's cell gets a ``MemoryError``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..training import NO_GPU_ENV, SHARED_GPU_ENV
from .workspace import Course, CourseError, hash_folder, write_json

#: Default limits per execution profile; the command-line options override each one.
PROFILE_LIMITS = {
    # CPU runners: several kernels at once, each capped in memory and threads.
    "cpu": {"cell_timeout": 300, "timeout": 1800, "memory_mb": 8192},
    # GPU runners: one kernel owns the GPU; CUDA reserves address space far beyond RAM, so no RLIMIT_AS.
    "gpu": {"cell_timeout": 1200, "timeout": 3600, "memory_mb": 0},
}


@dataclass
class GradingLimits:
    profile: str
    cell_timeout: int
    timeout: int
    memory_mb: int

    @classmethod
    def build(
        cls,
        profile: str,
        cell_timeout: int | None,
        timeout: int | None,
        memory_mb: int | None,
        configured_cell_timeout: int | None = None,
    ) -> GradingLimits:
        """The limits of ``profile`` with the command line's values where given. The cell timeout is the command
        line's, else the larger of nbgrader_config.py's and the profile's (a configuration can give cells more time,
        never less than the profile needs)."""
        base = PROFILE_LIMITS[profile]
        return cls(
            profile,
            cell_timeout or max(configured_cell_timeout or 0, base["cell_timeout"]),
            timeout or base["timeout"],
            base["memory_mb"] if memory_mb is None else memory_mb,
        )

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.__dict__, sort_keys=True).encode()).hexdigest()[:16]


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` → (2, 4); the i-th of n shards, 1 ≤ i ≤ n."""
    if text is None:
        return None
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise CourseError(f"bad --shard {text!r}: expected i/n, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise CourseError(f"bad --shard {text!r}: need 1 <= i <= n")
    return index, count


def shard_of(students: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The students the shard grades: every n-th of the sorted list, starting at the i-th."""
    ordered = sorted(students)
    if shard is None:
        return ordered
    index, count = shard
    return ordered[index - 1 :: count]


class Worker:
    """A worker process, restarted after it is killed for a limit."""

    def __init__(
        self, index: int, course: Course, limits: GradingLimits, scratch: Path, snapshot: Path, log: Path, threads: int
    ):
        self.index, self.course, self.limits, self.threads = index, course, limits, threads
        self.workdir = scratch / f"worker-{index}"
        self.snapshot, self.log = snapshot, log
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict:
        env = dict(os.environ)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
            env.setdefault(name, str(self.threads))
        env.update(
            {
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "TF_ENABLE_ONEDNN_OPTS": "0",
                "MPLBACKEND": "Agg",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
        )
        # The training tier of exercise 3 reads the profile (course_utils.training): one set in the environment
        # (e.g. smoke, in CI) wins over --profile. cpu workers see no GPU; gpu workers share the GPU.
        env.setdefault("COURSE_GRADING_PROFILE", self.limits.profile)
        if self.limits.profile == "cpu":
            env.update(NO_GPU_ENV)
        else:
            for name, value in SHARED_GPU_ENV.items():
                env.setdefault(name, value)
        return env

    def start(self) -> None:
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        command = [
            sys.executable,
            "-m",
            "course_utils.grading.worker",
            "--course-dir",
            str(self.course.course_dir),
            "--workspace",
            str(self.course.workspace),
            "--workdir",
            str(self.workdir),
            "--snapshot",
            str(self.snapshot),
            "--cell-timeout",
            str(self.limits.cell_timeout),
            "--memory-mb",
            str(self.limits.memory_mb),
            "--parent-pid",
            str(os.getpid()),
        ]
        log = self.log.open("a")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
            env=self._environment(),
        )
        log.close()

    def kill(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None

    def grade(self, task: dict) -> dict:
        """The worker's answer for ``task``, or a failed result when a limit or a crash stopped it."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(task) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], self.limits.timeout)
        if not ready:
            self.kill()
            return _failed(task, f"stopped after the per-submission limit of {self.limits.timeout} s; scored 0")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.kill()
            return _failed(task, f"the grading process died (exit status {code}); scored 0")
        return json.loads(line)


def _failed(task: dict, problem: str) -> dict:
    return {
        "student": task["student"],
        "assignment": task["assignment"],
        "status": "failed",
        "parts": [],
        "problems": [problem],
    }


def assignment_parts(course: Course, assignment_id: str) -> list[dict]:
    """The graded parts of an assignment in source order: notebook, grade id, max score."""
    from nbgrader.api import Gradebook

    parts = []
    with Gradebook(f"sqlite:///{course.db_path}") as gradebook:
        for name in course.notebook_names(assignment_id):
            for cell in gradebook.find_notebook(name, assignment_id).grade_cells:
                parts.append({"notebook": name, "grade_id": cell.name, "max_score": cell.max_score})
    return parts


def _complete(result: dict, parts: list[dict]) -> dict:
    """Give a result every part of the assignment (failed results score 0 on each)."""
    have = {(p["notebook"], p["grade_id"]): p for p in result.get("parts", [])}
    result["parts"] = [
        have.get((p["notebook"], p["grade_id"]), {**p, "score": 0.0, "needs_manual_grade": False, "error": None})
        for p in parts
    ]
    result["score"] = round(sum(p["score"] for p in result["parts"]), 6)
    result["max_score"] = round(sum(p["max_score"] for p in result["parts"]), 6)
    return result


def import_results(course: Course, assignment_id: str, results: dict[str, dict]) -> None:
    """Write results into the main gradebook (serially; idempotent)."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.utils import parse_utc
    from sqlalchemy.exc import SAWarning

    with Gradebook(f"sqlite:///{course.db_path}") as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission builds its rows while SQLAlchemy autoflushes and warns about its own objects.
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)
        for student, result in sorted(results.items()):
            gradebook.update_or_create_student(student)
            timestamp = parse_utc(result["timestamp"]) if result.get("timestamp") else None
            try:
                submission = gradebook.find_submission(assignment_id, student)
                submission.timestamp = timestamp
            except MissingEntry:
                gradebook.add_submission(assignment_id, student, timestamp=timestamp)
            for part in result["parts"]:
                grade = gradebook.find_grade(part["grade_id"], part["notebook"], assignment_id, student)
                grade.auto_score = part["score"]
                grade.needs_manual_grade = part["needs_manual_grade"]
            gradebook.db.commit()


class Progress:
    """One status line on a terminal (done / failed / ETA); one line per submission otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.failed = total, 0, 0
        self.started = time.monotonic()
        self.stream = stream
        self.tty = stream.isatty()

    def update(self, result: dict) -> None:
        self.done += 1
        self.failed += result["status"] != "graded"
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        status = f"{self.done}/{self.total} done, {self.failed} failed, ETA {datetime.timedelta(seconds=round(eta))}"
        if self.tty:
            width = 24
            filled = int(width * self.done / max(1, self.total))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {status}  ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(
                f"[{status}] {result['student']}: {result['status']} "
                f"{result.get('score', 0):g}/{result.get('max_score', 0):g}\n"
            )
        self.stream.flush()


def autograde(
    course: Course,
    assignment_id: str,
    *,
    jobs: int,
    students: list[str] | None = None,
    limits: GradingLimits,
    shard: tuple[int, int] | None = None,
    force: bool = False,
    echo=print,
) -> dict[str, dict]:
    """Grade every submission that has no up-to-date result; return the results of the graded students."""
    course.check_assignment(assignment_id)
    submitted = course.submitted(assignment_id)
    if not submitted:
        raise CourseError(f"no submissions of {assignment_id} in {course.workspace}: run `course collect` first")
    if students:
        unknown = sorted(set(students) - set(submitted))
        if unknown:
            raise CourseError(f"no submission of {assignment_id} for student(s): {', '.join(unknown)}")
    chosen = shard_of(list(students or submitted), shard)
    course.sync_gradebook(assignment_id)
    parts = assignment_parts(course, assignment_id)
    source_hash = course.source_hash(assignment_id)
    existing = course.results(assignment_id)
    tasks, keys = [], {}
    scratch = course.workspace / "state" / "work" / assignment_id
    for student in chosen:
        key = {
            "submission_hash": hash_folder(submitted[student]),
            "source_hash": source_hash,
            "limits": limits.digest(),
        }
        keys[student] = key
        old = existing.get(student)
        if not force and old and all(old.get(k) == v for k, v in key.items()):
            continue
        tasks.append(
            {
                "student": student,
                "assignment": assignment_id,
                "submission": str(submitted[student]),
                "output": str(scratch / "out" / student),
                "source_hash": source_hash,
            }
        )
    skipped = len(chosen) - len(tasks)
    label = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    echo(
        f"{assignment_id}{label}: {len(chosen)} submission(s), {skipped} already graded, {len(tasks)} to grade "
        f"with {min(jobs, len(tasks)) if tasks else 0} worker(s) [{limits.profile}: cell {limits.cell_timeout} s, "
        f"submission {limits.timeout} s, memory {limits.memory_mb or 'unlimited'} MB]"
    )
    new_results: dict[str, dict] = {}
    if tasks:
        new_results = _grade_in_workers(course, assignment_id, tasks, keys, parts, jobs, limits, scratch)
    results = course.results(assignment_id)
    import_results(course, assignment_id, {s: r for s, r in results.items() if s in submitted})
    for student in chosen:
        result = results.get(student)
        if result and result["status"] != "graded":
            echo(f"FAILED {student}: {'; '.join(result['problems'])}")
        elif result and result["problems"]:
            echo(f"NOTE {student}: {'; '.join(result['problems'])}")
    return new_results


def _grade_in_workers(
    course: Course,
    assignment_id: str,
    tasks: list[dict],
    keys: dict,
    parts: list[dict],
    jobs: int,
    limits: GradingLimits,
    scratch: Path,
) -> dict[str, dict]:
    scratch.mkdir(parents=True, exist_ok=True)
    snapshot = scratch / "gradebook-snapshot.db"
    shutil.copy(course.db_path, snapshot)
    logs = course.workspace / "logs" / assignment_id
    logs.mkdir(parents=True, exist_ok=True)
    pending: queue.Queue = queue.Queue()
    for task in tasks:
        pending.put(task)
    answers: queue.Queue = queue.Queue()
    stop = threading.Event()
    count = max(1, min(jobs, len(tasks)))
    threads_each = max(1, (os.cpu_count() or 1) // count)
    workers = [
        Worker(i, course, limits, scratch, snapshot, logs / f"worker-{i}.log", threads_each) for i in range(count)
    ]

    def serve(worker: Worker) -> None:
        try:
            while not stop.is_set():
                try:
                    task = pending.get_nowait()
                except queue.Empty:
                    return
                answers.put((task, worker.grade(task)))
        finally:
            worker.kill()

    threads = [threading.Thread(target=serve, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    progress = Progress(len(tasks))
    results: dict[str, dict] = {}
    try:
        while len(results) < len(tasks):
            try:
                task, answer = answers.get(timeout=0.5)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and answers.empty():
                    break
                continue
            result = _store(course, assignment_id, task, answer, keys[task["student"]], parts)
            results[task["student"]] = result
            progress.update(result)
    except KeyboardInterrupt:
        stop.set()
        for worker in workers:
            worker.kill()
        sys.stderr.write(
            f"\ninterrupted: {len(results)} of {len(tasks)} graded and saved; "
            f"run the same command again to grade the rest\n"
        )
        raise
    return results


def _store(course: Course, assignment_id: str, task: dict, answer: dict, key: dict, parts: list[dict]) -> dict:
    """Save one result: the autograded notebooks first, then the result file (so a crash never leaves a result
    without its notebooks)."""
    student = task["student"]
    timestamp_file = Path(task["submission"]) / "timestamp.txt"
    result = _complete(
        {
            **answer,
            **key,
            "student": student,
            "assignment": assignment_id,
            "timestamp": timestamp_file.read_text().strip() if timestamp_file.is_file() else None,
            "graded_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        },
        parts,
    )
    target = course.workspace / "autograded" / student / assignment_id
    staged = Path(task["output"])
    if target.exists():
        shutil.rmtree(target)
    if staged.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), target)
    write_json(course.results_dir(assignment_id) / f"{student}.json", result)
    return result


#: What the results of one assignment must share to be merged: the assignment's source and the limits.
SHARED_KEYS = {"source_hash": "versions of the assignment's source", "limits": "limits (profile, timeouts, memory)"}


def check_shards_agree(results: list[tuple[Path, dict]], source_hash: str) -> dict[str, tuple[Path, dict]]:
    """student → (shard, result) for results read from shard workspaces, in order; raises CourseError where they
    were graded against another source than ``source_hash`` (this course's), under different limits, or twice on
    different submissions."""
    seen: dict[str, tuple[Path, dict]] = {}
    first: dict[str, tuple[Path, object]] = {}
    for shard, result in results:
        student = result["student"]
        if result.get("source_hash") != source_hash:
            raise CourseError(
                f"{student}'s result in {shard} was graded against another version of the assignment's source "
                f"than this course's; grade every shard from the same release"
            )
        for key, what in SHARED_KEYS.items():
            where, value = first.setdefault(key, (shard, result.get(key)))
            if result.get(key) != value:
                raise CourseError(f"the shards were graded with different {what}: {where} and {shard}")
        if student in seen and seen[student][1]["submission_hash"] != result["submission_hash"]:
            raise CourseError(
                f"{student} was graded on different submissions in {seen[student][0]} and "
                f"{shard}; collect the same submissions for every shard"
            )
        seen[student] = (shard, result)
    return seen


def merge(course: Course, assignment_id: str, shard_workspaces: list[Path], echo=print) -> int:
    """Copy the results (and autograded notebooks) of shard workspaces into this one; return how many."""
    course.check_assignment(assignment_id)
    course.sync_gradebook(assignment_id)
    results = []
    for shard in shard_workspaces:
        folder = shard / "results" / assignment_id
        if not folder.is_dir():
            raise CourseError(f"{shard} holds no results for {assignment_id} (expected {folder})")
        results += [(shard, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.json"))]
    seen = check_shards_agree(results, course.source_hash(assignment_id))
    for student, (shard, result) in sorted(seen.items()):
        source = shard / "autograded" / student / assignment_id
        target = course.workspace / "autograded" / student / assignment_id
        if source.is_dir() and source.resolve() != target.resolve():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target)
        write_json(course.results_dir(assignment_id) / f"{student}.json", result)
    import_results(course, assignment_id, course.results(assignment_id))
    echo(
        f"merged {len(seen)} result(s) of {assignment_id} from {len(shard_workspaces)} shard(s) into {course.workspace}"
    )
    return len(seen)
