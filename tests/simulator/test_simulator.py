"""The simulator: deterministic, shaped like the vendors' exports, and honest about its truth."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from simulator import simulate
from simulator.config import CenterConfig
from simulator.exports import QUALTRICS_COLUMNS

CONFIG = CenterConfig(agents=6, days=5, start=date(2026, 2, 2), seed=3)


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("simulated")
    simulate(CONFIG, root / "landing", root / "truth")
    return root


def test_same_seed_gives_the_same_bytes(simulated, tmp_path):
    simulate(CONFIG, tmp_path / "landing", tmp_path / "truth")
    assert tree_digest(tmp_path) == tree_digest(simulated)


def test_another_seed_gives_other_data(simulated, tmp_path):
    other = CenterConfig(agents=6, days=5, start=date(2026, 2, 2), seed=4)
    simulate(other, tmp_path / "landing", tmp_path / "truth")
    assert tree_digest(tmp_path / "landing") != tree_digest(simulated / "landing")


def test_every_source_lands_one_folder_per_day(simulated):
    for source, files in {"crm": {"tickets.jsonl", "ticket_audits.jsonl", "users.jsonl", "groups.jsonl"},
                          "telephony": {"contact_records.jsonl"},
                          "surveys": {"responses.csv", "distributions.csv"}}.items():
        days = sorted(p.name for p in (simulated / "landing" / source).iterdir())
        assert days == [f"2026-02-0{d}" for d in range(2, 7)]
        for day in days:
            assert {p.name for p in (simulated / "landing" / source / day).iterdir()} == files


def test_connect_records_carry_the_documented_fields(simulated):
    records = [json.loads(line) for f in (simulated / "landing" / "telephony").rglob("*.jsonl") for line in f.open()]
    assert records
    for record in records:
        assert record["Channel"] == "VOICE" and record["InitiationMethod"] == "INBOUND"
        assert record["CustomerEndpoint"]["Address"].startswith("+1")
        assert {"EnqueueTimestamp", "DequeueTimestamp", "Duration"} <= set(record["Queue"])
        assert record["InitiationTimestamp"].endswith("Z")
        if record["Agent"] is not None:
            assert record["Agent"]["ConnectedToAgentTimestamp"] == record["Queue"]["DequeueTimestamp"]
    abandoned = [r for r in records if r["Agent"] is None]
    assert 0 < len(abandoned) < len(records) * 0.2


def test_qualtrics_export_has_its_two_extra_header_rows(simulated):
    with (simulated / "landing" / "surveys" / "2026-02-04" / "responses.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == QUALTRICS_COLUMNS
    assert rows[1][rows[0].index("Q1")].startswith("How satisfied")
    assert all(json.loads(cell)["ImportId"] for cell in rows[2])
    assert len(rows) > 3
    assert all(row[rows[0].index("Q1")] in {"1", "2", "3", "4", "5"} for row in rows[3:])


def test_systems_spell_the_same_customer_differently(simulated):
    users = [json.loads(line) for f in (simulated / "landing" / "crm").rglob("users.jsonl") for line in f.open()]
    phones = {u["phone"] for u in users if u["role"] == "end-user"}
    assert any(p.startswith("(") for p in phones) and any(p.startswith("+1 ") for p in phones)
    assert any(p.isdigit() for p in phones)
    assert any(u["email"] != u["email"].lower() for u in users if u["role"] == "end-user")


def test_truth_names_every_landed_contact(simulated):
    truth = {json.loads(line)["contact_ref"] for f in (simulated / "truth").rglob("contacts.jsonl") for line in f.open()}
    landed_calls = {json.loads(line)["ContactId"] for f in (simulated / "landing" / "telephony").rglob("*.jsonl") for line in f.open()}
    landed_tickets = {str(json.loads(line)["id"]) for f in (simulated / "landing" / "crm").rglob("tickets.jsonl") for line in f.open()}
    assert landed_calls | landed_tickets == truth
