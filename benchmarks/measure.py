"""What the benchmarks share: running a csops command as a child and timing it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CSOPS = [sys.executable, "-m", "csops.cli"]


def timed_child(command: list[str]) -> tuple[float, str]:
    """Seconds a command took and what it printed; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return time.perf_counter() - started, completed.stdout
