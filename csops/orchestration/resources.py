"""Resources, declared once and configured from the environment (``CSOPS_HOME``)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from csops.kernel.paths import PROJECT_ROOT, CsopsHome

DBT_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
DBT_PROJECT_FOLDERS = ("models", "seeds", "macros", "tests/dbt")


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, but its connection is closed also when the step raises.

    Its own ``get_connection`` closes only after a clean exit, so a failing step left the
    connection open until garbage collection, and DuckDB then refused the next connection
    to the warehouse in the same process (``csops audit`` after a failed ``csops run``)."""

    @contextmanager
    def get_connection(self) -> Iterator:
        connection = super().get_connection().__enter__()
        try:
            yield connection
        finally:
            connection.close()


class CsopsHomeResource(dg.ConfigurableResource):
    """The data folder every asset reads and writes under."""

    root: str

    @property
    def home(self) -> CsopsHome:
        return CsopsHome(Path(self.root))


class WarehouseLockResource(dg.ConfigurableResource):
    """One run writes the warehouse at a time, across processes.

    DuckDB lets one process hold the file; a second writer fails at once. `csops run` and the
    runs `csops dev` launches (sensor, schedule, UI) can meet, so every run that writes takes
    this lock (an OS file lock, released if the process dies) for its whole length, and a run
    that finds it taken waits its turn instead of failing.
    """

    root: str
    wait_seconds: int = 3600

    @contextmanager
    def yield_for_execution(self, context) -> Iterator["WarehouseLockResource"]:
        path = CsopsHome(Path(self.root)).warehouse_lock
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            waited_since = time.monotonic()
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() - waited_since > self.wait_seconds:
                        raise RuntimeError(f"another csops run has held {path} for over {self.wait_seconds} s") from None
                    if context.log and int(time.monotonic() - waited_since) % 60 == 0:
                        context.log.info("Waiting for another csops run to finish writing the warehouse")
                    time.sleep(1)
            try:
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_environment(home: CsopsHome) -> dict[str, str]:
    """The environment dbt runs in: its artifacts and logs go under CSOPS_HOME, not the repo."""
    return {
        "CSOPS_HOME": str(home.root),
        "DBT_TARGET_PATH": str(home.dbt_target),
        "DBT_LOG_PATH": str(home.dbt_logs),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }


def dbt_executable() -> str:
    """dbt from this environment, so it need not be on PATH (a virtualenv not activated)."""
    return str(Path(sys.executable).with_name("dbt"))


# dbt runs as a child process, writing the warehouse. Killed alone (SIGKILL: the OOM killer, a
# `kill -9`), a run would leave it orphaned and still writing, with warehouse.lock released, and
# the next run would take the lock and fail on the warehouse. So dbt is started through this
# wrapper: it asks the kernel to kill it when its parent dies (Linux's PR_SET_PDEATHSIG, which
# survives the exec) and then becomes dbt. A parent that dies between the wrapper's first look
# at it and the request is caught by a second look; one that dies in the milliseconds before
# the wrapper's interpreter starts is not (the wrapper cannot tell its reaper from its parent).
_BOUND_DBT = """#!{python} -S
# Written by csops (csops/orchestration/resources.py): dbt, killed with the process that starts it.
import ctypes, os, signal, sys
parent = os.getppid()
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) != 0:  # 1: PR_SET_PDEATHSIG
    sys.exit(f"csops: cannot bind dbt to its parent: {{os.strerror(ctypes.get_errno())}}")
if os.getppid() != parent:
    sys.exit("csops: dbt not started: the process that started it has gone")
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def bound_dbt_executable(home: CsopsHome) -> str:
    """dbt started through a wrapper (under CSOPS_HOME/dbt/bin) that the kernel kills, with dbt,
    when the process that started it dies. Plain dbt where that cannot be had: not Linux, a
    CSOPS_HOME mounted noexec, or a Python path no ``#!`` line can hold (a space, over 120 bytes)."""
    plain = dbt_executable()
    folder = home.root / "dbt" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    if (not sys.platform.startswith("linux") or os.statvfs(folder).f_flag & os.ST_NOEXEC
            or " " in sys.executable or len(sys.executable.encode()) > 120):
        return plain
    wrapper = folder / "dbt"
    text = _BOUND_DBT.format(python=sys.executable, dbt=plain)
    if not wrapper.exists() or wrapper.read_text() != text:
        # Written aside and renamed: `csops dev`'s code server and its runs may write it at once.
        staged = folder / f".dbt.{os.getpid()}"
        staged.write_text(text)
        staged.chmod(0o755)
        os.replace(staged, wrapper)
    return str(wrapper)


def dbt_project(home: CsopsHome) -> DbtProject:
    return DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=home.dbt_target)


def prepare_dbt_manifest(home: CsopsHome) -> DbtProject:
    """Parse the dbt project when its manifest is missing or older than any project file.

    dagster-dbt prepares the manifest only under ``dagster dev``; ``csops run``, the tests
    and ``csops dev`` all come through here instead, so every entry point sees a current one.
    """
    project = dbt_project(home)
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_project_change():
        manifest.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **dbt_environment(home)}
        completed = subprocess.run(
            [bound_dbt_executable(home), "parse", "--quiet", "--target-path", str(home.dbt_target)],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
    return project


def _newest_project_change() -> float:
    paths = [PROJECT_ROOT / name for name in DBT_PROJECT_FILES]
    for folder in DBT_PROJECT_FOLDERS:
        paths.extend((PROJECT_ROOT / folder).rglob("*"))
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def resources(home: CsopsHome) -> dict[str, object]:
    return {
        "csops_home": CsopsHomeResource(root=str(home.root)),
        "warehouse": WarehouseResource(database=str(home.warehouse)),
        "warehouse_lock": WarehouseLockResource(root=str(home.root)),
        "dbt": DbtCliResource(project_dir=dbt_project(home), profiles_dir=str(PROJECT_ROOT),
                              dbt_executable=bound_dbt_executable(home)),
    }
