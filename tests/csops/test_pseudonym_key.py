"""The pseudonymisation key: the demo key only for a simulated center and said so, no key no
load elsewhere, its fingerprint recorded with each build and a change of key announced."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from csops.kernel.identity import DEMO_KEY, KEY_VARIABLE, phone_key
from csops.kernel.paths import CsopsHome
from csops.kernel.pseudonym_key import (MIN_KEY_LENGTH, PseudonymKeyError, checked_key_status, key_change,
                                 key_fingerprint, key_status, record_key_fingerprint)

OWN_KEY = "kV3x9-our-own-secret-of-some-length"


@pytest.fixture
def real_home(tmp_path) -> CsopsHome:
    (tmp_path / "landing").mkdir()
    return CsopsHome(tmp_path)


@pytest.fixture
def simulated_home(tmp_path) -> CsopsHome:
    (tmp_path / "truth").mkdir()  # what `csops simulate` writes
    return CsopsHome(tmp_path)


def test_a_simulated_center_uses_the_demo_key_and_says_so(simulated_home):
    status = key_status(simulated_home, {})
    assert status.is_demo_key and not status.is_refused
    assert "demo key" in status.message and status.fingerprint in status.message
    assert DEMO_KEY not in status.message


@pytest.mark.parametrize("environ", [{}, {KEY_VARIABLE: ""}, {KEY_VARIABLE: "   "}, {KEY_VARIABLE: DEMO_KEY}],
                         ids=["unset", "empty", "blank", "the demo key"])
def test_a_real_home_without_a_key_of_its_own_is_refused_with_how_to_set_one(real_home, environ):
    status = key_status(real_home, environ)
    assert status.is_refused and status.is_demo_key
    assert f"export {KEY_VARIABLE}=" in status.message and "secrets.token_urlsafe" in status.message
    with pytest.raises(PseudonymKeyError, match=KEY_VARIABLE):
        checked_key_status(real_home, environ)


def test_a_short_key_is_refused_for_real_data(real_home):
    short = "x" * (MIN_KEY_LENGTH - 1)
    status = key_status(real_home, {KEY_VARIABLE: short})
    assert status.is_refused and not status.is_demo_key and f"{MIN_KEY_LENGTH - 1} characters" in status.message
    assert not key_status(real_home, {KEY_VARIABLE: "x" * MIN_KEY_LENGTH}).is_refused


def test_a_real_home_with_its_own_key_is_accepted_and_the_key_never_shown(real_home):
    status = checked_key_status(real_home, {KEY_VARIABLE: OWN_KEY})
    assert not status.is_refused and not status.is_demo_key
    assert OWN_KEY not in status.message and status.fingerprint in status.message


def test_the_fingerprint_names_the_key_without_being_any_of_its_hashes(monkeypatch):
    fingerprint = key_fingerprint(OWN_KEY)
    assert fingerprint == key_fingerprint(OWN_KEY) and fingerprint != key_fingerprint(OWN_KEY + "!")
    assert len(fingerprint) == 12 and OWN_KEY[:6] not in fingerprint
    # Not the hash of any identifier under the key: publishing it gives nothing to match.
    monkeypatch.setenv(KEY_VARIABLE, OWN_KEY)
    assert not phone_key("+15550101234").startswith(fingerprint)


def test_the_identity_functions_hash_with_the_key_whose_fingerprint_is_recorded(monkeypatch, simulated_home):
    monkeypatch.setenv(KEY_VARIABLE, OWN_KEY)
    own = phone_key("+15550101234"), key_status(simulated_home).fingerprint
    monkeypatch.delenv(KEY_VARIABLE)
    demo = phone_key("+15550101234"), key_status(simulated_home).fingerprint
    assert own[0] != demo[0] and own[1] != demo[1] and demo[1] == key_fingerprint(DEMO_KEY)


def test_a_change_of_key_between_builds_is_announced_once(real_home):
    con = duckdb.connect()
    assert key_change(con) is None  # no build recorded yet
    own = key_status(real_home, {KEY_VARIABLE: OWN_KEY})
    other = key_status(real_home, {KEY_VARIABLE: OWN_KEY[::-1]})
    record_key_fingerprint(con, "run-aaaaaaaa", own, datetime(2026, 3, 2, 6))
    assert key_change(con) is None  # a first build changes nothing
    record_key_fingerprint(con, "run-bbbbbbbb", own, datetime(2026, 3, 3, 6))
    assert key_change(con) is None
    record_key_fingerprint(con, "run-cccccccc", other, datetime(2026, 3, 4, 6))
    message = key_change(con)
    assert message is not None and own.fingerprint in message and other.fingerprint in message
    assert "Every customer_key differs" in message and OWN_KEY not in message
    record_key_fingerprint(con, "run-dddddddd", other, datetime(2026, 3, 5, 6))
    assert key_change(con) is None


def test_a_run_records_its_key_once_and_the_table_holds_no_key(real_home):
    con = duckdb.connect()
    status = key_status(real_home, {KEY_VARIABLE: OWN_KEY})
    record_key_fingerprint(con, "run-1", status, datetime(2026, 3, 2, 6))
    record_key_fingerprint(con, "run-1", status, datetime(2026, 3, 2, 7))
    rows = con.execute("select * from audit.pseudonym_keys").fetchall()
    assert rows == [("run-1", datetime(2026, 3, 2, 7), status.fingerprint, False)]
    assert OWN_KEY not in repr(rows)


def test_a_switch_from_the_demo_key_names_it(simulated_home, real_home):
    con = duckdb.connect()
    record_key_fingerprint(con, "run-demo0000", key_status(simulated_home, {}), datetime(2026, 3, 2))
    record_key_fingerprint(con, "run-own00000", key_status(real_home, {KEY_VARIABLE: OWN_KEY}), datetime(2026, 3, 3))
    assert "(the demo key)" in key_change(con)


def test_the_app_can_tell_a_publication_hashed_with_the_demo_key_or_a_new_key(tmp_path):
    from csops.app.data import quality
    from csops.kernel.publication import Publication

    path = tmp_path / "publication.duckdb"
    (tmp_path / "truth").mkdir()
    with duckdb.connect(str(path)) as con:
        record_key_fingerprint(con, "run-1", key_status(CsopsHome(tmp_path), {}), datetime(2026, 3, 2))
        record_key_fingerprint(con, "run-2", key_status(CsopsHome(tmp_path), {}), datetime(2026, 3, 3))
        record_key_fingerprint(con, "run-3", key_status(CsopsHome(tmp_path), {"CSOPS_PSEUDONYM_KEY": "k" * 20}),
                               datetime(2026, 3, 4))

    def published(run_id: str) -> Publication:
        return Publication(path=path, run_id=run_id, published_at="", as_of=None, tables=(),
                           audit_tables=("pseudonym_keys",))

    assert quality.pseudonym_key(published("run-2"))["is_demo_key"] is True
    assert quality.pseudonym_key(published("run-2"))["is_key_changed"] is False
    assert quality.pseudonym_key(published("run-3")) == {
        "key_fingerprint": key_status(CsopsHome(tmp_path), {"CSOPS_PSEUDONYM_KEY": "k" * 20}).fingerprint,
        "is_demo_key": False, "is_key_changed": True}
    assert quality.pseudonym_key(Publication(path=path, run_id="run-3", published_at="", as_of=None,
                                             tables=())) is None
