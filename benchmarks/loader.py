"""The loader against a bare DuckDB read of the same landed files, on a simulated center.

    .venv/bin/python benchmarks/loader.py --agents 60 --days 60 [--home DIR] [--runs 3]

The simulator lands each vendor's delivery shapes (Firehose objects, gzip or not; Zendesk
API pages; Qualtrics exports). Each run times, in a fresh process, the loader over every
landing day (reading, routing and checking every record, rejecting with reasons, logging
every file) and a bare DuckDB read of the same files with DuckDB's own readers (no checks,
no provenance: the floor for any load), and prints seconds, records/s, peak memory and the
ratio between them. ``--home`` reuses a home that has landed files. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from measure import CSOPS, timed_child

LOAD = """
import resource, sys, tempfile, time, duckdb
from pathlib import Path
from csops.orchestration import loading
landing = Path(sys.argv[1])
days = sorted({loading.day_of_name(name) for name in loading.landed_inventory(landing)})
scratch = tempfile.TemporaryDirectory(prefix="csops-bench-")
started = time.perf_counter()
with duckdb.connect(str(Path(scratch.name) / "warehouse.duckdb")) as con:
    for source in ("crm", "telephony", "surveys"):
        loading.load_days(con, landing, source, days, "benchmark")
    records = con.execute("select coalesce(sum(rows_read), 0) from audit.load_log").fetchone()[0]
print(time.perf_counter() - started, records, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

BARE = """
import resource, sys, time, duckdb
from pathlib import Path
landing = Path(sys.argv[1])
files = [p for p in sorted(landing.rglob("*")) if p.is_file()]
def listed(paths):
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
started = time.perf_counter()
records = 0
with duckdb.connect() as con:
    # Firehose objects: concatenated JSON (gzip-compressed for the agent events).
    for compressed in (False, True):
        objects = [p for p in files if p.parts[len(landing.parts)] == "telephony" and p.name.endswith(".gz") == compressed]
        if objects:
            records += con.execute(f"select count(*) from read_json({listed(objects)}, format = 'unstructured', "
                                   f"compression = '{'gzip' if compressed else 'none'}', union_by_name = true)").fetchone()[0]
    # Zendesk API pages and Qualtrics API pages: the records are the page's array.
    pages = {}
    for p in files:
        if p.suffix == ".json":
            pages.setdefault((p.parts[len(landing.parts)], p.name.split("-")[0]), []).append(p)
    for (source, stem), paths in sorted(pages.items()):
        if source == "crm":
            key = {"ticket_audits": "audits"}.get(stem, stem)
            records += con.execute(f"select coalesce(sum(len({key})), 0) from read_json({listed(paths)}, "
                                   "format = 'unstructured', maximum_object_size = 1073741824)").fetchone()[0]
        else:
            records += con.execute(f"select coalesce(sum(len(result.elements)), 0) from read_json({listed(paths)}, "
                                   "format = 'unstructured', maximum_object_size = 1073741824)").fetchone()[0]
    # Qualtrics response exports: three header rows.
    exports = [p for p in files if p.suffix == ".csv"]
    if exports:
        records += con.execute(f"select count(*) from read_csv({listed(exports)}, skip = 3, header = false, "
                               "all_varchar = true, null_padding = true, union_by_name = false, quote = '\\"', "
                               "escape = '\\"')").fetchone()[0]
print(time.perf_counter() - started, records, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def child(script: str, landing: Path) -> tuple[float, int, float]:
    _, output = timed_child([sys.executable, "-c", script, str(landing)])
    seconds, records, peak = output.strip().splitlines()[-1].split()  # the figures are the last line
    return float(seconds), int(records), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--home", type=Path, help="a CSOPS_HOME with landed files (else a new one is simulated)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csops-bench-") as scratch:
        home = args.home or Path(scratch)
        if args.home is None:
            print(f"simulating {args.agents} agents x {args.days} days ...", flush=True)
            timed_child([*CSOPS, "--home", str(home), "simulate", "--agents", str(args.agents), "--days", str(args.days)])
        landing = home / "landing"
        size_mib = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / (1 << 20)
        print(f"landed: {sum(1 for p in landing.rglob('*') if p.is_file()):,} files, {size_mib:,.0f} MiB", flush=True)
        loads, bares = [], []
        for run in range(1, args.runs + 1):
            loads.append(child(LOAD, landing))
            bares.append(child(BARE, landing))
            (load_s, load_records, load_mib), (bare_s, bare_records, bare_mib) = loads[-1], bares[-1]
            print(f"run {run}: loader {load_s:6.2f} s ({load_records:,} records, {load_records / load_s:,.0f}/s, "
                  f"peak {load_mib:,.0f} MiB); bare DuckDB read {bare_s:5.2f} s ({bare_records:,} records, "
                  f"peak {bare_mib:,.0f} MiB); loader / bare {load_s / bare_s:.1f}x", flush=True)
        load_median = statistics.median(s for s, _, _ in loads)
        bare_median = statistics.median(s for s, _, _ in bares)
        print(f"median: loader {load_median:.2f} s, bare read {bare_median:.2f} s, ratio {load_median / bare_median:.1f}x"
              f" ({loads[0][1] / load_median:,.0f} records/s)")


if __name__ == "__main__":
    main()
