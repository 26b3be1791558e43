"""What a customer typed, with their contact details taken out, before csops keeps or shows it.

One function, :func:`redact`, for every place a customer's text can surface: a survey comment
published in a mart (dbt's ``csops_redact``, csops/dbt_functions.py), a rejected row's reason
in the audit trail, a value the app shows. Total: any text (None included) gives text or None,
never an exception.

Phone numbers are found by Google's libphonenumber (``phonenumbers.PhoneNumberMatcher``, the
library csops already normalises numbers with), at its most lenient (``POSSIBLE``: the length
fits somewhere) and in each of :data:`PHONE_REGIONS` in turn, because a comment's number may
be written the way any country writes it (``06 12 34 56 78``, ``0049 30 1234567``,
``555/867/5309``). Lenient matching also finds dates, times, amounts and order numbers, so a
match is kept only when it has :data:`MIN_PHONE_DIGITS` digits or more, is no date and no
amount, and, written as one bare run of digits, has at least :data:`MIN_BARE_PHONE_DIGITS`
(a shorter bare run is an order or account number: the mart replaces every run of 6 or more
digits by ``[number]``). A stretch of digits and separators that holds a number is replaced
whole (numbers listed one after another, a date written right beside one): we lean towards
redacting, since a phone number must not stay.

Emails: no maintained library finds addresses in free text (email-validator checks one
address), so a pattern, Unicode-aware: letters of any script on both sides (``josé@exämple.fr``,
``用户@例子.广告``), the full-width at sign and the dots IDNA treats as dots (``。．｡``).
Not found: addresses spelled out (``jane at example dot com``) and names.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# The default region first (numbers without a country code are read as North American, as in
# csops/identity.py), then the countries whose national formats our centers' customers write.
PHONE_REGIONS = ("US", "GB", "FR", "DE", "ES", "IT", "NL", "BE", "CH", "AT", "IE", "PT", "PL", "SE",
                 "MX", "BR", "AU", "IN", "JP", "CN")
MIN_PHONE_DIGITS = 7  # the shortest subscriber number with its area code: 555-0101
WINDOW_CHARACTERS = 48  # twice the longest way of writing one number (+44 (0) 20 7946 0958 ext 12)
MIN_BARE_PHONE_DIGITS = 10  # 4155550101; a bare 7-9 digit run is more often an order number

_LABEL = r"[\w-]+"
_ATOM = r"[\w.!#$%&*+/=?^`{|}~-]+"
# An apostrophe only inside the local part (o'brien@...): around an address it is a quote.
# The look-behind starts an address only where a run of its characters starts: without it, a
# long word with no @ is scanned again from each of its letters (100,000 letters took minutes).
EMAIL = re.compile(rf"(?<![\w.!#$%&*+/=?^`{{|}}~-]){_ATOM}(?:'{_ATOM})*[@＠]{_LABEL}(?:[.．。｡]{_LABEL})+")
# What lenient matching also finds, and is no phone number: an ISO or day-month date (with
# or without a time), an amount with grouped thousands or cents.
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}(?::\d{2}){0,2})?"
                   r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
                   r"|(?:19|20)\d{2} \d{1,2} \d{1,2}|\d{1,2} \d{1,2} (?:19|20)\d{2}")
# A decimal with one or two places (an amount, or a fraction such as an id exported as a
# float, 900006.6) is no phone: no numbering plan writes a number with a decimal point there.
_AMOUNT = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d{1,2}")
_DIGITS = re.compile(r"\d")
# A stretch that could hold a phone number: digits and what numbers are written with between
# them (spaces, dots, slashes, dashes, brackets), with a leading + or bracket.
_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\/-]*\d\)?")


def _is_phone(candidate: str) -> bool:
    digits = len(_DIGITS.findall(candidate))
    if digits < MIN_PHONE_DIGITS:
        return False
    if candidate.isdigit() and digits < MIN_BARE_PHONE_DIGITS:
        return False
    return not (_DATE.fullmatch(candidate) or (_AMOUNT.fullmatch(candidate) and not candidate.startswith("+")))


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds phone numbers, as (start, end) spans: each stretch of digits and
    separators (no word between) that holds one, whole. Digits left beside a number in the same
    stretch are most likely part of it, written in groups the matcher read otherwise (or a list
    of numbers), so none of them is left behind.

    The matcher reads only these stretches (a comment is mostly words, and twenty regions over
    all of it took 25 ms a comment)."""
    return [candidate.span() for candidate in _CANDIDATE.finditer(text)
            if any(_holds_phone(window) for window in _windows(candidate.group()))]


def _windows(candidate: str) -> list[str]:
    """A long stretch (numbers listed one after another) as overlapping windows cut between
    groups, each number whole in one of them: the matcher gives up on a long text after a few
    tries (and takes seconds to)."""
    if len(candidate) <= WINDOW_CHARACTERS:
        return [candidate]
    windows, start = [], 0
    while start + WINDOW_CHARACTERS < len(candidate):
        end = start + WINDOW_CHARACTERS
        cut = candidate.rfind(" ", start + WINDOW_CHARACTERS // 2, end)
        windows.append(candidate[start:cut if cut > 0 else end])
        # The next window starts half a window on, at the start of a group.
        step = candidate.find(" ", start + WINDOW_CHARACTERS // 2, end)
        start = step + 1 if step > 0 else start + WINDOW_CHARACTERS // 2
    return [*windows, candidate[start:]]


@lru_cache(maxsize=1 << 16)
def _holds_phone(candidate: str) -> bool:
    # A stretch too short, or a bare run, date or amount as a whole, holds no phone number.
    if not _is_phone(candidate):
        return False
    return any(_is_phone(match.raw_string)
               for region in PHONE_REGIONS
               for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.POSSIBLE))


def redact(text: str | None) -> str | None:
    """``text`` with emails as ``[email]`` and phone numbers as ``[phone]``."""
    if not isinstance(text, str):
        return text
    try:
        text = EMAIL.sub("[email]", text)  # first: an address can hold digits
        for start, end in reversed(phone_spans(text)):
            text = text[:start] + "[phone]" + text[end:]
    except Exception:  # noqa: BLE001 - total: a library's surprise must not stop a build; say so loudly instead
        return "[redaction failed]"
    return text
