"""A customer's identifiers, normalised so systems can be matched, then pseudonymised.

Systems write the same person differently: ``+1 555-010-1234``, ``(555) 010-1234`` and
``15550101234`` are one phone number (E.164 ``+15550101234``, by Google's libphonenumber
rules through the ``phonenumbers`` package); ``JANE@X.COM `` and ``jane@x.com`` one email.
After normalising, each is replaced by a keyed hash (HMAC-SHA256) so that marts can match
a customer across CRM, telephony and surveys without holding who they are. A vendor's own
id of a customer (Zendesk's user id) is hashed too (:func:`crm_user_key`): published, it is
the vendor's handle on the person. The key comes from ``CSOPS_PSEUDONYM_KEY``
(:func:`current_key`); csops/pseudonym_key.py refuses the public demo default for any home
that is not a simulated one, since with it anyone could hash a known number and find it.

Every function here is total: any text (None, empty, garbage) gives a value or None, never
an exception, because dbt calls them on every row and one bad value must not stop the build.
Text that is there but is no number or email gives None, and the staging checks
(csops/orchestration/quality.py) warn with its file and line; a withheld number ("anonymous") is
a real caller with no number, not a mistake, and is not warned about.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from functools import lru_cache

import phonenumbers

DEMO_KEY = "csops-demo-key-change-me"
KEY_VARIABLE = "CSOPS_PSEUDONYM_KEY"
DEFAULT_PHONE_REGION = "US"  # for numbers written without a country code
# What telephony systems write in place of a number the caller withheld (SIP's "anonymous",
# carriers' "restricted"/"private"/"unavailable"), lower-cased: a caller without a number.
WITHHELD_PHONE_MARKERS = ("anonymous", "restricted", "private", "unavailable", "unknown", "withheld")


def is_withheld_phone(text: str | None) -> bool:
    """No number to read: absent, blank, or a withheld-number marker."""
    return not isinstance(text, str) or not text.strip() or text.strip().lower() in WITHHELD_PHONE_MARKERS


def normalised_phone(text: str | None, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """E.164, or None for text that cannot be a phone number."""
    if is_withheld_phone(text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalised_email(text: str | None) -> str | None:
    """Trimmed and lower-cased, or None for text that is not ``local@domain`` (blank, "n/a", "@")."""
    if not isinstance(text, str):
        return None
    email = text.strip().lower()
    local, _, domain = email.rpartition("@")
    if not local or not domain or any(character.isspace() for character in email):
        return None
    return email


def current_key(environ: Mapping[str, str] | None = None) -> str:
    """The pseudonymisation key: ``CSOPS_PSEUDONYM_KEY``, or the demo key when it is unset or
    blank (an empty key would be as public as the demo one; csops/pseudonym_key.py decides
    where the demo key may be used)."""
    key = (os.environ if environ is None else environ).get(KEY_VARIABLE, "")
    return key if key.strip() else DEMO_KEY


def pseudonym(value: str | None) -> str | None:
    """A keyed hash of an identifier: the same for the same value and key, useless without the key."""
    if value is None:
        return None
    key = current_key().encode("utf-8", "surrogatepass")
    # surrogatepass: a lone surrogate (which no export should hold) hashes rather than raises.
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def phone_key(text: str | None) -> str | None:
    return _phone_key(text, current_key())


def email_key(text: str | None) -> str | None:
    return _email_key(text, current_key())


def crm_user_key(crm_user_id: str | int | None) -> str | None:
    """The keyed hash of a Zendesk user id. The id is labelled (``crm_user_id:<id>``) before
    hashing, so it can never hash like a phone number or email that happens to read the same;
    surrounding spaces are no part of an id."""
    if crm_user_id is None:
        return None
    text = str(crm_user_id).strip()
    return _crm_user_key(text, current_key()) if text else None


# A customer's number and email come back on every contact and every daily export: parsing
# and hashing each distinct one once (keyed by the key, so a changed key is never served a
# stale hash) takes staging from a minute to seconds on a large center.
@lru_cache(maxsize=1 << 20)
def _phone_key(text: str | None, key: str) -> str | None:
    return pseudonym(normalised_phone(text))


@lru_cache(maxsize=1 << 20)
def _email_key(text: str | None, key: str) -> str | None:
    return pseudonym(normalised_email(text))


@lru_cache(maxsize=1 << 20)
def _crm_user_key(text: str, key: str) -> str | None:
    return pseudonym("crm_user_id:" + text)
