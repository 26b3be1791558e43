"""A simulated contact center: the upstream systems csops reads, until a user brings real exports.

``simulate`` lands every day from where the center's saved state left off through the
configuration's last day, so ``csops simulate --days 61`` the day after ``--days 60``
lands just the new day, as a daily export feed would.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csops.simulator.config import CenterConfig


def simulate(config: CenterConfig, landing: Path, truth: Path, state_dir: Path) -> Counter:
    """Land the days not landed yet; returns the lines written per source."""
    # Imported here: `csops` reads simulator.config for its options, and every other
    # command (app, run) should not pay for the simulator's engine.
    from csops.simulator.center_truth import agents_truth, stories_truth
    from csops.simulator.engine import write_lines
    from csops.simulator.shards import land_shards, shard_configs

    shards = shard_configs(config)
    truth.mkdir(parents=True, exist_ok=True)
    (truth / "stories.json").write_bytes(stories_truth(shards))
    write_lines(truth / "agents.jsonl", agents_truth(shards))
    return land_shards(shards, landing, truth, state_dir)
