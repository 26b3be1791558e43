"""Customer identifiers: normalised so systems match, then pseudonymised with a keyed hash."""

from __future__ import annotations

from csops.kernel.identity import DEMO_KEY, crm_user_key, current_key, email_key, normalised_phone, phone_key, pseudonym


def test_the_ways_systems_write_a_phone_number_are_one_number():
    spellings = ("+1 555-010-1234", "(555) 010-1234", "15550101234", "+15550101234", " 555.010.1234 ")
    assert {normalised_phone(text) for text in spellings} == {"+15550101234"}
    assert len({phone_key(text) for text in spellings}) == 1


def test_what_cannot_be_a_phone_number_matches_nothing():
    assert normalised_phone("call me") is None and normalised_phone("") is None and normalised_phone(None) is None
    assert phone_key("12") is None


def test_emails_match_whatever_their_case_and_spaces():
    assert email_key(" JANE.DOE@Mail.Example.org ") == email_key("jane.doe@mail.example.org")
    assert email_key("not an email") is None


def test_the_hash_depends_on_the_key(monkeypatch):
    demo = pseudonym("+15550101234")
    monkeypatch.setenv("CSOPS_PSEUDONYM_KEY", "another key")
    assert pseudonym("+15550101234") != demo
    assert len(demo) == 32 and "555" not in demo


def test_a_zendesk_user_id_is_published_only_as_its_keyed_hash(monkeypatch):
    monkeypatch.delenv("CSOPS_PSEUDONYM_KEY", raising=False)
    key = crm_user_key("1004452")
    assert key == crm_user_key(1004452) == crm_user_key(" 1004452 ") and "1004452" not in key
    assert key != crm_user_key("1004453") and len(key) == 32
    # Labelled before hashing: the id never hashes like an identifier that reads the same.
    assert key != pseudonym("1004452") and crm_user_key(None) is None and crm_user_key("  ") is None
    monkeypatch.setenv("CSOPS_PSEUDONYM_KEY", "another key of enough length")
    assert crm_user_key("1004452") != key


def test_a_blank_key_is_no_key_and_never_hashes_as_an_empty_one(monkeypatch):
    monkeypatch.setenv("CSOPS_PSEUDONYM_KEY", "  ")
    assert current_key() == DEMO_KEY
    blank = phone_key("+15550101234")
    monkeypatch.delenv("CSOPS_PSEUDONYM_KEY")
    assert phone_key("+15550101234") == blank
