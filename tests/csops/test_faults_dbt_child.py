"""Issue 15: a `csops run` killed with SIGKILL during `dbt build` (the OOM killer) left dbt running,
orphaned and writing the warehouse, with warehouse.lock released: the next run took the lock and
failed on the warehouse.

dbt is started as the run starts it (through dagster-dbt, with the executable csops's ``dbt``
resource names), on a one-file project so that it parses in seconds, busy on a long query with
the warehouse open; its parent is killed with SIGKILL; dbt must be gone within seconds, and the
warehouse free for the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from csops.kernel.paths import CsopsHome
from csops.orchestration.resources import dbt_environment

# The parent: builds csops's resources as a run does and starts dbt as its `dbt` resource would.
PARENT = """
import sys
from pathlib import Path
from dagster_dbt import DbtCliResource
from csops.kernel.paths import CsopsHome
from csops.orchestration.resources import resources
home, project, query = CsopsHome(Path(sys.argv[1])), sys.argv[2], sys.argv[3]
executable = resources(home)["dbt"].dbt_executable
dbt = DbtCliResource(project_dir=project, profiles_dir=project, dbt_executable=executable)
invocation = dbt.cli(["show", "--inline", query, "--limit", "1"], raise_on_error=False)
print(invocation.process.pid, flush=True)
invocation.wait()
"""
PROJECT = {
    "dbt_project.yml": "name: probe\nversion: '1.0'\nconfig-version: 2\nprofile: probe\n",
    "profiles.yml": "probe:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
                    "      path: \"{{ env_var('CSOPS_HOME') }}/warehouse.duckdb\"\n      threads: 1\n",
}
# Minutes of work for DuckDB, holding the warehouse open meanwhile.
LONG_QUERY = "select count(*) as n from range(1000000000000) as t(i) where i % 7 = 3"


def _alive(pid: int) -> bool:
    """Running (a zombie has ended: it only waits for its parent to read its exit status)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _warehouse_is_held(home: CsopsHome) -> bool:
    if not home.warehouse.exists():
        return False
    try:
        duckdb.connect(str(home.warehouse)).close()
    except duckdb.IOException:
        return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_dbt_dies_with_a_run_killed_by_sigkill(tmp_path):
    home = CsopsHome(tmp_path / "home")
    project = tmp_path / "project"
    project.mkdir()
    for name, text in PROJECT.items():
        (project / name).write_text(text)
    env = {**os.environ, **dbt_environment(home)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(home.root), str(project), LONG_QUERY],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    dbt_pid = None
    try:
        dbt_pid = int(parent.stdout.readline())
        deadline = time.monotonic() + 120
        while not _warehouse_is_held(home):  # dbt has parsed the project and runs the query
            assert _alive(dbt_pid) and time.monotonic() < deadline, "dbt never opened the warehouse"
            time.sleep(0.2)
        assert "dbt" in Path(f"/proc/{dbt_pid}/cmdline").read_text()

        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(dbt_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(dbt_pid), "dbt outlived the run that started it"
        # The next run can open the warehouse for writing.
        deadline = time.monotonic() + 5
        while _warehouse_is_held(home) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _warehouse_is_held(home)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if dbt_pid is not None and _alive(dbt_pid):
            os.kill(dbt_pid, signal.SIGKILL)  # this test's own child's child: never left running
