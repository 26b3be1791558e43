"""Where csops keeps everything: one data folder, ``CSOPS_HOME`` (default ``./data``).

Every component finds its files through :func:`csops_home`, so pointing ``CSOPS_HOME``
elsewhere moves all of it and nothing is written outside.
"""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SOURCES = ("crm", "telephony", "surveys")

# The dbt project (dbt_project.yml, models/, seeds/) sits beside the csops package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CsopsHome:
    root: Path

    @property
    def landing(self) -> Path:
        """Exports as they arrive: ``landing/<source>/<YYYY-MM-DD>/<file>``."""
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        """What the simulator planted; never read by the pipeline."""
        return self.root / "truth"

    @property
    def simulator_state(self) -> Path:
        """What the simulated center carries from one day to the next."""
        return self.root / "simulator"

    @property
    def manager(self) -> Path:
        """Files the manager keeps by hand: ``training_log.csv`` (agent_username,
        training_name, completed_on)."""
        return self.root / "manager"

    @property
    def training_log(self) -> Path:
        return self.manager / "training_log.csv"

    @property
    def warehouse(self) -> Path:
        """The working warehouse, written by the pipeline only."""
        return self.root / "warehouse.duckdb"

    @property
    def warehouse_lock(self) -> Path:
        """Held (an OS file lock) by the run that writes the warehouse, for its whole length."""
        return self.root / "warehouse.lock"

    @property
    def load_ledger(self) -> Path:
        """A copy of what the warehouse has loaded (file sizes and times), for the sensor,
        which must not open the warehouse while a run writes it."""
        return self.root / "audit" / "loaded_files.json"

    @property
    def published(self) -> Path:
        """Read-only copies of the marts that the app reads."""
        return self.root / "published"

    @property
    def quality(self) -> Path:
        """Quality results and Data Docs."""
        return self.root / "quality"

    @property
    def dagster(self) -> Path:
        """DAGSTER_HOME: run history shared by ``csops run`` and ``csops dev``."""
        return self.root / "dagster"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "dbt" / "logs"


# Errors that mean the disk holding CSOPS_HOME takes no more writes: full, over quota, read-only.
OUT_OF_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
# The same, as DuckDB, SQLite and dbt word them (they raise their own errors, without an errno).
OUT_OF_SPACE_MESSAGES = ("no space left on device", "disk quota exceeded", "read-only file system",
                         "database or disk is full")


def is_out_of_space(error: BaseException | str) -> bool:
    """Whether an error (or any error it was raised from, or a message) says the disk takes no
    more writes."""
    seen: set[int] = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in OUT_OF_SPACE_ERRNOS:
            return True
        if any(message in str(error).lower() for message in OUT_OF_SPACE_MESSAGES):
            return True
        error = error.__cause__ or error.__context__
    return isinstance(error, str) and any(message in error.lower() for message in OUT_OF_SPACE_MESSAGES)


def free_megabytes(path: Path) -> int:
    """Free space on the disk holding ``path`` (its nearest existing folder), in MB."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free // 1_000_000


def csops_home() -> CsopsHome:
    return CsopsHome(Path(os.environ.get("CSOPS_HOME", "data")).expanduser().resolve())
