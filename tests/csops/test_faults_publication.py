"""Issue 15: a publication killed on the way left a partial ``marts-*`` file and its ``.wal``, never
pruned, counted among the kept publications (pushing out a good one).

A real process publishes from a real warehouse and is killed (SIGKILL) in the middle of the copy;
the publications after it remove what it left, and keep KEEP_PUBLICATIONS whole ones.
"""

from __future__ import annotations

import subprocess
import sys

import duckdb

from csops.kernel.paths import CsopsHome
from csops.kernel.publication import KEEP_PUBLICATIONS, POINTER_NAME, publish, read_current

# Publishes from the warehouse, and dies (SIGKILL: no clean-up runs) once the copy has begun.
KILLED_PUBLICATION = """
import os, signal, sys
from pathlib import Path
import duckdb
from csops.kernel.paths import CsopsHome
from csops.kernel.publication import publish

class DiesInTheCopy:
    def __init__(self, con):
        self.con, self.copied = con, 0
    def execute(self, sql, *args):
        if sql.startswith("create table publication_target."):
            self.copied += 1
            if self.copied == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        return self.con.execute(sql, *args)

home = CsopsHome(Path(sys.argv[1]))
publish(home, DiesInTheCopy(duckdb.connect(str(home.warehouse))), "killed00-run")
"""


def _warehouse(home: CsopsHome) -> None:
    home.root.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_contacts as select range as contact_id, range % 7 as channel_id "
                    "from range(300000)")
        con.execute("create table marts.dim_agent as select range as agent_id from range(50)")


def _publish(home: CsopsHome, run_id: str) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        publish(home, con, run_id)


def test_a_killed_publication_is_pruned_and_never_kept(tmp_path):
    home = CsopsHome(tmp_path / "home")
    _warehouse(home)
    _publish(home, "good0001-run")

    killed = subprocess.run([sys.executable, "-c", KILLED_PUBLICATION, str(home.root)], capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    litter = {path.name for path in home.published.iterdir()} - {"current.json", "last_run.json"}
    assert any("killed00" in name for name in litter), litter  # what the killed copy left
    assert read_current(home).run_id == "good0001-run"

    # As many more as make KEEP_PUBLICATIONS whole ones: were the killed copy counted, the first
    # good one would go.
    runs = [f"good{n:04d}-run" for n in range(1, 1 + KEEP_PUBLICATIONS)]
    for run_id in runs[1:]:
        _publish(home, run_id)

    names = sorted(path.name for path in home.published.iterdir())
    marts = [name for name in names if name.startswith("marts-")]
    assert set(names) - set(marts) == {POINTER_NAME, "last_run.json"}, names
    assert not any("killed00" in name for name in names), names
    # The kept publications are the newest whole ones: the killed copy took no place among them.
    assert sorted(name.rsplit("-", 1)[1] for name in marts) == sorted(f"{run[:8]}.duckdb" for run in runs)
    for name in marts:
        with duckdb.connect(str(home.published / name), read_only=True) as con:
            assert con.execute("select count(*) from marts.fct_contacts").fetchone()[0] == 300000
    assert read_current(home).run_id == runs[-1]
