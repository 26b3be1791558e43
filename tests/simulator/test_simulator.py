"""The simulated center: deterministic, day by day, shaped like the vendors' exports, with its stories visible.

The stories are checked the way a skeptical analyst would first look: by naive counts
on the raw exports, before any of csops's own models.
"""

from __future__ import annotations

import csv
import hashlib
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import simulator.shards
from simulator import simulate
from simulator.config import CenterConfig, Stories
from simulator.engine import CenterMismatch
from simulator.exports import QUALTRICS_COLUMNS

NEW_YORK = ZoneInfo("America/New_York")
# 24 days from Monday 2026-01-05: the thin week is that of Martin Luther King Day (01-19),
# the training completes on 01-17 (offset 12), so both have a before and an after.
CENTER = CenterConfig(agents=30, days=24, start=date(2026, 1, 5), seed=5, stories=Stories(training_offset_days=12))


def simulated_into(root: Path, config: CenterConfig) -> Path:
    simulate(config, root / "landing", root / "truth", root / "simulator")
    return root


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def jsonl(root: Path, pattern: str) -> list[dict]:
    return [json.loads(line) for path in sorted(root.glob(pattern)) for line in path.open()]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def center(tmp_path_factory) -> Path:
    return simulated_into(tmp_path_factory.mktemp("center"), CENTER)


@pytest.fixture(scope="module")
def landing(center) -> Path:
    return center / "landing"


@pytest.fixture(scope="module")
def stories(center) -> dict:
    return json.loads((center / "truth" / "stories.json").read_text())


@pytest.fixture(scope="module")
def calls(landing) -> list[dict]:
    return jsonl(landing, "telephony/*/contact_records.jsonl")


# Determinism -----------------------------------------------------------------------------

SMALL = CenterConfig(agents=8, days=4, start=date(2026, 2, 9), seed=3)


def test_same_seed_gives_the_same_bytes(tmp_path):
    first = simulated_into(tmp_path / "a", SMALL)
    second = simulated_into(tmp_path / "b", SMALL)
    assert tree_digest(first / "landing") == tree_digest(second / "landing")
    assert tree_digest(first / "truth") == tree_digest(second / "truth")
    other = simulated_into(tmp_path / "c", replace(SMALL, seed=4))
    assert tree_digest(other / "landing") != tree_digest(first / "landing")


@pytest.mark.parametrize("shard_max_agents", [250, 3], ids=["one process", "three shards in processes"])
def test_days_one_at_a_time_land_what_they_land_together(tmp_path, monkeypatch, shard_max_agents):
    monkeypatch.setattr(simulator.shards, "SHARD_MAX_AGENTS", shard_max_agents)
    together = simulated_into(tmp_path / "together", SMALL)
    daily = tmp_path / "daily"
    for days in range(1, SMALL.days + 1):
        simulated_into(daily, replace(SMALL, days=days))
    assert tree_digest(daily / "landing") == tree_digest(together / "landing")
    assert tree_digest(daily / "truth") == tree_digest(together / "truth")


def test_another_center_in_the_same_folder_is_refused(tmp_path):
    simulated_into(tmp_path, SMALL)
    with pytest.raises(CenterMismatch, match="another simulated center"):
        simulated_into(tmp_path, replace(SMALL, agents=9))


# Shapes ------------------------------------------------------------------------------------

def test_every_day_lands_every_export(landing):
    expected = {"crm": {"tickets.jsonl", "ticket_audits.jsonl", "users.jsonl", "groups.jsonl", "group_memberships.jsonl"},
                "telephony": {"contact_records.jsonl", "agent_events.jsonl"},
                "surveys": {"responses.csv", "distributions.csv"}}
    days = [(CENTER.start + timedelta(days=n)).isoformat() for n in range(CENTER.days)]
    for source, files in expected.items():
        assert sorted(p.name for p in (landing / source).iterdir()) == days
        for day in days:
            assert {p.name for p in (landing / source / day).iterdir()} == files


def test_zendesk_tickets_and_audits_have_their_documented_shape(landing):
    tickets = jsonl(landing, "crm/*/tickets.jsonl")
    for ticket in tickets:
        assert {"id", "created_at", "updated_at", "status", "priority", "type", "via", "requester_id", "submitter_id",
                "assignee_id", "group_id", "tags", "custom_fields"} <= set(ticket)
        assert ticket["status"] in {"new", "open", "pending", "hold", "solved", "closed"}
        assert ticket["priority"] in {"urgent", "high", "normal", "low"}
        assert ticket["via"]["channel"] in {"email", "web", "chat", "twitter", "facebook"}
        assert ticket["custom_fields"][0]["value"] in {"billing", "technical", "account", "delivery", "returns"}
    statuses = Counter(t["status"] for t in tickets)
    assert all(statuses[s] > 0 for s in ("new", "open", "pending", "hold", "solved", "closed"))
    events = [event for audit in jsonl(landing, "crm/*/ticket_audits.jsonl") for event in audit["events"]]
    assert {e["type"] for e in events} == {"Create", "Change", "Comment", "Notification"}
    comments = [e for e in events if e["type"] == "Comment"]
    assert any(not c["public"] for c in comments), "private notes"
    assert any(c["author_id"] == 899_999 for c in comments), "a bot's automated acknowledgement"
    changed = Counter(e["field_name"] for e in events if e["type"] == "Change")
    assert {"status", "assignee_id", "group_id", "priority"} <= set(changed)
    reopened = [e for e in events if e["type"] == "Change" and e["field_name"] == "status"
                and e["previous_value"] == "solved" and e["value"] == "open"]
    assert reopened


def test_customers_are_written_differently_by_different_systems(landing, calls):
    customers = [u for u in jsonl(landing, "crm/*/users.jsonl") if u["role"] == "end-user"]
    phones = {u["phone"] for u in customers}
    assert any(p.startswith("+1 555-") for p in phones) and any(p.startswith("(555) ") for p in phones)
    assert any(p.isdigit() and p.startswith("1555") for p in phones)
    assert any(u["email"] != u["email"].lower() for u in customers)
    assert all(c["CustomerEndpoint"]["Address"].startswith("+1555") for c in calls)


def test_connect_records_chain_transfers_callbacks_and_are_redelivered(calls):
    assert {c["Channel"] for c in calls} == {"VOICE"}
    methods = Counter(c["InitiationMethod"] for c in calls)
    assert {"INBOUND", "TRANSFER", "QUEUE_TRANSFER", "CALLBACK"} <= set(methods)
    ids = {c["ContactId"] for c in calls}
    for record in calls:
        if record["InitiationMethod"] != "INBOUND":
            assert record["InitialContactId"] in ids and record["PreviousContactId"] in ids
    abandoned = [c for c in calls if c["Queue"] and c["Agent"] is None and c["InitiationMethod"] == "INBOUND"]
    self_service = [c for c in calls if c["Queue"] is None]
    assert abandoned and self_service
    assert all(c["Queue"]["EnqueueTimestamp"] <= c["Queue"]["DequeueTimestamp"] for c in calls if c["Queue"])
    delivered = Counter(c["ContactId"] for c in calls)
    twice = [contact for contact, n in delivered.items() if n == 2]
    assert twice, "Connect delivers some records more than once"
    versions = sorted((c["LastUpdateTimestamp"] for c in calls if c["ContactId"] == twice[0]))
    assert versions[0] < versions[1]


def test_agent_events_follow_each_call(landing, calls):
    events = jsonl(landing, "telephony/*/agent_events.jsonl")
    assert {e["State"] for e in events} == {"AVAILABLE", "ON_CONTACT", "AFTER_CONTACT_WORK", "BREAK", "OFFLINE"}
    on_contact = {e["ContactId"] for e in events if e["State"] == "ON_CONTACT"}
    answered = {c["ContactId"] for c in calls if c["Agent"] is not None}
    assert on_contact == answered


def test_qualtrics_export_carries_its_header_rows_and_the_contact_reference(landing, calls):
    tickets = {str(t["id"]) for t in jsonl(landing, "crm/*/tickets.jsonl")}
    contacts = {c["ContactId"] for c in calls}
    rows = []
    for path in sorted(landing.glob("surveys/*/responses.csv")):
        with path.open() as handle:
            file_rows = list(csv.reader(handle))
        assert tuple(file_rows[0]) == QUALTRICS_COLUMNS
        assert file_rows[1][file_rows[0].index("Q1")].startswith("How satisfied")
        assert all(json.loads(cell)["ImportId"] for cell in file_rows[2])
        rows += [dict(zip(file_rows[0], row)) for row in file_rows[3:]]
    assert rows
    for row in rows:
        assert row["Q1"] in set("12345") and 0 <= int(row["Q2"]) <= 10 and 1 <= int(row["Q3"]) <= 7
        assert row["contact_ref"] in (tickets if row["contact_system"] == "crm" else contacts)


def test_truth_names_every_contact_and_survey(center, calls):
    truth = jsonl(center / "truth", "*/contacts.jsonl")
    assert {c["ContactId"] for c in calls} == {t["contact_ref"] for t in truth if t["system"] == "telephony"}
    assert all(t["is_repeat"] == (t["attempt_no"] > 1) for t in truth)
    surveys = jsonl(center / "truth", "*/surveys.jsonl")
    assert {s["response_id"] for s in surveys if s["recorded_at"]} >= {
        row["ResponseId"] for path in (center / "landing").glob("surveys/*/responses.csv")
        for row in list(csv.DictReader(path.open()))[2:]}


# Stories, by naive counts on the raw exports ------------------------------------------------

def repeat_share_by_team(calls: list[dict], window: timedelta = timedelta(days=7)) -> dict[str, float]:
    """Of the calls a team answered, the share whose caller rang again within the window."""
    by_caller = defaultdict(list)
    for call in calls:
        if call["InitiationMethod"] == "INBOUND" and call["Queue"] is not None:
            by_caller[call["CustomerEndpoint"]["Address"]].append(utc(call["InitiationTimestamp"]))
    repeats, answered = Counter(), Counter()
    for call in calls:
        if call["Agent"] is None or call["InitiationMethod"] != "INBOUND":
            continue
        team = call["Agent"]["RoutingProfile"]["Name"]
        at = utc(call["InitiationTimestamp"])
        answered[team] += 1
        repeats[team] += any(at < later <= at + window for later in by_caller[call["CustomerEndpoint"]["Address"]])
    return {team: repeats[team] / answered[team] for team in answered}


def test_the_weak_team_draws_more_repeat_calls_than_its_sister_team(calls):
    shares = repeat_share_by_team(calls)
    assert shares["tier1_west"] > shares["tier1_east"] + 0.05, shares


def test_switching_the_weak_team_off_closes_the_gap(tmp_path):
    config = replace(CENTER, days=14, stories=Stories(weak_team=False, training_offset_days=12))
    shares = repeat_share_by_team(jsonl(simulated_into(tmp_path, config) / "landing", "telephony/*/contact_records.jsonl"))
    assert abs(shares["tier1_west"] - shares["tier1_east"]) < 0.05, shares


def test_monday_emails_wait_longer_for_a_first_reply(landing):
    created = {t["id"]: utc(t["created_at"]) for t in jsonl(landing, "crm/*/tickets.jsonl")
               if t["via"]["channel"] == "email" and t["submitter_id"] == t["requester_id"]}
    first_reply = {}
    for audit in jsonl(landing, "crm/*/ticket_audits.jsonl"):
        for event in audit["events"]:
            if (event["type"] == "Comment" and event["public"] and 900_000 <= event["author_id"] < 1_000_000
                    and audit["ticket_id"] not in first_reply):
                first_reply[audit["ticket_id"]] = utc(audit["created_at"])
    waits = defaultdict(list)
    for ticket_id, at in created.items():
        if ticket_id in first_reply:
            waits[at.astimezone(NEW_YORK).weekday() == 0].append((first_reply[ticket_id] - at).total_seconds())
    assert statistics.median(waits[True]) > 2 * statistics.median(waits[False])


def test_the_training_cohort_handles_calls_faster_after_the_training(calls, stories):
    cohort = set(stories["training_cohort"])
    trained_on = date.fromisoformat(stories["training_date"])
    talk = defaultdict(list)
    for call in calls:
        if call["Agent"] is not None:
            after = utc(call["InitiationTimestamp"]).date() >= trained_on
            talk[(call["Agent"]["Username"] in cohort, after)].append(call["Agent"]["AgentInteractionDuration"])
    cohort_ratio = statistics.mean(talk[(True, True)]) / statistics.mean(talk[(True, False)])
    others_ratio = statistics.mean(talk[(False, True)]) / statistics.mean(talk[(False, False)])
    assert cohort_ratio < 0.9 and cohort_ratio < others_ratio - 0.08, (cohort_ratio, others_ratio)


def test_the_holiday_week_is_thinly_staffed_and_callers_give_up(landing, stories, calls):
    thin_week = date.fromisoformat(stories["holiday_thin_week_start"])
    agents_per_day = defaultdict(set)
    for event in jsonl(landing, "telephony/*/agent_events.jsonl"):
        agents_per_day[utc(event["EventTimestamp"]).date()].add(event["Agent"]["Username"])
    weekdays = lambda week: [week + timedelta(days=n) for n in range(1, 5)]  # noqa: E731  Tue-Fri
    thin = statistics.mean(len(agents_per_day[d]) for d in weekdays(thin_week))
    usual = statistics.mean(len(agents_per_day[d]) for d in weekdays(thin_week - timedelta(days=7)))
    assert thin < 0.75 * usual, (thin, usual)

    def abandon_share(week: date) -> float:
        queued = [c for c in calls if c["Queue"] and c["InitiationMethod"] == "INBOUND"
                  and week <= utc(c["InitiationTimestamp"]).date() < week + timedelta(days=7)]
        return sum(c["Agent"] is None for c in queued) / len(queued)

    assert abandon_share(thin_week) > abandon_share(thin_week - timedelta(days=7)) + 0.03


# Defects -----------------------------------------------------------------------------------

def test_defects_are_injected_and_listed_with_where_they_are(tmp_path):
    root = simulated_into(tmp_path, replace(SMALL, defects_rate=0.03))
    defects = jsonl(root / "truth", "*/defects.jsonl")
    kinds = Counter(d["kind"] for d in defects)
    assert {"duplicate_record", "malformed_json", "missing_required_field", "timestamp_without_zone"} <= set(kinds)
    last_day = SMALL.end.isoformat()
    for defect in defects:
        assert defect["expected"].startswith(("rejected: ", "handled: ", "blocked: ", "warned: "))
        if defect["line"] is None or (defect["kind"] == "late_file" and f"/{last_day}/" in defect["file"]):
            continue  # the last day's late lines arrive with the next day's run
        lines = (root / "landing" / defect["file"]).read_text().splitlines()
        assert defect["line"] <= len(lines), defect  # late lines were delivered into their day's file
        if defect["kind"] == "malformed_json":
            with pytest.raises(ValueError):
                json.loads(lines[defect["line"] - 1])
        if defect["kind"] == "duplicate_record" and defect["file"].endswith(".jsonl"):
            assert lines[defect["line"] - 1] == lines[defect["line"] - 2]
