"""Which key pseudonymises customers, whether it may be used on this home, and when it changed.

A keyed hash (csops/identity.py) hides a phone number only while its key is secret: with the
public demo key anyone can hash candidate numbers and find which ``customer_key`` is whose
(issue 15's corpus re-identified 1,376 of 2,068 callers that way). So:

- The key comes from the environment, ``CSOPS_PSEUDONYM_KEY``, and nowhere else. Not a file
  in CSOPS_HOME: the key must not travel with the data it protects (a copied, shared or
  backed-up home would carry its own key), and a secret manager, a CI secret or a systemd
  ``EnvironmentFile`` all hand a process an environment variable; dbt, run by Dagster or by
  hand, inherits it.
- The demo key is accepted only for a simulated home (the simulator writes ``truth/``, which
  no real home has), and is announced. Any other home without a key of its own (unset, blank,
  the demo key, or shorter than :data:`MIN_KEY_LENGTH`) is refused with one message that says
  how to set one.
- Each build records the key's fingerprint (an HMAC of a fixed label under the key: it names
  the key without revealing it, and cannot be hashed back to it) in ``audit.pseudonym_keys``;
  :func:`key_change` says when it differs from the build before, because then every
  ``customer_key`` differs between the two publications and no customer can be followed
  across them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from csops.kernel.identity import DEMO_KEY, KEY_VARIABLE, current_key
from csops.kernel.paths import CsopsHome

# A key an attacker could guess by brute force protects no better than the demo key: 16
# characters of a generated secret (the suggested command gives 43) are far out of reach.
MIN_KEY_LENGTH = 16
FINGERPRINT_LABEL = b"csops pseudonym key fingerprint v1"
FINGERPRINT_LENGTH = 12
HOW_TO_SET = (f"Set {KEY_VARIABLE} to a secret of your own (at least {MIN_KEY_LENGTH} characters), "
              f"for example: export {KEY_VARIABLE}=\"$(python -c 'import secrets; print(secrets.token_urlsafe(32))')\" "
              "and keep it: the same key must be set for every run, or every customer key changes.")


class PseudonymKeyError(RuntimeError):
    """No key fit for this home: csops refuses to load or build until one is set."""


@dataclass(frozen=True)
class KeyStatus:
    fingerprint: str  # names the key, never reveals it
    is_demo_key: bool
    is_refused: bool
    message: str


def key_fingerprint(key: str) -> str:
    """A short, non-reversible id of a key: the same key always gives the same id."""
    return hmac.new(key.encode("utf-8", "surrogatepass"), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[
        :FINGERPRINT_LENGTH]


def is_simulated_home(home: CsopsHome) -> bool:
    """The simulator writes what it planted under ``truth/``; a real home has none."""
    return home.truth.is_dir()


def key_status(home: CsopsHome, environ: Mapping[str, str] | None = None) -> KeyStatus:
    """The key the identity functions will use on ``home``, and whether csops may use it there."""
    key = current_key(environ)
    fingerprint = key_fingerprint(key)
    is_demo_key = key == DEMO_KEY
    if is_demo_key and is_simulated_home(home):
        return KeyStatus(fingerprint, True, False,
                         f"Pseudonymisation: the public demo key (fingerprint {fingerprint}), accepted because "
                         f"{home.root} is a simulated center. Its customer keys can be re-identified by anyone: "
                         "never use it for real data.")
    if is_demo_key:
        return KeyStatus(fingerprint, True, True,
                         f"Refused: {home.root} is not a simulated center and {KEY_VARIABLE} is not set (or holds "
                         "the public demo key), so anyone could re-identify customers by hashing their phone "
                         f"numbers and emails. {HOW_TO_SET}")
    if len(key) < MIN_KEY_LENGTH and not is_simulated_home(home):
        return KeyStatus(fingerprint, False, True,
                         f"Refused: {KEY_VARIABLE} is {len(key)} characters long, short enough to guess. {HOW_TO_SET}")
    return KeyStatus(fingerprint, False, False, f"Pseudonymisation key: fingerprint {fingerprint}.")


def checked_key_status(home: CsopsHome, environ: Mapping[str, str] | None = None) -> KeyStatus:
    """:func:`key_status`, raising :class:`PseudonymKeyError` (with its message) when refused."""
    status = key_status(home, environ)
    if status.is_refused:
        raise PseudonymKeyError(status.message)
    return status


def record_key_fingerprint(con: duckdb.DuckDBPyConnection, run_id: str, status: KeyStatus,
                           recorded_at: datetime | None = None) -> None:
    """Record the key a build hashed with (its fingerprint only); a run records once."""
    con.execute("create schema if not exists audit")
    con.execute("create table if not exists audit.pseudonym_keys (run_id varchar primary key, "
                "recorded_at timestamp not null, key_fingerprint varchar not null, is_demo_key boolean not null)")
    recorded_at = recorded_at or datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("insert or replace into audit.pseudonym_keys values (?, ?, ?, ?)",
                [run_id, recorded_at, status.fingerprint, status.is_demo_key])


def key_change(con: duckdb.DuckDBPyConnection) -> str | None:
    """What changed, when the latest build's key differs from the build before it; else None."""
    exists = con.execute("select count(*) from information_schema.tables "
                         "where table_schema = 'audit' and table_name = 'pseudonym_keys'").fetchone()[0]
    if not exists:
        return None
    latest = con.execute("select run_id, key_fingerprint, is_demo_key from audit.pseudonym_keys "
                         "order by recorded_at desc, run_id desc limit 2").fetchall()
    if len(latest) < 2 or latest[0][1] == latest[1][1]:
        return None
    (run_id, fingerprint, is_demo), (previous_run_id, previous_fingerprint, was_demo) = latest

    def named(fingerprint: str, is_demo: bool) -> str:
        return f"{fingerprint} (the demo key)" if is_demo else fingerprint

    return (f"The pseudonymisation key changed: run {run_id[:8]} used {named(fingerprint, is_demo)}, "
            f"run {previous_run_id[:8]} {named(previous_fingerprint, was_demo)}. Every customer_key differs "
            "from the previous publication (the build hashed all of history again, so this one is consistent in "
            "itself), and a customer cannot be followed from one publication to the other.")
