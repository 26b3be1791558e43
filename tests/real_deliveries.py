"""One simulated center with deliveries in the vendors' real shapes landed beside it, run once
for the tests that check how csops reads them (tests/orchestration/test_real_exports.py,
test_agent_event_stream.py): each test module lands its own, the run is shared."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from csops import cli
from csops.kernel.paths import CsopsHome
from tests.conftest import restored_environment

START, DAYS = "2026-03-02", 6


@dataclass(frozen=True)
class Delivered:
    home: CsopsHome
    exit_code: int
    output: str
    agent_username: str  # the simulated center's first agent, as the CRM spells it (lower case)


def land(landing: Path, relative: str, data: bytes | str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def deliver(root: Path, landers: list[Callable[[Path, str], None]]) -> Delivered:
    """Simulate a small center, let each lander put its deliveries under landing/ (given the
    landing folder and the first agent's username), then `csops run` once."""
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        assert cli.main(["--home", str(root), "simulate", "--agents", "6", "--days", str(DAYS),
                         "--start", START, "--seed", "3"]) == 0
    home = CsopsHome(root)
    username = json.loads((home.root / "truth" / "stories.json").read_text())["agents"][0]["username"]
    for lander in landers:
        lander(home.landing, username)
    with restored_environment(), contextlib.redirect_stdout(output):
        exit_code = cli.main(["--home", str(root), "run"])
    return Delivered(home, exit_code, output.getvalue(), username)


def query(delivered: Delivered, sql: str) -> list[tuple]:
    with duckdb.connect(str(delivered.home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()
