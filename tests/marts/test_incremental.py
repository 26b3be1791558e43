"""The incremental models: a new day adds only what is new, and gives what a full rebuild gives.
And history stays as it was when a new day brings a change of staff (issue 14).

One center, built three times: through its first week (03-02..03-08), again with one more day
landed (03-09), then rebuilt from scratch. On 03-09 one of its billing agents leaves:
Zendesk's users export shows them as an end-user from then on.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass

import duckdb
import pytest

from csops import cli
from tests.conftest import restored_environment

INCREMENTAL = {"int_ticket_audit_events": "intermediate", "int_survey_comments_scored": "intermediate"}
DOWNSTREAM = {"fct_ticket_slas": "marts", "feedback_themes_weekly": "marts"}
# Seed 5 with 8 agents plants one leaver, a billing agent, on Monday 2026-03-09.
CENTER = ["--agents", "8", "--start", "2026-03-02", "--seed", "5"]
FIRST_DAYS, MORE_DAYS = 7, 8

# Who handled each call, and who is credited with each first response completed, with the team.
SETTLED_CREDITS = """
    select 'call ' || contact_id, agent_id, team_key
    from marts.fct_contacts where source_system = 'telephony' and is_handled
    union all
    select 'first response ' || ticket_id, credited_agent_id, credited_team_key
    from marts.fct_ticket_slas where sla_kind = 'first_response' and is_completed
"""


def csops(*args: str) -> str:
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        assert cli.main(list(args)) == 0, output.getvalue()
    return output.getvalue()


def digests(con) -> dict[str, tuple]:
    return {table: con.execute(f"select count(*), sum(hash(columns(* exclude (as_of_at)))) from {schema}.{table}"
                               if table == "fct_ticket_slas" else
                               f"select count(*), sum(hash(columns(*))) from {schema}.{table}").fetchone()
            for table, schema in {**INCREMENTAL, **DOWNSTREAM}.items()}


@dataclass(frozen=True)
class Build:
    digests: dict[str, tuple]
    credits: dict[str, tuple]  # SETTLED_CREDITS: what -> (agent_id, team_key)
    leaver: tuple | None  # (agent_id, is_current_agent) of the leaver, from dim_agents


def built(warehouse, leaver_username: str) -> Build:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return Build(
            digests(con),
            {what: (agent, team) for what, agent, team in con.execute(SETTLED_CREDITS).fetchall()},
            con.execute("select agent_id, is_current_agent from marts.dim_agents where agent_username = ?",
                        [leaver_username]).fetchone(),
        )


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Build, Build, Build, str]:
    home_path = tmp_path_factory.mktemp("incremental")
    home = ["--home", str(home_path)]
    csops(*home, "simulate", *CENTER, "--days", str(FIRST_DAYS))
    leavers = json.loads((home_path / "truth" / "stories.json").read_text())["leavers"]
    assert [leaver["left_on"] for leaver in leavers] == ["2026-03-09"], leavers
    username = leavers[0]["agent"]
    csops(*home, "run")
    first = built(home_path / "warehouse.duckdb", username)
    csops(*home, "simulate", *CENTER, "--days", str(MORE_DAYS))  # a new day lands
    csops(*home, "run")
    incremental = built(home_path / "warehouse.duckdb", username)
    csops(*home, "run", "--full-refresh")
    full = built(home_path / "warehouse.duckdb", username)
    return first, incremental, full, username


def test_a_new_day_builds_incrementally_to_what_a_full_refresh_builds(builds):
    first, incremental, full, _ = builds
    assert all(incremental.digests[table][0] > first.digests[table][0] for table in INCREMENTAL)  # it grew
    assert {t: full.digests[t] for t in full.digests if full.digests[t] != incremental.digests[t]} == {}, \
        {t: incremental.digests[t] for t in full.digests if full.digests[t] != incremental.digests[t]}


def test_a_leavers_past_stays_theirs_and_their_teams_when_they_leave(builds):
    """KPI_DEFINITIONS.md sections 2 and 5: a reply is credited to the agent who wrote it, in the
    team they were in that day. Every call handled and every first response completed in the
    first week keeps its agent and team once the agent has left."""
    first, incremental, full, username = builds
    leaver_id, is_current = first.leaver
    assert is_current
    assert incremental.leaver == full.leaver == (leaver_id, False)
    theirs = {what for what, (agent, _) in first.credits.items() if agent == leaver_id}
    assert any(what.startswith("call") for what in theirs) and any(what.startswith("first") for what in theirs)
    for later in (incremental, full):
        changed = {what: (before, later.credits.get(what)) for what, before in first.credits.items()
                   if later.credits.get(what) != before}
        assert changed == {}, f"{len(changed)} settled credits moved, e.g. {list(changed.items())[:3]}"
