"""How long the KPI marts take to build on a large center, against a bare scan of the raw tables.

    .venv/bin/python benchmarks/marts.py --agents 1000 --days 90 [--home DIR]

Simulates the center (unless --home already holds it), loads and builds it with `csops run`,
then reads dbt's run_results.json for the time of each model, and scans every raw table
with DuckDB in the same process for the baseline. Prints seconds, rows/s, peak memory and
the build's ratio to the bare scan.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb
from measure import CSOPS, timed_child

from csops.orchestration.dbt_results import read_node_results

def bare_scan(warehouse: Path) -> tuple[float, int]:
    """Every raw table read in full (every column hashed): what any build must at least do."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for t, in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()]
        started = time.perf_counter()
        rows = 0
        for table in tables:
            rows += con.execute(f"select count(*), sum(hash(columns(*))) from raw.{table}").fetchone()[0]
        return time.perf_counter() - started, rows


def newest_run_results(home: Path) -> Path:
    return max((home / "dbt" / "target").glob("csops_dbt_models-*/run_results.json"), key=lambda p: p.stat().st_mtime)


def dbt_step_seconds(summary: str) -> float:
    return next(float(line.split()[-2]) for line in summary.splitlines() if line.strip().startswith("csops_dbt_models"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--home", type=Path, help="a data folder to reuse (kept); default: a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csops-marts-bench-") as temporary:
        home = args.home or Path(temporary)
        simulate_s, _ = timed_child([*CSOPS, "--home", str(home), "simulate", "--agents", str(args.agents),
                               "--days", str(args.days)])
        run_s, _ = timed_child([*CSOPS, "--home", str(home), "run"])  # loads what is new, builds
        # The measured build: every model from all of history (incremental ones too).
        full_run_s, summary = timed_child([*CSOPS, "--home", str(home), "run", "--full-refresh"])
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        results = read_node_results(newest_run_results(home))
        models = sorted(((node.execution_seconds, node.name) for node in results if node.is_model), reverse=True)
        build_s = dbt_step_seconds(summary)
        # Again with nothing new: what a day's run costs when the incremental models add nothing.
        _, again = timed_child([*CSOPS, "--home", str(home), "run"])
        incremental_s = dbt_step_seconds(again)
        scan_s, raw_rows = bare_scan(home / "warehouse.duckdb")
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            contacts = con.execute("select count(*) from marts.fct_contacts").fetchone()[0]
    print(f"center: {args.agents} agents x {args.days} days: {contacts:,} contacts, {raw_rows:,} raw rows")
    print(f"simulate               {simulate_s:8.1f} s")
    print(f"csops run              {run_s:8.1f} s  (load what is new, dbt build, GX checks, publish)")
    print(f"csops run --full-refresh {full_run_s:6.1f} s")
    print(f"  dbt build, full      {build_s:8.1f} s  {raw_rows / build_s:12,.0f} raw rows/s  "
          f"({len(models)} models, {len(results) - len(models)} tests)")
    print(f"  dbt build, nothing new {incremental_s:6.1f} s  (incremental models add nothing)")
    print("  five slowest models:")
    for seconds, name in models[:5]:
        print(f"    {name:<40} {seconds:7.1f} s")
    print(f"bare scan of raw       {scan_s:8.1f} s  {raw_rows / scan_s:12,.0f} rows/s  (baseline, same process)")
    print(f"dbt build / bare scan  {build_s / scan_s:8.1f} x")
    print(f"peak memory            {peak_mib:8.0f} MiB (largest child process)")


if __name__ == "__main__":
    main()
