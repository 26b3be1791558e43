"""The dbt unit tests, run once per suite on a copy of the session's warehouse.

`csops run` builds without them (csops/orchestration/dbt.py): their inputs are fixed rows, so
a production build that repeats them at every run spends compute for nothing (dbt's own advice).
They run here instead, as they do in an analytics engineer's `dbt build`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from csops.kernel.paths import PROJECT_ROOT, CsopsHome
from csops.orchestration.resources import dbt_environment, dbt_executable


def test_every_dbt_unit_test_passes(pipeline_home: CsopsHome, tmp_path):
    # Unit tests read the columns of the relations they stand in for and write temporary
    # tables: on a copy, so that the session's warehouse stays as the pipeline left it.
    home = CsopsHome(tmp_path / "home")
    home.root.mkdir()
    shutil.copy2(pipeline_home.warehouse, home.warehouse)
    completed = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit"],
        cwd=PROJECT_ROOT, env={**os.environ, **dbt_environment(home)}, capture_output=True, text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    results = json.loads((home.dbt_target / "run_results.json").read_text())["results"]
    unit_tests = [result for result in results if result["unique_id"].startswith("unit_test.")]
    # A selector that matched nothing would pass: the project has dozens of unit tests.
    assert len(unit_tests) >= 40
    assert {result["status"] for result in unit_tests} == {"pass"}
