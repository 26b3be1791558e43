"""The faults one JSON record can get (csops/simulator/defects.py's table says where and why)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from csops.simulator import exports
from csops.simulator.defect_kinds import Fault

# Spellings a vendor might send that csops's channel map does not know, chosen so that no
# trimming or case-folding turns them into a known one.
UNKNOWN_CHANNELS = {
    "via.channel": ("e-mail", "txt-msg", "webform", "live-chat", "fb-messenger", "phone call"),
    "Channel": ("SMS", "VOICE_CALL", "PHONE", "WEBCHAT", "VIDEO"),
}
# Offsets a misconfigured exporter might write (minutes east of UTC), none of them zero.
OFFSET_MINUTES = (-300, -240, -360, -420, -480, -210, 60, 120, 330, 540)
UTC_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z")
# Minutes a conflicting version moves a contact's end later, and an early end precedes its start.
CONFLICT_MINUTES = (1, 30)
EARLY_END_MINUTES = (1, 60)
# An agent username no simulated user has: agents and customers are `first.last.number`.
UNKNOWN_AGENT = "agent.unknown.{}"
# The days a clock reset or a placeholder date puts on a record: the Unix epoch, and far ahead.
IMPLAUSIBLE_YEARS = (1970, 2099)
# A letter a Latin-1 system writes as one byte where UTF-8 has two: the accented letter's
# code point is its Latin-1 byte, carried in the text as the lone surrogate U+DC00 + byte
# (exports.packed writes it as that byte, as csops's reader decodes it).
LATIN1_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ", "c": "ç"}
# Another value a second copy of a key might carry, for keys whose values are a closed set.
OTHER_VALUES = {
    "status": ("new", "open", "pending", "hold", "solved", "closed"),
    "priority": ("low", "normal", "high", "urgent"),
}


@dataclass(frozen=True)
class JsonLinesFile:
    """A JSON export: records one per unit (see csops/simulator/defects.py), and the fields its faults touch."""

    required_fields: tuple[str, ...] = ()
    channel_field: str | None = None  # dotted path
    can_be_empty: bool = False
    # An Amazon Connect contact record: also gets the faults only the checks after the load see.
    contact_record: bool = False
    integer_ids: tuple[str, ...] = ()  # ids written as JSON integers
    nested_timestamps: tuple[str, ...] = ()  # dotted paths to ...Z timestamps inside objects
    durations: tuple[str, ...] = ()  # dotted paths to whole seconds
    string_key: str | None = None  # the record's key, a string


class Usernames:
    """The usernames of the day's users (their emails' local parts, as staging reads them),
    read from the day's users pages only when an ``unknown_agent`` fault needs them."""

    def __init__(self, files: dict[str, list[str]]):
        self._files = files
        self._known: set[str] | None = None

    def unknown(self, rng: random.Random) -> str:
        if self._known is None:
            self._known = set()
            for name, lines in self._files.items():
                if exports.export_of(name) != "users":
                    continue
                for line in lines:
                    try:
                        user = json.loads(line)
                    except ValueError:
                        continue
                    email = user.get("email") if isinstance(user, dict) else None
                    if isinstance(email, str):
                        self._known.add(email.split("@", 1)[0].strip().casefold())
        number = rng.randint(1, 999)
        while UNKNOWN_AGENT.format(number) in self._known:
            number += 1
        return UNKNOWN_AGENT.format(number)


def fault_json_record(rng: random.Random, file_format: JsonLinesFile, line: str, usernames: Usernames,
                      in_firehose_object: bool, can_break: bool) -> Fault:
    """A fault of a kind drawn among those that apply to the record ``line``. Only a Firehose
    object's records can break alone or hold a foreign byte alone: an API page is one HTTP
    response, written whole in UTF-8."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return Fault("duplicate_record", [line, line], "the record again, right after itself", 1, 1, 2)
    timestamps = [k for k, v in record.items() if isinstance(v, str) and UTC_TIMESTAMP.fullmatch(v)]
    found = {
        "duplicate_record": True,
        "malformed_json": can_break,
        "unknown_channel": file_format.channel_field is not None
        and isinstance(_get(record, file_format.channel_field), str),
        "missing_required_field": [f for f in file_format.required_fields if f in record],
        "timestamp_with_offset": timestamps,
        "timestamp_without_zone": timestamps,
        "implausible_timestamp": timestamps,
        "fractional_id": [f for f in file_format.integer_ids if type(record.get(f)) is int],
        # Any scalar key but the first: a record's first key is where a reader finds it starts.
        "duplicated_key": [k for k, v in list(record.items())[1:] if isinstance(v, (str, int, float)) and v != ""],
        "nested_timestamp_without_zone": [p for p in file_format.nested_timestamps
                                          if isinstance(_get(record, p), str) and UTC_TIMESTAMP.fullmatch(_get(record, p))],
        "negative_duration": [p for p in file_format.durations if type(_get(record, p)) is int and _get(record, p) > 0],
        "empty_key": file_format.string_key is not None and bool(record.get(file_format.string_key))
        and isinstance(record[file_format.string_key], str),
        "non_utf8_bytes": in_firehose_object and _accentable(record, file_format.required_fields),
    }
    if file_format.contact_record:
        ends = "DisconnectTimestamp" in timestamps
        found["conflicting_version"] = ends and "ContactId" in record and "LastUpdateTimestamp" in record
        found["ended_before_start"] = ends and "InitiationTimestamp" in timestamps
        found["unknown_agent"] = isinstance(_get(record, "Agent.Username"), str)
    kind = rng.choice([kind for kind, where in found.items() if where])
    where = found[kind]
    field = rng.choice(where) if isinstance(where, list) else None

    if kind == "duplicate_record":
        return Fault(kind, [line, line], "the record again, right after itself", 1, 1, 2)
    if kind == "malformed_json":
        # A proper prefix of a JSON object never parses: its first brace is left open.
        length = len(line.rstrip())
        low, high = max(1, length // 4), max(1, 3 * length // 4)
        # Not right after a ':', ',' or '[': there the next record, following at once, reads as a
        # value of the cut one (``{"a":{"ContactId":...}``), and no reader can tell where it starts.
        cut = rng.choice([cut for cut in range(low, high + 1) if line[cut - 1] not in ":,["] or [low])
        return Fault(kind, [line[:cut]], f"line cut after {cut} of {length} characters")
    if kind == "missing_required_field":
        old = record.pop(field)
        return Fault(kind, [_dumps(record, line)], f'field "{field}" removed (was {json.dumps(old)})')
    if kind == "duplicated_key":
        old = record[field]
        other = _other_value(rng, field, old)
        # Text-level: a dict holds a key once, so the second copy is written after the record's last key.
        text = _dumps(record, line)[:-1] + f",{json.dumps(field)}:{json.dumps(other, ensure_ascii=line.isascii())}}}"
        return Fault(kind, [text], f'key "{field}" written twice: {json.dumps(old)}, then {json.dumps(other)}')
    if kind == "non_utf8_bytes":
        path, at = rng.choice(_accentable(record, file_format.required_fields))
        old = _get(record, path)
        accented = LATIN1_ACCENTS[old[at]]
        byte = chr(0xDC00 + ord(accented))  # Latin-1's byte for the letter, as csops's reader decodes it
        _set(record, path, old[:at] + byte + old[at + 1:])
        text = _dumps(record, line).replace(json.dumps(byte)[1:-1], byte)
        detail = (f'field "{path}" = {json.dumps(old[:at] + accented + old[at + 1:])} written in Latin-1: '
                  f'"{accented}" as the byte 0x{ord(accented):02x} at character {at + 1} (was {json.dumps(old)})')
        return Fault(kind, [text], detail)
    if kind in ("unknown_channel", "nested_timestamp_without_zone", "negative_duration", "empty_key", "unknown_agent",
                "fractional_id"):
        path = {"unknown_channel": file_format.channel_field, "empty_key": file_format.string_key,
                "unknown_agent": "Agent.Username"}.get(kind, field)
        old = _get(record, path)
        if kind == "unknown_channel":
            new = rng.choice(UNKNOWN_CHANNELS[path])
        elif kind == "nested_timestamp_without_zone":
            new = old[:-1]
        elif kind == "negative_duration":
            new = -old
        elif kind == "empty_key":
            new = ""
        elif kind == "unknown_agent":
            new = usernames.unknown(rng)
        else:  # a fraction, or the id in hexadecimal, as a string
            new = float(f"{old}.{rng.randint(1, 9)}") if rng.random() < 0.5 else f"0x{old:x}"
        _set(record, path, new)
        return Fault(kind, [_dumps(record, line)], f'field "{path}" = {json.dumps(new)} (was {json.dumps(old)})')
    if kind == "conflicting_version":
        old = record["DisconnectTimestamp"]
        record["DisconnectTimestamp"] = _shifted(old, rng.randint(*CONFLICT_MINUTES))
        detail = (f'field "DisconnectTimestamp" = {json.dumps(record["DisconnectTimestamp"])} (was {json.dumps(old)}) '
                  f'in a second version of the record with the same ContactId {json.dumps(record["ContactId"])} '
                  f'and LastUpdateTimestamp {json.dumps(record["LastUpdateTimestamp"])}')
        return Fault(kind, [line, _dumps(record, line)], detail, 1, 1, 2)
    if kind == "ended_before_start":
        old, start = record["DisconnectTimestamp"], record["InitiationTimestamp"]
        minutes = rng.randint(*EARLY_END_MINUTES)
        record["DisconnectTimestamp"] = _shifted(start, -minutes)
        detail = (f'field "DisconnectTimestamp" = {json.dumps(record["DisconnectTimestamp"])} (was {json.dumps(old)}), '
                  f'{minutes} minutes before InitiationTimestamp {json.dumps(start)}')
        return Fault(kind, [_dumps(record, line)], detail)
    old = record[field]
    if kind == "timestamp_with_offset":
        record[field] = _with_offset(old, rng.choice(OFFSET_MINUTES))
    elif kind == "timestamp_without_zone":
        record[field] = old[:-1]
    else:
        record[field] = _implausible(old, rng.choice(IMPLAUSIBLE_YEARS))
    return Fault(kind, [_dumps(record, line)], f'field "{field}" = {json.dumps(record[field])} (was {json.dumps(old)})')


def _accentable(record: dict, keep: tuple[str, ...], prefix: str = "") -> list[tuple[str, int]]:
    """(dotted path, character) of every letter a Latin-1 writer would accent, in the record's
    strings (its timestamps and required fields aside, so the record stays findable)."""
    found = []
    for key, value in record.items():
        path = prefix + key
        if isinstance(value, dict):
            found += _accentable(value, keep, path + ".")
        elif isinstance(value, str) and path not in keep and not UTC_TIMESTAMP.fullmatch(value):
            found += [(path, at) for at, letter in enumerate(value) if letter in LATIN1_ACCENTS]
    return found


def _other_value(rng: random.Random, key: str, value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + rng.randint(1, 9)
    if UTC_TIMESTAMP.fullmatch(value):
        return _shifted(value, rng.randint(1, 120))
    others = [other for other in OTHER_VALUES.get(key, ()) if other != value]
    return rng.choice(others) if others else f"{value} (edited)"


def _get(record: dict, path: str):
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _set(record: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        record = record[key]
    record[last] = value


def _dumps(record: dict, original: str) -> str:
    # The simulator writes compact JSON with ASCII escapes; a real export holding raw UTF-8 keeps it.
    return json.dumps(record, separators=(",", ":"), ensure_ascii=original.isascii())


def _parsed(utc_text: str) -> tuple[datetime, re.Match]:
    match = UTC_TIMESTAMP.fullmatch(utc_text)
    return datetime.strptime(f"{match.group(1)}T{match.group(2)}", "%Y-%m-%dT%H:%M:%S"), match


def _with_offset(utc_text: str, minutes: int) -> str:
    """The same instant as ``utc_text`` (``...Z``), written in a zone ``minutes`` east of UTC."""
    moment, match = _parsed(utc_text)
    local = moment + timedelta(minutes=minutes)
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}{match.group(3) or ''}{sign}{hours:02d}:{rest:02d}"


def _shifted(utc_text: str, minutes: int) -> str:
    """``utc_text`` (``...Z``) moved ``minutes`` later (earlier if negative), written the same way."""
    moment, match = _parsed(utc_text)
    moved = moment + timedelta(minutes=minutes)
    return f"{moved.strftime('%Y-%m-%dT%H:%M:%S')}{match.group(3) or ''}Z"


def _implausible(utc_text: str, year: int) -> str:
    """``utc_text`` (``...Z``) at the same time of day on 1970-01-01, or on the same day of ``year``."""
    moment, match = _parsed(utc_text)
    day = "01-01" if year == 1970 else moment.strftime("%m-%d").replace("02-29", "02-28")
    return f"{year}-{day}T{match.group(2)}{match.group(3) or ''}Z"
