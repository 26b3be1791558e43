"""A simulated contact center: the upstream systems csops reads, until a user brings real exports."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from simulator.config import CenterConfig
from simulator.exports import write_day


def simulate(config: CenterConfig, landing: Path, truth: Path) -> dict[str, int]:
    """Write every landing day of ``config``'s period; returns total rows per source."""
    totals: dict[str, int] = {}
    for offset in range(config.days):
        counts = write_day(config, config.start + timedelta(days=offset), landing, truth)
        for name, rows in counts.items():
            source = name.split("/")[0]
            totals[source] = totals.get(source, 0) + rows
    truth.mkdir(parents=True, exist_ok=True)
    planted = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(config).items()}
    (truth / "stories.json").write_text(json.dumps(planted, indent=2, sort_keys=True))
    return totals
