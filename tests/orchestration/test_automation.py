"""What the sensor and `csops run` ask to load: runs of consecutive stale landing days."""

from __future__ import annotations

import json

from csops.paths import CsopsHome
from orchestration import loading
from orchestration.automation import plan_loads


def test_stale_days_are_asked_for_in_runs_of_consecutive_partitions(tmp_path):
    home = CsopsHome(tmp_path)
    days = [f"2026-02-0{d}" for d in range(1, 6)]
    for day in days:
        (home.landing / "telephony" / day).mkdir(parents=True)
        (home.landing / "telephony" / day / "contact_records.jsonl").write_text("{}\n")
    plan = plan_loads(home, known_partitions=days[:3])
    assert plan.new_partitions == days[3:] and plan.ranges == [(days[0], days[-1])]  # nothing loaded yet

    inventory = loading.landed_inventory(home.landing)
    loaded = {name: list(stamp) for name, stamp in inventory.items() if name.split("/")[1] in (days[1], days[3])}
    home.warehouse.touch()
    home.load_ledger.parent.mkdir()
    home.load_ledger.write_text(json.dumps({"layout": loading._layout(), "files": loaded}))
    plan = plan_loads(home, known_partitions=days)
    assert plan.new_partitions == [] and plan.ranges == [(days[0], days[0]), (days[2], days[2]), (days[4], days[4])]

    home.load_ledger.write_text(json.dumps({"layout": "an older csops", "files": loaded}))
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[-1])]  # reshaped tables: all days
    home.warehouse.unlink()
    home.load_ledger.write_text(json.dumps({"layout": loading._layout(), "files": loaded}))
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[-1])]  # warehouse gone: all days
