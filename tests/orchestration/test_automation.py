"""What the sensor and `csops run` ask to load: runs of consecutive stale landing days."""

from __future__ import annotations

import json

from csops.kernel.paths import CsopsHome
from csops.orchestration.audit_trail import layout
from csops.orchestration.automation import plan_loads
from csops.orchestration.landing import landed_inventory


def test_stale_days_are_asked_for_in_runs_of_consecutive_partitions(tmp_path):
    home = CsopsHome(tmp_path)
    days = [f"2026-02-0{d}" for d in range(1, 6)]
    for day in days:
        (home.landing / "telephony" / day).mkdir(parents=True)
        (home.landing / "telephony" / day / "contact_records.jsonl").write_text("{}\n")
    plan = plan_loads(home, known_partitions=days[:3])
    assert plan.new_partitions == days[3:] and plan.ranges == [(days[0], days[-1])]  # nothing loaded yet

    inventory = landed_inventory(home.landing)
    loaded = {name: list(stamp) for name, stamp in inventory.items() if name.split("/")[1] in (days[1], days[3])}
    home.warehouse.touch()
    home.load_ledger.parent.mkdir(exist_ok=True)  # the digests' cache may be there
    home.load_ledger.write_text(json.dumps({"layout": layout(), "files": loaded}))
    plan = plan_loads(home, known_partitions=days)
    assert plan.new_partitions == [] and plan.ranges == [(days[0], days[0]), (days[2], days[2]), (days[4], days[4])]

    home.load_ledger.write_text(json.dumps({"layout": "an older csops", "files": loaded}))
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[-1])]  # reshaped tables: all days
    home.warehouse.unlink()
    home.load_ledger.write_text(json.dumps({"layout": layout(), "files": loaded}))
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[-1])]  # warehouse gone: all days


def test_the_sensor_sees_a_rewrite_with_the_same_size_and_time_and_not_a_gone_file(tmp_path):
    """Planned from the ledger, without the warehouse: a corrected re-delivery copied with its
    times kept (same size, same mtime) makes its day stale; a file gone from landing/ does not
    (its rows are kept); a file touched with the same content does not either."""
    import os

    home = CsopsHome(tmp_path)
    days = ["2026-02-01", "2026-02-02", "2026-02-03"]
    for day in days:
        (home.landing / "crm" / day).mkdir(parents=True)
        (home.landing / "crm" / day / "tickets.jsonl").write_text('{"id": 1, "status": "open"}\n')
    loaded = {name: list(stamp) for name, stamp in landed_inventory(home.landing).items()}
    home.warehouse.touch()
    home.load_ledger.parent.mkdir(exist_ok=True)
    home.load_ledger.write_text(json.dumps({"layout": layout(), "files": loaded}))
    assert plan_loads(home, known_partitions=days).ranges == []

    corrected = home.landing / "crm" / days[0] / "tickets.jsonl"
    stat = corrected.stat()
    corrected.write_text('{"id": 1, "status": "done"}\n')  # same size
    os.utime(corrected, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time, as `cp -p` or `rsync -t` leave it
    assert (corrected.stat().st_size, corrected.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    (home.landing / "crm" / days[1] / "tickets.jsonl").unlink()
    touched = home.landing / "crm" / days[2] / "tickets.jsonl"
    touched.write_text(touched.read_text())  # rewritten, same content, a new time
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[0])]
    cached = json.loads((home.load_ledger.parent / "landed_sha256.json").read_text())
    assert sorted(cached) == [f"crm/{days[0]}/tickets.jsonl", f"crm/{days[2]}/tickets.jsonl"]
    assert plan_loads(home, known_partitions=days).ranges == [(days[0], days[0])]  # from the digests' cache too
