"""One row per agent x training completed, from the log the manager keeps by hand:
CSOPS_HOME/manager/training_log.csv (agent_username, training_name, completed_on).

A Python model because the log is the manager's file, not a vendor export or a repository
seed: it may be absent (no training impact is then shown), and a malformed log must stop
the build with a message that names the file and the problem.
"""

import os
from pathlib import Path

import pandas as pd

COLUMNS = ["agent_username", "training_name", "completed_on"]


def model(dbt, session):
    dbt.config(materialized="table")
    path = Path(os.environ.get("CSOPS_HOME", "data")) / "manager" / "training_log.csv"
    if not path.exists():
        return pd.DataFrame({"agent_username": pd.Series(dtype="string"), "training_name": pd.Series(dtype="string"),
                             "completed_on": pd.Series(dtype="datetime64[ns]")})
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(log.columns) != COLUMNS:
        raise ValueError(f"{path}: expected the columns {', '.join(COLUMNS)}; found {', '.join(log.columns)}")
    completed = pd.to_datetime(log["completed_on"].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = log[completed.isna() | (log["agent_username"].str.strip() == "")]
    if len(bad):
        lines = ", ".join(str(i + 2) for i in bad.index[:10])  # line 1 is the header
        raise ValueError(f"{path}: line(s) {lines} need an agent_username and a completed_on date as YYYY-MM-DD")
    return pd.DataFrame({
        "agent_username": log["agent_username"].str.strip().str.lower(),
        "training_name": log["training_name"].str.strip(),
        "completed_on": completed,
    }).drop_duplicates(subset=["agent_username", "training_name"], keep="last")
