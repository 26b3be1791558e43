"""The simulated center: deterministic, day by day, shaped like the vendors' exports, with its stories visible.

The stories are checked the way a skeptical analyst would first look: by naive counts
on the raw exports, before any of csops's own models.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import csops.simulator.shards
from csops.orchestration.files import landing_day, unpacked_text
from csops.simulator import simulate
from csops.simulator.config import CenterConfig, Stories
from csops.simulator.engine import CenterMismatch
from csops.simulator.exports import late_name
from csops.simulator.population import CUSTOMER_USER_ID_BASE
from csops.simulator.qualtrics_records import QUALTRICS_COLUMNS
from tests import landed

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
    """The simulator's own JSON lines (truth/, never read by the pipeline)."""
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
    return landed.records(landing, "telephony", "contact_records")


@pytest.fixture(scope="module")
def agent_events(landing) -> list[dict]:
    return landed.records(landing, "telephony", "agent_events")


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
    monkeypatch.setattr(csops.simulator.shards, "SHARD_MAX_AGENTS", shard_max_agents)
    together = simulated_into(tmp_path / "together", SMALL)
    daily = tmp_path / "daily"
    for days in range(1, SMALL.days + 1):
        simulated_into(daily, replace(SMALL, days=days))
    assert tree_digest(daily / "landing") == tree_digest(together / "landing")
    assert tree_digest(daily / "truth") == tree_digest(together / "truth")


def test_late_records_land_the_same_whether_days_land_one_at_a_time_or_together(tmp_path):
    """With defects, a day's held-back records are written by the next day's run, into files
    of their own: the same files, byte for byte, as when the days land in one run."""
    config = replace(SMALL, defects_rate=0.1)  # at this rate, a late file every day
    together = simulated_into(tmp_path / "together", config)
    daily = tmp_path / "daily"
    for days in range(1, config.days + 1):
        simulated_into(daily, replace(config, days=days))
    landed_together = tree_digest(together / "landing")
    late_files = {d["file"] for d in jsonl(together / "truth", "*/defects*.jsonl") if d["kind"] == "late_file"}
    assert late_files & set(landed_together)
    assert tree_digest(daily / "landing") == landed_together
    assert tree_digest(daily / "truth") == tree_digest(together / "truth")


def test_each_shard_writes_files_of_its_own(tmp_path, monkeypatch):
    """Three shards in processes: each writes its own part of every API page and CSV export, and
    its own Firehose objects (ids of their own), so none overwrites another's: every agent of
    the center is in the agent events, every contact of the truth in the contact records."""
    monkeypatch.setattr(csops.simulator.shards, "SHARD_MAX_AGENTS", 3)
    root = simulated_into(tmp_path, SMALL)
    landing = root / "landing"
    stories = json.loads((root / "truth" / "stories.json").read_text())
    assert stories["center"]["shards"] == 3
    for day in (SMALL.start + timedelta(days=n) for n in range(SMALL.days)):
        names = {p.name for p in (landing / "crm" / day.isoformat()).iterdir()}
        assert names == {f"{endpoint}-0001-part{shard}.json" for endpoint in
                         ("tickets", "ticket_audits", "users", "group_memberships") for shard in range(3)} | {
            "groups-0001-part0.json"}  # one shard writes the groups, as one export would
        assert {f"responses-part{shard}.csv" for shard in range(3)} <= {
            p.name for p in (landing / "surveys" / day.isoformat()).iterdir()}
    objects = [p for p in (landing / "telephony").rglob("*") if p.is_file()]
    object_ids = [re.search(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", p.name)[0] for p in objects]
    assert len(set(object_ids)) == len(objects)
    agents = {agent["username"] for agent in stories["agents"]}
    assert len(agents) == SMALL.agents
    assert {e["AgentARN"].rsplit("/", 1)[1] for e in landed.records(landing, "telephony", "agent_events")} == agents
    truth = jsonl(root / "truth", "*/contacts*.jsonl")
    assert {c["ContactId"] for c in landed.records(landing, "telephony", "contact_records")} == {
        t["contact_ref"] for t in truth if t["system"] == "telephony"}


def test_another_center_in_the_same_folder_is_refused(tmp_path):
    simulated_into(tmp_path, SMALL)
    with pytest.raises(CenterMismatch, match="another simulated center"):
        simulated_into(tmp_path, replace(SMALL, agents=9))


# Shapes ------------------------------------------------------------------------------------

# Zendesk's endpoints as the simulator pages them: each response's list key and its pagination
# keys (the incremental cursor export for tickets and users, cursor pagination for the account's
# audits, offset pagination for groups and memberships; developer.zendesk.com's API reference).
CURSOR_STREAM = {"after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream"}
ZENDESK_RESPONSES = {
    "tickets": ("tickets", CURSOR_STREAM),
    "users": ("users", CURSOR_STREAM),
    "ticket_audits": ("audits", {"after_url", "after_cursor", "before_url", "before_cursor"}),
    "groups": ("groups", {"next_page", "previous_page", "count"}),
    "group_memberships": ("group_memberships", {"next_page", "previous_page", "count"}),
}
ZENDESK_PAGE_SIZE = 1000  # the incremental exports' page: up to 1000 records
API_PAGE = re.compile(r"^(?P<endpoint>[a-z_]+)-(?P<page>\d{4})\.json$")
# Kinesis Data Firehose's S3 objects: <prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]
FIREHOSE_OBJECT = re.compile(
    r"^telephony/(?P<folder>contact-records|agent-events)/(?P<hour_prefix>\d{4}/\d{2}/\d{2}/\d{2})/"
    r"(?P<stream>[a-z0-9-]+?)-(?P<version>\d+)-(?P<written_at>\d{4}(-\d{2}){5})-"
    r"(?P<object_id>[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})(?P<gzip>\.gz)?$")
ARRIVAL_FIELD = {"contact-records": "LastUpdateTimestamp", "agent-events": "EventTimestamp"}


def test_every_day_lands_every_export(landing):
    days = [CENTER.start + timedelta(days=n) for n in range(CENTER.days)]
    for source in ("crm", "surveys"):
        assert sorted(p.name for p in (landing / source).iterdir()) == [day.isoformat() for day in days]
    for day in days:
        pages = [API_PAGE.match(p.name) for p in (landing / "crm" / day.isoformat()).iterdir()]
        assert all(pages), day
        assert {page["endpoint"] for page in pages} == set(ZENDESK_RESPONSES)
        for endpoint in ZENDESK_RESPONSES:  # each endpoint's pages numbered from 0001, none missing
            numbers = sorted(int(page["page"]) for page in pages if page["endpoint"] == endpoint)
            assert numbers == list(range(1, len(numbers) + 1))
        for folder in ARRIVAL_FIELD:
            assert any((landing / "telephony" / folder / f"{day:%Y/%m/%d}").rglob("*")), (folder, day)
        surveys = {p.name for p in (landing / "surveys" / day.isoformat()).iterdir()}
        assert "responses.csv" in surveys
    assert {landing_day(landed.relative(landing, p)) for p in (landing / "telephony").rglob("*") if p.is_file()} == set(days)


def test_every_crm_file_is_a_zendesk_api_page(landing):
    """Each file is one response of its endpoint: its list of records under the endpoint's key,
    the pagination keys beside it, up to 1000 records; the day's last page says it is the last.
    csops reads the page's records, in order, as the page holds them."""
    for folder in sorted((landing / "crm").iterdir()):
        pages: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for path in sorted(folder.iterdir()):
            name = API_PAGE.match(path.name)
            page = json.loads(unpacked_text(path))
            key, pagination = ZENDESK_RESPONSES[name["endpoint"]]
            assert set(page) == {key} | pagination, path
            assert isinstance(page[key], list) and len(page[key]) <= ZENDESK_PAGE_SIZE
            assert [r.value for r in landed.file_records(landing, path)] == page[key]
            pages[name["endpoint"]].append((int(name["page"]), page))
        for endpoint, numbered in pages.items():
            key, pagination = ZENDESK_RESPONSES[endpoint]
            *earlier, (_, last) = sorted(numbered, key=lambda numbered_page: numbered_page[0])
            assert all(len(page[key]) == ZENDESK_PAGE_SIZE for _, page in earlier)
            if pagination == CURSOR_STREAM:
                assert last["end_of_stream"] is True and all(page["end_of_stream"] is False for _, page in earlier)
                assert last["after_cursor"] and last["after_url"].endswith(last["after_cursor"])
            elif "after_cursor" in pagination:
                assert last["after_cursor"] is None and all(page["after_cursor"] for _, page in earlier)
            else:
                assert last["next_page"] is None and last["count"] == len(last[key])


def test_every_telephony_file_is_a_firehose_object(landing):
    """Each file is an object Firehose writes to S3: under the UTC prefix of the hour its records
    arrived in, named for its stream and the moment it was written (in that hour), the records
    concatenated with no delimiter; the agent event stream's gzipped, the contact records' not."""
    streams = defaultdict(set)
    for path in sorted(p for p in (landing / "telephony").rglob("*") if p.is_file()):
        relative = landed.relative(landing, path)
        name = FIREHOSE_OBJECT.match(relative)
        assert name, relative
        streams[name["folder"]].add((name["stream"], name["version"]))
        hour_starts = datetime.strptime(name["hour_prefix"], "%Y/%m/%d/%H")
        written_at = datetime.strptime(name["written_at"], "%Y-%m-%d-%H-%M-%S")
        assert hour_starts <= written_at < hour_starts + timedelta(hours=1), relative
        compressed = path.read_bytes()[:2] == b"\x1f\x8b"
        assert compressed == bool(name["gzip"]) == (name["folder"] == "agent-events"), relative
        if compressed:
            assert gzip.decompress(path.read_bytes()).startswith(b"{")
        text = unpacked_text(path)
        records = landed.file_records(landing, path)
        assert records and all(r.reason is None and r.line == 1 for r in records), relative
        assert "".join(r.text for r in records) == text  # no delimiter: not a newline, not a comma
        day_starts = datetime.combine(hour_starts.date(), datetime.min.time())
        for record in records:
            # A record arrives when it was last updated; one updated before midnight (a
            # redelivery) or after (a call across midnight) goes with the day's first or last hour.
            arrived = min(max(utc(record.value[ARRIVAL_FIELD[name["folder"]]]).replace(tzinfo=None), day_starts),
                          day_starts + timedelta(days=1, seconds=-1))
            assert hour_starts <= arrived <= written_at, (relative, record.record)
    assert {folder: len(names) for folder, names in streams.items()} == {"contact-records": 1, "agent-events": 1}


def test_zendesk_tickets_and_audits_have_their_documented_shape(landing):
    tickets = landed.records(landing, "crm", "tickets")
    for ticket in tickets:
        assert {"id", "created_at", "updated_at", "status", "priority", "type", "via", "requester_id", "submitter_id",
                "assignee_id", "group_id", "tags", "custom_fields"} <= set(ticket)
        assert ticket["status"] in {"new", "open", "pending", "hold", "solved", "closed"}
        assert ticket["priority"] in {"urgent", "high", "normal", "low"}
        assert ticket["via"]["channel"] in {"email", "web", "chat", "twitter", "facebook"}
        assert ticket["custom_fields"][0]["value"] in {"billing", "technical", "account", "delivery", "returns"}
    statuses = Counter(t["status"] for t in tickets)
    assert all(statuses[s] > 0 for s in ("new", "open", "pending", "hold", "solved", "closed"))
    events = [event for audit in landed.records(landing, "crm", "ticket_audits") for event in audit["events"]]
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
    # A leaver is an end-user too (staff turnover): customers are the users of the customers' range.
    customers = [u for u in landed.records(landing, "crm", "users")
                 if u["role"] == "end-user" and u["id"] >= CUSTOMER_USER_ID_BASE]
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


def test_agent_events_follow_each_call(agent_events, calls):
    """Connect's agent event stream: the agent's whole snapshot after each event. Every answered
    call shows in its agent's snapshots as connected, then ended while the agent wraps up (the
    status stays "Available" during after-contact work); breaks are statuses of the center's own."""
    assert {e["EventType"] for e in agent_events} == {"LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT"}
    snapshots = [e["CurrentAgentSnapshot"] for e in agent_events if e["CurrentAgentSnapshot"]]
    statuses = {snapshot["AgentStatus"]["Name"] for snapshot in snapshots}
    assert {"Available", "Offline"} < statuses, statuses
    answered = {c["ContactId"] for c in calls if c["Agent"] is not None}
    connected = {c["ContactId"] for s in snapshots for c in s["Contacts"] if c["State"] == "CONNECTED"}
    assert connected == answered
    wrapping_up = {c["ContactId"] for s in snapshots if s["AgentStatus"]["Name"] == "Available"
                   for c in s["Contacts"] if c["State"] == "ENDED"}
    # A call answered late on the last day may be wrapped up after it: those events are not landed yet.
    landed_until = datetime.combine(CENTER.end + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    assert wrapping_up == {c["ContactId"] for c in calls if c["Agent"] is not None
                           and utc(c["Agent"]["AfterContactWorkStartTimestamp"]) < landed_until}
    assert len(wrapping_up) > 0.99 * len(answered)


def test_qualtrics_export_carries_its_header_rows_and_the_contact_reference(landing, calls):
    """Qualtrics' download: names, question texts, ImportIds (the dates' zone on the date
    columns); the contact surveyed in the author's embedded data, exactly one per response."""
    tickets = {str(t["id"]) for t in landed.records(landing, "crm", "tickets")}
    contacts = {c["ContactId"] for c in calls}
    rows = []
    for path in landed.export_files(landing, "surveys", "responses.csv"):
        with path.open() as handle:
            file_rows = list(csv.reader(handle))
        assert tuple(file_rows[0]) == QUALTRICS_COLUMNS
        assert file_rows[1][file_rows[0].index("Q1")].startswith("How satisfied")
        import_ids = [json.loads(cell) for cell in file_rows[2]]
        assert import_ids[file_rows[0].index("Q1")] == {"ImportId": "QID1"}
        assert import_ids[file_rows[0].index("RecordedDate")] == {"ImportId": "recordedDate",
                                                                  "timeZone": "America/New_York"}
        rows += [dict(zip(file_rows[0], row)) for row in file_rows[3:]]
    assert rows
    for row in rows:
        assert row["Q1"] in set("12345") and 0 <= int(row["Q2"]) <= 10 and 1 <= int(row["Q3"]) <= 7
        assert bool(row["ticket_id"]) != bool(row["connect_contact_id"])
        assert row["ticket_id"] in tickets | {""} and row["connect_contact_id"] in contacts | {""}
    assert {row["Status"] for row in rows} == {"IP Address", "Survey Preview", "Survey Test"}


def test_distribution_history_is_the_apis_pages_and_links_answered_invitations(landing):
    pages = [json.loads(path.read_text()) for path in sorted(landing.glob("surveys/*/distribution_history*.json"))]
    elements = [element for page in pages for element in page["result"]["elements"]]
    assert pages and all(page["result"]["nextPage"] is None and page["meta"]["httpStatus"] == "200 - OK"
                         for page in pages)
    assert {e["status"] for e in elements} == {"Success", "SurveyFinished"}
    responses = {row["ResponseId"] for path in landed.export_files(landing, "surveys", "responses.csv")
                 for row in list(csv.DictReader(path.open()))[2:] if row["Status"] == "IP Address"}
    assert {e["responseId"] for e in elements if e["status"] == "SurveyFinished"} == responses
    for element in elements:
        assert element["sentAt"].endswith("Z") and element["contactId"].startswith("CID_")


def test_truth_names_every_contact_and_survey(center, calls):
    truth = jsonl(center / "truth", "*/contacts.jsonl")
    assert {c["ContactId"] for c in calls} == {t["contact_ref"] for t in truth if t["system"] == "telephony"}
    assert all(t["is_repeat"] == (t["attempt_no"] > 1) for t in truth)
    surveys = jsonl(center / "truth", "*/surveys.jsonl")
    # A preview or test response (kept out of every KPI) is named beside the survey it was made on.
    assert {s["response_id"] for s in surveys if s["recorded_at"]} | {
        s["preview_response_id"] for s in surveys if s["preview_response_id"]} >= {
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
    shares = repeat_share_by_team(landed.records(simulated_into(tmp_path, config) / "landing", "telephony", "contact_records"))
    assert abs(shares["tier1_west"] - shares["tier1_east"]) < 0.05, shares


def test_monday_emails_wait_longer_for_a_first_reply(landing):
    created = {t["id"]: utc(t["created_at"]) for t in landed.records(landing, "crm", "tickets")
               if t["via"]["channel"] == "email" and t["submitter_id"] == t["requester_id"]}
    first_reply = {}
    for audit in landed.records(landing, "crm", "ticket_audits"):
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
    # Connect spells usernames as the admin typed them (mixed case); identity ignores case.
    cohort = {username.casefold() for username in stories["training_cohort"]}
    trained_on = date.fromisoformat(stories["training_date"])
    talk = defaultdict(list)
    for call in calls:
        if call["Agent"] is not None:
            after = utc(call["InitiationTimestamp"]).date() >= trained_on
            talk[(call["Agent"]["Username"].casefold() in cohort, after)].append(call["Agent"]["AgentInteractionDuration"])
    cohort_ratio = statistics.mean(talk[(True, True)]) / statistics.mean(talk[(True, False)])
    others_ratio = statistics.mean(talk[(False, True)]) / statistics.mean(talk[(False, False)])
    assert cohort_ratio < 0.9 and cohort_ratio < others_ratio - 0.08, (cohort_ratio, others_ratio)


def test_the_holiday_week_is_thinly_staffed_and_callers_give_up(agent_events, stories, calls):
    thin_week = date.fromisoformat(stories["holiday_thin_week_start"])
    agents_per_day = defaultdict(set)
    for event in agent_events:
        agents_per_day[utc(event["EventTimestamp"]).date()].add(event["AgentARN"])
    weekdays = lambda week: [week + timedelta(days=n) for n in range(1, 5)]  # noqa: E731  Tue-Fri
    thin = statistics.mean(len(agents_per_day[d]) for d in weekdays(thin_week))
    usual = statistics.mean(len(agents_per_day[d]) for d in weekdays(thin_week - timedelta(days=7)))
    assert thin < 0.75 * usual, (thin, usual)

    def abandon_share(week: date) -> float:
        queued = [c for c in calls if c["Queue"] and c["InitiationMethod"] == "INBOUND"
                  and week <= utc(c["InitiationTimestamp"]).date() < week + timedelta(days=7)]
        return sum(c["Agent"] is None for c in queued) / len(queued)

    assert abandon_share(thin_week) > abandon_share(thin_week - timedelta(days=7)) + 0.03


def test_a_leavers_unsolved_tickets_pass_to_a_colleague_of_their_team_when_they_leave(center, landing):
    """Staff turnover: a ticket still unsolved when its assignee leaves goes to a colleague of the
    same team at the leave moment (an assignee_id change, the colleague taking it); a solved one
    keeps its assignee, as Zendesk does, until the customer reopens it."""
    agents = jsonl(center / "truth", "agents.jsonl")
    team_of = {a["zendesk_user_id"]: {spell["team_key"] for spell in a["teams"]} for a in agents}
    leavers = [a for a in agents if a["left_on"] and date.fromisoformat(a["left_on"]) <= CENTER.end]
    assert leavers
    by_ticket = defaultdict(list)
    for audit in landed.records(landing, "crm", "ticket_audits"):
        by_ticket[audit["ticket_id"]].append(audit)
    handed_over_at_leave = 0
    for leaver in leavers:
        user_id, left_at = leaver["zendesk_user_id"], utc(leaver["left_at"])
        for audits in by_ticket.values():
            audits.sort(key=lambda a: (a["created_at"], a["id"]))
            status = assignee = None
            for audit in audits:
                at = utc(audit["created_at"])
                assert not (audit["author_id"] == user_id and at >= left_at), audit
                changes = {e["field_name"]: e for e in audit["events"] if e["type"] in ("Create", "Change")}
                handover = changes.get("assignee_id")
                if at >= left_at and assignee == user_id and status not in ("solved", "closed"):
                    # The first thing to happen to it after the leave is the hand-over.
                    assert handover and handover["previous_value"] == user_id, audit
                    assert audit["author_id"] == handover["value"] != user_id
                    assert team_of[handover["value"]] == team_of[user_id]
                    handed_over_at_leave += at < left_at + timedelta(minutes=1)
                status = changes["status"]["value"] if "status" in changes else status
                assignee = handover["value"] if handover else assignee
    assert handed_over_at_leave


# Defects -----------------------------------------------------------------------------------

def test_defects_are_injected_and_listed_with_where_they_are(tmp_path):
    """Each defect of the manifest is in the landed file it names, at the record (and line) it
    names, read as csops reads the file; late records are in a late file of their own."""
    root = simulated_into(tmp_path, replace(SMALL, defects_rate=0.03))
    landing = root / "landing"
    defects = jsonl(root / "truth", "*/defects.jsonl")
    kinds = Counter(d["kind"] for d in defects)
    assert {"duplicate_record", "malformed_json", "missing_required_field", "timestamp_without_zone",
            "late_file"} <= set(kinds)
    delivered_late = 0
    faulted = {(d["file"], d["record"]) for d in defects}  # a neighbour may hold a fault of its own
    for defect in defects:
        assert defect["expected"].startswith(("rejected: ", "handled: ", "blocked: ", "warned: "))
        path = landing / defect["file"]
        if defect["kind"] == "empty_file":
            assert defect["line"] is None and defect["record"] is None
            assert unpacked_text(path) == "" if path.suffix == ".csv" else landed.file_records(landing, path) == []
            continue
        if defect["kind"] == "late_file":
            source = re.search(r"\(from (\S+)\)", defect["detail"])[1]
            assert defect["file"] == late_name(source) != source and (landing / source).is_file()
            if landing_day(defect["file"]) == SMALL.end:
                assert not path.exists()  # the last day's late records arrive with the next day's run
                continue
            delivered_late += 1
        if path.suffix == ".csv":
            lines = unpacked_text(path).splitlines()
            assert defect["line"] <= len(lines), defect
            continue
        records = landed.file_records(landing, path)
        found = records[defect["record"] - 1]
        assert (found.record, found.line) == (defect["record"], defect["line"]), defect
        if defect["kind"] == "malformed_json":
            assert found.reason.startswith("malformed JSON"), found
            # Its neighbours in the Firehose object are whole records still.
            neighbours = records[max(0, found.record - 2):found.record - 1] + records[found.record:found.record + 1]
            assert neighbours and all(n.reason is None or (defect["file"], n.record) in faulted for n in neighbours), defect
            continue
        if defect["kind"] in ("duplicated_key", "non_utf8_bytes"):  # csops's reader rejects these as it reads
            assert found.reason.startswith(defect["expected"].removeprefix("rejected: ")), found
            continue
        assert found.reason is None, found
        if defect["kind"] == "duplicate_record":
            assert records[defect["record"] - 2].value == found.value
    assert delivered_late
