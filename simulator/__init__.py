"""A simulated contact center: the upstream systems csops reads, until a user brings real exports.

``simulate`` lands every day from where the center's saved state left off through the
configuration's last day, so ``csops simulate --days 61`` the day after ``--days 60``
lands just the new day, as a daily export feed would.
"""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import orjson

from simulator.config import CenterConfig
from simulator.engine import LandingDay, stories_truth, write_lines
from simulator.shards import days_of_shards, shard_configs

# Header rows each CSV export carries; merged shards keep them once.
HEADER_ROWS = {"responses.csv": 3, "distributions.csv": 1}


def simulate(config: CenterConfig, landing: Path, truth: Path, state_dir: Path) -> Counter:
    """Land the days not landed yet; returns the lines written per source."""
    shards = shard_configs(config)
    truth.mkdir(parents=True, exist_ok=True)
    (truth / "stories.json").write_bytes(stories_truth(shards))
    late_lines_path = state_dir / "late_lines.pickle"
    withheld = pickle.loads(late_lines_path.read_bytes()) if late_lines_path.exists() else {}
    lines_written: Counter = Counter()
    for shard_days in days_of_shards(shards, state_dir):
        day = _merged(shard_days)
        files = day.files
        if config.defects_rate > 0:
            from simulator.defects import inject_defects

            for relative, lines in sorted(withheld.items()):  # yesterday's late lines arrive now
                write_lines(landing / relative, lines, append=True)
            injected = inject_defects(day.day, files, config.defects_rate, config.seed)
            files, withheld = injected.files, injected.withheld
            write_lines(truth / day.day.isoformat() / "defects.jsonl",
                        [orjson.dumps(defect.to_json()).decode() for defect in injected.defects])
        for relative, lines in files.items():
            write_lines(landing / relative, lines)
            lines_written[relative.split("/")[0]] += len(lines)
        for relative, lines in day.truth.items():
            write_lines(truth / relative, lines)
    state_dir.mkdir(parents=True, exist_ok=True)
    late_lines_path.write_bytes(pickle.dumps(withheld))
    return lines_written


def _merged(shard_days: list[LandingDay]) -> LandingDay:
    if len(shard_days) == 1:
        return shard_days[0]
    files: dict[str, list[str]] = {}
    for shard_day in shard_days:
        for relative, lines in shard_day.files.items():
            if relative in files:
                lines = lines[HEADER_ROWS.get(relative.rsplit("/", 1)[-1], 0):]
            files.setdefault(relative, []).extend(lines)
    truth: dict[str, list[str]] = {}
    for shard_day in shard_days:
        for relative, lines in shard_day.truth.items():
            truth.setdefault(relative, []).extend(lines)
    return LandingDay(shard_days[0].day, files, truth)
