"""The ``csops`` command: simulate, run, app, dev.

Every command works under one data folder, ``CSOPS_HOME`` (default ``./data``), and
writes nothing outside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from csops.kernel.paths import PROJECT_ROOT, CsopsHome, csops_home
from csops.simulator.config import CenterConfig, Stories

APP_ENTRY = Path(__file__).resolve().parent / "app" / "streamlit_app.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csops", description="Customer-service operations analytics warehouse.")
    parser.add_argument("--home", type=Path, help="data folder (default: $CSOPS_HOME, else ./data)")
    commands = parser.add_subparsers(dest="command", required=True)

    simulate = commands.add_parser("simulate", help="write landing files from a simulated contact center")
    simulate.add_argument("--agents", type=_positive_int, default=60)
    simulate.add_argument("--days", type=_positive_int, default=60)
    simulate.add_argument("--start", type=_iso_date, default=date(2026, 1, 5), help="first day, YYYY-MM-DD")
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--defects", type=_rate, default=0.0, metavar="RATE",
                          help="inject realistic faults into the exports at this per-record rate (a manifest says which)")
    simulate.add_argument("--no-story", action="append", default=[], choices=Stories.names(), metavar="STORY",
                          help=f"switch a planted story off ({', '.join(Stories.names())}); repeatable")

    run = commands.add_parser("run", help="load what has landed, build, check and publish, in process through Dagster")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild the incremental dbt models from all of history (after changing how they compute)")

    audit = commands.add_parser("audit", help="what the latest run loaded, rejected and checked; exits 1 on a failure")
    audit.add_argument("--run", help="a run id (or its first characters) instead of the latest run")
    audit.add_argument("--html", type=Path, help="also write the report as an HTML file an auditor can keep")

    drop = commands.add_parser("drop", help="remove a source's landing days from the warehouse (kept when their files "
                                            "leave landing/), recorded in audit.dropped_days")
    drop.add_argument("--source", required=True, choices=("crm", "telephony", "surveys"))
    drop.add_argument("--day", required=True, type=_iso_date, help="landing day, YYYY-MM-DD (the first, with --to)")
    drop.add_argument("--to", type=_iso_date, help="last landing day of a range, YYYY-MM-DD (inclusive)")
    drop.add_argument("--dry-run", action="store_true", help="say what would be dropped, drop nothing")

    app = commands.add_parser("app", help="serve the Streamlit app on 127.0.0.1")
    app.add_argument("--port", type=int, default=8501)

    dev = commands.add_parser("dev", help="serve the Dagster UI on 127.0.0.1, with the same run history")
    dev.add_argument("--port", type=int, default=3000)

    args = parser.parse_args(argv)
    if args.home is not None:
        os.environ["CSOPS_HOME"] = str(args.home)
    home = csops_home()
    os.environ["CSOPS_HOME"] = str(home.root)  # absolute, for every child process
    handlers = {"simulate": _simulate, "run": _run, "drop": _drop, "audit": _audit, "app": _app, "dev": _dev}
    return handlers[args.command](home, args)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a rate between 0 and 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a rate between 0 and 1, got {value}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _write_training_log(home: CsopsHome) -> None:
    """The simulated center's training log, as its manager would keep it: the cohort and the
    day they completed the training. A log already there is the manager's: left as it is."""
    if home.training_log.exists():
        return
    stories = json.loads((home.truth / "stories.json").read_text())
    cohort = stories["training_cohort"] if stories["stories"]["training_cohort"] else []
    home.manager.mkdir(parents=True, exist_ok=True)
    with home.training_log.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agent_username", "training_name", "completed_on"])
        writer.writerows([username, "Resolution skills", stories["training_date"]] for username in cohort)


def _simulate(home: CsopsHome, args: argparse.Namespace) -> int:
    from csops.simulator import simulate
    from csops.simulator.engine import CenterMismatch

    stories = Stories(**{name: False for name in args.no_story})
    config = CenterConfig(agents=args.agents, days=args.days, start=args.start, seed=args.seed, stories=stories,
                          defects_rate=args.defects)
    started = time.perf_counter()
    try:
        totals = simulate(config, home.landing, home.truth, home.simulator_state)
    except CenterMismatch as error:
        print(f"csops simulate: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    _write_training_log(home)
    if config.end > date.today():  # the loader rejects moments more than a day after the load (issue 15)
        print(f"  note: days after today ({date.today()} to {config.end}) hold moments csops rejects as "
              "implausible until that day has come: choose an earlier --start", file=sys.stderr)
    print(f"Simulated {args.agents} agents, {args.start} to {config.end} (seed {args.seed}) in {elapsed:.1f} s")
    if not totals:
        print("  nothing new: every day up to the last one had landed already")
    for source, rows in sorted(totals.items()):
        print(f"  {source:<10} {rows:>10,} lines")
    print(f"Landing files: {home.landing}")
    return 0


def pipeline_environment(home: CsopsHome) -> dict[str, str]:
    """What ``csops run`` and ``csops dev`` run under: Dagster's and dbt's homes inside CSOPS_HOME."""
    from csops.orchestration.resources import dbt_environment

    home.dagster.mkdir(parents=True, exist_ok=True)
    # One run at a time: DuckDB lets one process write the warehouse, so queued runs
    # (the sensor's loads, then its build) wait their turn instead of failing on the lock.
    (home.dagster / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n")
    return {**dbt_environment(home), "DAGSTER_HOME": str(home.dagster)}


def _run(home: CsopsHome, args: argparse.Namespace) -> int:
    os.environ.update(pipeline_environment(home))
    from csops.orchestration.run import run_pipeline

    from csops.kernel.paths import SOURCES
    from csops.orchestration.landing import source_files, unplaced_files

    if not any(source_files(home.landing, source)[0] for source in SOURCES):
        print(f"Nothing has landed in {home.landing}. Run `csops simulate`, or put your exports there (see README).",
              file=sys.stderr)
        for name, reason in unplaced_files(home.landing):  # there, but where no load reads it
            print(f"  {name}: {reason}", file=sys.stderr)
        return 2
    from csops.kernel.pseudonym_key import PseudonymKeyError, checked_key_status

    try:  # refused before anything loads: no customer is hashed with a key anyone could guess
        print(checked_key_status(home).message, file=sys.stderr, flush=True)  # the summary keeps stdout
    except PseudonymKeyError as error:
        print(f"csops run: {error}", file=sys.stderr)
        return 2
    try:
        summary = run_pipeline(home, full_refresh=args.full_refresh)
    except KeyboardInterrupt:  # the run recorded its end before it let the interrupt through
        print("csops run: interrupted; nothing more was published (csops audit shows how far it got)", file=sys.stderr)
        return 130
    print(summary.render())
    return 0 if summary.success else 1


def _drop(home: CsopsHome, args: argparse.Namespace) -> int:
    import getpass
    from types import SimpleNamespace

    import duckdb

    from csops.orchestration.audit_trail import write_ledger
    from csops.orchestration.drops import drop_days
    from csops.orchestration.resources import WarehouseLockResource

    last = args.to or args.day
    if last < args.day:
        print(f"csops drop: --to {last} is before --day {args.day}", file=sys.stderr)
        return 2
    if not home.warehouse.exists():
        print(f"csops drop: no warehouse at {home.warehouse}", file=sys.stderr)
        return 2
    lock = WarehouseLockResource(root=str(home.root))
    with lock.yield_for_execution(SimpleNamespace(log=None)), duckdb.connect(str(home.warehouse)) as con:
        dropped = drop_days(con, home.landing, args.source, args.day, last, getpass.getuser(), dry_run=args.dry_run)
        if not args.dry_run:
            write_ledger(con, home.load_ledger)
    verb = "Would drop" if args.dry_run else "Dropped"
    span = args.day if last == args.day else f"{args.day} to {last}"
    print(f"{verb} {args.source} {span}: {sum(d.rows for d in dropped):,} rows, "
          f"{sum(d.rejected for d in dropped):,} rejected rows" + ("" if args.dry_run else " (audit.dropped_days)"))
    for d in dropped:
        print(f"  {d.landing_date} {d.raw_table:<32} {d.files:>5} files {d.rows:>10,} rows {d.rejected:>8,} rejected")
    still = {d.landing_date: d.files_still_landed for d in dropped if d.files_still_landed}
    if still:
        print(f"  Still in landing/ ({sum(still.values())} files on {len(still)} days): the next run loads them again")
    return 0


def _audit(home: CsopsHome, args: argparse.Namespace) -> int:
    from csops.audit.report import AuditError, audit_report, write_html
    from csops.orchestration.landing import unplaced_files

    try:
        report = audit_report(home, args.run, unplaced=unplaced_files(home.landing))
    except AuditError as error:
        print(f"csops audit: {error}", file=sys.stderr)
        return 2
    print(report.text(), end="")
    if args.html:
        write_html(report, args.html)
        print(f"HTML report: {args.html}")
    return 1 if report.has_failures else 0


def _app(home: CsopsHome, args: argparse.Namespace) -> int:
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_ENTRY),
        "--server.address", "127.0.0.1", "--server.port", str(args.port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
    ]
    print(f"Serving the csops app on http://127.0.0.1:{args.port} (Ctrl-C to stop)", flush=True)
    # Become the server (exec), rather than start it as a child: stopping `csops app`
    # then stops Streamlit, instead of leaving it serving as an orphan.
    os.execv(command[0], command)


def _dev(home: CsopsHome, args: argparse.Namespace) -> int:
    env = {**os.environ, **pipeline_environment(home)}
    dagster = str(Path(sys.executable).with_name("dagster"))
    command = [dagster, "dev", "-m", "csops.orchestration.definitions", "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Serving the Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C to stop)", flush=True)
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, env)  # as `csops app`: stopping csops stops the servers


if __name__ == "__main__":
    sys.exit(main())
