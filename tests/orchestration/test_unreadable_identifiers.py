"""Issue 13: one caller number ``phonenumbers`` could not read stopped the whole build.

A real run on a small simulated center whose landed exports carry, as real ones do, a caller
number no library can read (``+190011112222``), a withheld one (``anonymous``) and a customer
email that is no email (``n/a``). The run publishes; those rows are staged with no key; the
staging checks warn, naming the file and line of each unreadable value (never the value), and
say nothing of the withheld number.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import duckdb
import pytest

from csops.kernel.paths import CsopsHome
from tests.real_deliveries import Delivered

UNREADABLE_NUMBER = "+190011112222"
CUSTOMER_ADDRESS = re.compile(rb'"CustomerEndpoint":\{"Address":"(\+1555\d+)"')
CUSTOMER_EMAIL = re.compile(rb'"email":"([a-z.0-9]+@mail\.example\.org)"', re.IGNORECASE)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _write_like(path: Path, text: bytes) -> None:
    """Write back as it came (gzip or plain): the landed file changes only where we say."""
    path.write_bytes(gzip.compress(text, mtime=0) if path.read_bytes()[:2] == b"\x1f\x8b" else text)


def _replace_everywhere(folder: Path, old: bytes, new: bytes) -> list[str]:
    """Replace a value in every landed file of a source (a record can be delivered again)."""
    changed = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _read(path)
        if old in text:
            _write_like(path, text.replace(old, new))
            changed.append(path.relative_to(folder.parent).as_posix())
    return changed


def _first_match(folder: Path, pattern: re.Pattern, skip: set[bytes] = frozenset()) -> bytes:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for match in pattern.finditer(_read(path)):
            if match.group(1) not in skip:
                return match.group(1)
    raise AssertionError(f"no value matching {pattern.pattern!r} under {folder}")


EDITED: dict[str, list[str]] = {}  # which landed files each edit changed


def land_unreadable_identifiers(landing: Path, username: str) -> None:
    """Edit the simulated center's landed exports as real ones read: a caller number no library
    reads, a withheld one, a customer email that is no email."""
    unreadable = _first_match(landing / "telephony", CUSTOMER_ADDRESS)
    withheld = _first_match(landing / "telephony", CUSTOMER_ADDRESS, skip={unreadable})
    email = _first_match(landing / "crm", CUSTOMER_EMAIL)
    EDITED.update({
        "phone": _replace_everywhere(landing / "telephony", b'"Address":"' + unreadable + b'"',
                                     b'"Address":"' + UNREADABLE_NUMBER.encode() + b'"'),
        "withheld": _replace_everywhere(landing / "telephony", b'"Address":"' + withheld + b'"',
                                        b'"Address":"anonymous"'),
        "email": _replace_everywhere(landing / "crm", b'"email":"' + email + b'"', b'"email":"n/a"'),
    })


@pytest.fixture(scope="module")
def run(delivered: Delivered):
    """The shared run of real-shaped deliveries (tests/orchestration/conftest.py), which lands these edits too."""
    assert all(EDITED.values()), EDITED
    return delivered.home, delivered.exit_code, delivered.output, EDITED


def _warning(home: CsopsHome, asset: str, column: str) -> tuple[bool, str, str]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute("""
            select is_passed, severity, observed from audit.quality_results
            where check_source = 'great_expectations' and asset = ?
                and check_name = 'expect_column_values_to_be_null(' || ? || ')'
        """, [asset, column]).fetchone()


def test_the_run_publishes_despite_unreadable_identifiers(run):
    _, exit_code, output, _ = run
    assert exit_code == 0, output
    assert "Published for the app" in output


def _staged_without_key(home: CsopsHome, address: str) -> tuple[int, int]:
    """Staged contact records whose delivered caller address is ``address``: how many, how many with a key."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute("""
            select count(distinct staged.contact_record_id), count(distinct staged.customer_phone_key)
            from staging.stg_telephony__contact_records as staged
            inner join raw.telephony_contact_records as raw on raw.ContactId = staged.contact_record_id
            where json_extract_string(raw.CustomerEndpoint, '$.Address') = ?
        """, [address]).fetchone()


def test_an_unreadable_caller_number_warns_with_its_file_and_line(run):
    home, _, _, edited = run
    is_passed, severity, observed = _warning(home, "staging.stg_telephony__contact_records", "unreadable_customer_phone")
    assert (is_passed, severity) == (False, "warn")
    assert any(re.search(re.escape(name) + r":\d+", observed) for name in edited["phone"]), observed
    assert UNREADABLE_NUMBER not in observed  # a position, never the customer's number
    records, keys = _staged_without_key(home, UNREADABLE_NUMBER)
    assert records >= 1 and keys == 0  # staged, without a key
    assert observed.startswith(f"{records} of "), observed  # every such record, and nothing else


def test_a_withheld_number_is_a_caller_without_a_number_not_a_warning(run):
    home, _, _, _ = run
    _, _, observed = _warning(home, "staging.stg_telephony__contact_records", "unreadable_customer_phone")
    withheld_records, withheld_keys = _staged_without_key(home, "anonymous")
    unreadable_records, _ = _staged_without_key(home, UNREADABLE_NUMBER)
    assert withheld_records >= 1 and withheld_keys == 0
    assert observed.startswith(f"{unreadable_records} of "), observed  # the withheld ones are not counted


def test_an_email_that_is_no_email_warns_with_its_file_and_line(run):
    home, _, _, edited = run
    is_passed, severity, observed = _warning(home, "staging.stg_crm__users", "unreadable_email")
    assert (is_passed, severity) == (False, "warn")
    assert any(re.search(re.escape(name) + r":\d+", observed) for name in edited["email"]), observed
