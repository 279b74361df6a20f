"""The parent's side of parallel grading: worker processes (:mod:`.worker`), each restarted after a limit
killed it, handed tasks by a thread pool (``concurrent.futures``), and the progress shown while they work."""

from __future__ import annotations

import datetime
import json
import logging
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..training import NO_GPU_ENV, SHARED_GPU_ENV
from .limits import GradingLimits
from .workspace import Course

log = logging.getLogger("course")


def failed_result(task: dict, problem: str) -> dict:
    return {
        "student": task["student"],
        "assignment": task["assignment"],
        "status": "failed",
        "parts": [],
        "problems": [problem],
    }


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
        log.debug(f"worker {self.index}: starting ({self.limits.profile} limits), its log: {self.log}")
        stream = self.log.open("a")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stream,
            text=True,
            start_new_session=True,
            env=self._environment(),
        )
        stream.close()

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
            return failed_result(task, f"stopped after the per-submission limit of {self.limits.timeout} s; scored 0")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.kill()
            return failed_result(task, f"the grading process died (exit status {code}); scored 0")
        return json.loads(line)


class Progress:
    """A progress bar (rich) on a terminal: done, failed, time left; one log line per submission otherwise."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.total, self.done, self.failed = total, 0, 0
        self.started = time.monotonic()
        console = Console(stderr=True)
        self.bar = None
        if console.is_terminal:
            self.bar = Bar(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeRemainingColumn(),
                console=console,
            )
            self.task = self.bar.add_task("grading", total=total, failed=0)
            self.bar.start()

    def update(self, result: dict) -> None:
        self.done += 1
        self.failed += result["status"] != "graded"
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed)
            return
        eta = (time.monotonic() - self.started) / self.done * (self.total - self.done)
        log.info(
            f"[{self.done}/{self.total} done, {self.failed} failed, ETA {datetime.timedelta(seconds=round(eta))}] "
            f"{result['student']}: {result['status']} {result.get('score', 0):g}/{result.get('max_score', 0):g}"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def grade_in_workers(
    course: Course,
    assignment_id: str,
    tasks: list[dict],
    jobs: int,
    limits: GradingLimits,
    scratch: Path,
    store,
) -> dict[str, dict]:
    """Grade ``tasks`` in ``jobs`` worker processes; ``store(task, answer) -> result`` saves each answer as it comes.
    Returns student → result. On Ctrl-C the workers are killed and what was stored stays."""
    scratch.mkdir(parents=True, exist_ok=True)
    snapshot = scratch / "gradebook-snapshot.db"
    shutil.copy(course.db_path, snapshot)
    logs = course.workspace / "logs" / assignment_id
    logs.mkdir(parents=True, exist_ok=True)
    count = max(1, min(jobs, len(tasks)))
    threads_each = max(1, (os.cpu_count() or 1) // count)
    workers = [
        Worker(index, course, limits, scratch, snapshot, logs / f"worker-{index}.log", threads_each)
        for index in range(count)
    ]
    idle: queue.Queue[Worker] = queue.Queue()
    for worker in workers:
        idle.put(worker)

    def grade(task: dict) -> tuple[dict, dict]:
        """Grade ``task`` in whichever worker process is free (a thread of the pool waits for it)."""
        worker = idle.get()
        try:
            return task, worker.grade(task)
        finally:
            idle.put(worker)

    progress = Progress(len(tasks))
    results: dict[str, dict] = {}
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="grading")
    try:
        for future in as_completed([pool.submit(grade, task) for task in tasks]):
            task, answer = future.result()
            result = store(task, answer)
            results[task["student"]] = result
            progress.update(result)
    except KeyboardInterrupt:
        progress.close()
        log.warning(
            f"interrupted: {len(results)} of {len(tasks)} graded and saved; "
            f"run the same command again to grade the rest"
        )
        raise
    finally:  # after Ctrl-C too: queued tasks are dropped and running ones end with their killed process
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
    progress.close()
    return results
