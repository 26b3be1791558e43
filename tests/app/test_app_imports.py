"""The app runs beside the pipeline, not inside it: it imports with Dagster and dbt unavailable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter in which no Dagster or dbt module (dagster, dagster_dbt, dbt, dbt_common, ...)
# can be imported, as on a machine that has only the app's dependencies.
PROBE = """
import importlib
import importlib.abc
import pkgutil
import sys

class NoPipeline(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0].startswith(("dagster", "dbt")):
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, NoPipeline())

import csops.app
import csops.app.streamlit_app

imported = ["csops.app.streamlit_app"]
for module in pkgutil.walk_packages(csops.app.__path__, "csops.app."):
    importlib.import_module(module.name)
    imported.append(module.name)
print("\\n".join(imported))
"""


def test_the_app_and_every_page_import_without_dagster_and_dbt():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO_ROOT)

    assert result.returncode == 0, result.stderr
    imported = result.stdout.split()
    views = [module for module in imported if module.startswith("csops.app.views.")]
    # Every page, each section of a page package included.
    assert {"csops.app.views.overview", "csops.app.views.agents_teams.training", "csops.app.views.data_quality",
            "csops.app.views.sla_backlog.backlog"} <= set(views), imported
