"""The limits `course autograde` grades under, per execution profile (``cpu``, ``gpu``).

A per-cell timeout (nbgrader interrupts the cell and goes on), a per-submission wall-clock limit (the worker and its
kernel are killed, the submission scores 0) and a per-kernel memory cap (``RLIMIT_AS``; the student's cell gets a
``MemoryError``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

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
