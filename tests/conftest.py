"""The pipeline, run once for the whole session on a small simulated center.

``pipeline_home`` goes through the real thing end to end, the way a user does:
``csops simulate`` then ``csops run`` (Dagster in process, DuckDB, dbt, Great
Expectations, publication). Tests of each layer read what it left in its CSOPS_HOME.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from datetime import date

import pytest

from csops import cli

# Homes the tests write by hand (vendor fixtures, no simulator) are real homes to csops, which
# refuses the public demo key there (csops/pseudonym_key.py): the suite has a key of its own.
os.environ.setdefault("CSOPS_PSEUDONYM_KEY", "csops-test-suite-key-not-a-secret")
from csops.kernel.paths import CsopsHome


@dataclass(frozen=True)
class SmallCenter:
    agents: int = 12
    days: int = 14
    start: date = date(2026, 3, 2)  # crosses the US switch to daylight time on 2026-03-08
    seed: int = 11

    def simulate_args(self) -> list[str]:
        return ["simulate", "--agents", str(self.agents), "--days", str(self.days),
                "--start", self.start.isoformat(), "--seed", str(self.seed)]


SMALL_CENTER = SmallCenter()


@contextlib.contextmanager
def restored_environment():
    """``csops`` sets CSOPS_HOME, DAGSTER_HOME and dbt's paths for its children: undo that."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass(frozen=True)
class PipelineRun:
    home: CsopsHome
    exit_code: int
    output: str


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> PipelineRun:
    root = tmp_path_factory.mktemp("pipeline_home")
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        assert cli.main(["--home", str(root), *SMALL_CENTER.simulate_args()]) == 0
        exit_code = cli.main(["--home", str(root), "run"])
    return PipelineRun(CsopsHome(root), exit_code, output.getvalue())


@pytest.fixture(scope="session")
def pipeline_home(pipeline_run: PipelineRun) -> CsopsHome:
    assert pipeline_run.exit_code == 0, pipeline_run.output
    return pipeline_run.home
