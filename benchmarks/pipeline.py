"""Time the main path on a simulated center: simulate, then `csops run`, against a bare DuckDB baseline.

    .venv/bin/python benchmarks/pipeline.py --agents 60 --days 60

Prints seconds, rows/s and peak memory of each step, and the ratio of the pipeline's
load to a bare DuckDB read of the same landed files, measured in the same run. Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path

from measure import CSOPS, timed_child

def bare_duckdb_read(landing: Path) -> tuple[float, int]:
    """Every landed file read by DuckDB's own readers, counted: the floor for a load (benchmarks/loader.py)."""
    from loader import BARE, child

    seconds, records, _ = child(BARE, landing)
    return seconds, records


LOAD_IN_A_CHILD = """
import resource, sys, time, duckdb
from datetime import date
from pathlib import Path
from csops.orchestration import loading
loading.BATCH_BYTES = int(sys.argv[2])
landing = Path(sys.argv[1])
days = sorted({loading.day_of_name(name) for name in loading.landed_inventory(landing)})
started = time.perf_counter()
with duckdb.connect(sys.argv[3]) as con:
    for source in ("crm", "telephony", "surveys"):
        loading.load_days(con, landing, source, days, "benchmark")
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def load_alone(landing: Path, batch_bytes: int, warehouse: Path) -> tuple[float, float]:
    """Every landed day loaded by a fresh process: its seconds and peak memory (MiB)."""
    _, output = timed_child([sys.executable, "-c", LOAD_IN_A_CHILD, str(landing), str(batch_bytes), str(warehouse)])
    seconds, peak = output.split()
    return float(seconds), float(peak)


def step_seconds(summary: str, step: str) -> float:
    line = next(line for line in summary.splitlines() if line.strip().startswith(step))
    return float(line.split()[-2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csops-bench-") as home:
        print(f"simulating {args.agents} agents x {args.days} days, then csops run ...", flush=True)
        simulate_s, simulate_out = timed_child(
            [*CSOPS, "--home", home, "simulate", "--agents", str(args.agents), "--days", str(args.days)])
        landed_rows = sum(int(line.split()[1].replace(",", "")) for line in simulate_out.splitlines()
                          if line.strip().split()[:1] in (["crm"], ["telephony"], ["surveys"]))
        run_s, summary = timed_child([*CSOPS, "--home", home, "run"])
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        bare_s, bare_rows = bare_duckdb_read(Path(home) / "landing")
        load_s = sum(step_seconds(summary, f"load_{source}") for source in ("crm", "telephony", "surveys"))
        dbt_s = step_seconds(summary, "csops_dbt_models")
        # Every validation of the run (raw ones run inside the load steps), from its result file;
        # the first pays the great_expectations import.
        validations = [json.loads(path.read_text()) for path in (Path(home) / "quality" / "results").glob("*.json")]
        checks_s = sum(result["duration_seconds"] for result in validations)
        checks_by_layer = {layer: sum(r["duration_seconds"] for r in validations if r["table"].startswith(layer + "."))
                           for layer in ("raw", "staging", "marts")}
        publish_s = step_seconds(summary, "published_marts")
        from csops.orchestration.loading import BATCH_BYTES

        batched_s, batched_mib = load_alone(Path(home) / "landing", BATCH_BYTES, Path(home) / "batched.duckdb")
        whole_s, whole_mib = load_alone(Path(home) / "landing", 1 << 50, Path(home) / "whole.duckdb")
    print(f"center: {args.agents} agents x {args.days} days, {landed_rows:,} landed rows")
    print(f"simulate          {simulate_s:7.1f} s  {landed_rows / simulate_s:12,.0f} rows/s")
    print(f"csops run (all)   {run_s:7.1f} s  (process start, dbt parse if needed, every step)")
    print(f"  load (3 steps)  {load_s:7.1f} s  {landed_rows / load_s:12,.0f} rows/s")
    print(f"  dbt build       {dbt_s:7.1f} s")
    print(f"  GX checks       {checks_s:7.1f} s  ({len(validations)} validations: "
          + ", ".join(f"{layer} {seconds:.1f} s" for layer, seconds in checks_by_layer.items())
          + "; the first pays the ~4 s great_expectations import; raw ones run inside the load steps)")
    print(f"  publish         {publish_s:7.1f} s")
    model_checks_s = checks_s - checks_by_layer["raw"]
    print(f"  the rest        {run_s - load_s - dbt_s - model_checks_s - publish_s:7.1f} s  "
          "(imports, dbt parse of a new home, Dagster)")
    print(f"bare DuckDB read  {bare_s:7.1f} s  {bare_rows / bare_s:12,.0f} rows/s  (baseline, same files)")
    print(f"load / bare read  {load_s / bare_s:7.2f} x")
    print(f"peak memory       {peak_mib:7.0f} MiB (largest child process)")
    print(f"load alone, batches of {BATCH_BYTES >> 20} MiB  {batched_s:5.1f} s  peak {batched_mib:6.0f} MiB")
    print(f"load alone, one batch        {whole_s:5.1f} s  peak {whole_mib:6.0f} MiB  "
          f"(batched/whole: {batched_s / whole_s:.2f}x time, {batched_mib / whole_mib:.2f}x memory)")


if __name__ == "__main__":
    main()
