"""How fast the simulator lands a million contacts, and whether memory stays flat as days grow.

    .venv/bin/python benchmarks/simulator.py --agents 1000 --days 37

Counts contact records (call segments, IVR calls and tickets, as the truth files list them)
and every line written; reports seconds, rows/s and peak memory (the parent and the largest
shard process), and the peak for half the days as the baseline, measured in the same run:
flat memory means the ratio stays near 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(agents: int, days: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="csops-simbench-") as home:
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", (
                "import resource, sys; from csops import cli; code = cli.main(sys.argv[1:]); "
                "print('peak_kib', max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
                "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)"),
             "--home", home, "simulate", "--agents", str(agents), "--days", str(days)],
            capture_output=True, text=True, cwd=REPO_ROOT)
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            raise SystemExit(completed.stdout + completed.stderr)
        truth = Path(home) / "truth"
        contacts = sum(sum(1 for _ in path.open()) for path in truth.rglob("contacts*.jsonl"))
        lines = sum(int(line.split()[1].replace(",", "")) for line in completed.stdout.splitlines()
                    if line.strip().split()[:1] in (["crm"], ["telephony"], ["surveys"]))
        landed_bytes = sum(p.stat().st_size for p in (Path(home) / "landing").rglob("*") if p.is_file())
        peak = next(int(line.split()[1]) for line in completed.stdout.splitlines() if line.startswith("peak_kib"))
    return {"days": days, "seconds": seconds, "contacts": contacts, "lines": lines, "bytes": landed_bytes,
            "peak_mib": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=37)
    args = parser.parse_args()
    half = run(args.agents, max(1, args.days // 2))
    full = run(args.agents, args.days)
    for result in (half, full):
        print(f"{args.agents} agents x {result['days']:>3} days: {result['contacts']:>10,} contacts, "
              f"{result['lines']:>11,} lines, {result['bytes'] / 2**20:8.0f} MiB in {result['seconds']:6.1f} s "
              f"= {result['contacts'] / result['seconds']:8,.0f} contacts/s, {result['lines'] / result['seconds']:9,.0f} lines/s; "
              f"peak memory {result['peak_mib']:6.0f} MiB")
    print(f"peak memory, {full['days']} days against {half['days']}: {full['peak_mib'] / half['peak_mib']:.2f}x "
          f"(flat is 1.0); time per contact: {full['seconds'] / full['contacts'] / (half['seconds'] / half['contacts']):.2f}x")


if __name__ == "__main__":
    main()
