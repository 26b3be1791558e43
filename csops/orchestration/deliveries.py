"""What lands under ``landing/<source>/``, read as the vendors and the field's extractors deliver it.

No reshaping by the user: a file is recognised by what it holds, not by its name.

- **Where**: any file at any depth under a source's folder. Its landing day (the partition)
  comes from its path: a ``YYYY-MM-DD`` folder (``crm/2026-01-05/...``), the UTC prefix
  Kinesis Data Firehose writes to S3 (``telephony/ctr/2026/01/05/14/<object>``), or a
  Hive-style prefix (``dt=2026-01-05/``, ``year=2026/month=01/day=05/``).
- **How it is packed**: gzip (Firehose ``GZIP``, ``.json.gz`` downloads) and ZIP (Firehose
  ``ZIP``, Qualtrics' export download) are opened by their first bytes, never by their name.
- **How records follow each other**: one JSON object per line, objects concatenated with no
  delimiter (``}{``, Firehose's default), pretty-printed objects, a JSON array, or an API page
  or connector envelope:
  - Zendesk API pages: ``{"tickets": [...], "after_cursor": ..., "end_of_stream": ...}``,
    ``{"audits": [...], "meta": ..., "links": ...}``, ``{"users": [...]}``, ...
  - Airbyte records ``{"stream", "data", "emitted_at"}`` (also inside a ``{"type": "RECORD",
    "record": {...}}`` protocol message, and ``_airbyte_data`` in destination files);
  - Singer messages ``{"type": "RECORD", "stream", "record"}`` (SCHEMA and STATE messages are
    the tap's bookkeeping, not rows);
  - dlt's JSON lines: nested fields flattened as ``via__channel``, which are folded back, and
    ``_dlt_*`` columns; its table is the folder (``tickets/<load_id>.<file_id>.jsonl``);
  - Qualtrics API pages ``{"result": {"elements": [...], "nextPage": ...}, "meta": ...}``.

Each record comes out as a :class:`JsonRecord` with the line it starts on and its ordinal in
the file (so an auditor finds it in a concatenated object, where every record is on line 1),
the stream its envelope or file names, and, when it cannot be used, the reason. A broken record
never takes its neighbours with it: the reader finds where the next record starts. Two kinds of
record parse and are still unusable, and only the reader can see them: one holding bytes that
are not UTF-8, and one with a key written twice (readers disagree on which value wins: DuckDB
keeps the first, orjson and Python the last).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from csops.orchestration.files import holds_surrogates, undecodable_reason, unpacked_text, valid_text
from csops.orchestration.repeated_keys import duplicated_key_reason, repeated_keys, with_repeated_keys

# Keys of an API page that are the page's own bookkeeping, never a record's.
_PAGE_KEYS = frozenset({
    "after_cursor", "after_url", "before_cursor", "before_url", "end_of_stream", "end_time", "next_page",
    "previous_page", "count", "meta", "links", "nextPage",
})
# Zendesk's single-resource responses ({"ticket": {...}}) name the stream in the singular.
_SINGULAR = {"ticket": "tickets", "audit": "audits", "user": "users", "group": "groups",
             "group_membership": "group_memberships"}
_SINGER_BOOKKEEPING = frozenset({"SCHEMA", "STATE", "ACTIVATE_VERSION", "BATCH"})
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class JsonRecord:
    line: int  # the line (1-based, in the unpacked file) the record starts on
    ordinal: int  # the record's place in the file, 1-based
    text: str  # the record as JSON text, or the fragment that could not be read
    stream: str | None  # the stream or entity the envelope or the file names
    reason: str | None = None  # why the record cannot be used; None when it can
    value: dict | None = None  # the record, parsed (not kept: for routing it without parsing again)


def looks_like_json(text: str) -> bool:
    head = text.lstrip()[:1]
    return head in ("{", "[")


def read_json_records(path: Path, stream_hint: str | None = None, text: str | None = None) -> Iterator[JsonRecord]:
    """Every record of a JSON file as delivered (see the module's docstring); ``text`` is the
    file already unpacked, when the caller has it."""
    text = unpacked_text(path) if text is None else text
    foreign = holds_surrogates(text)  # only then is each record searched for bytes that are not UTF-8
    ordinal = 0
    for line, value, fragment, reason, keys_repeat in _documents(text):
        if reason is not None:
            ordinal += 1
            # A broken record with foreign bytes: the bytes are the likelier cause, and what to fix.
            reason = (undecodable_reason(fragment) if foreign else None) or reason
            yield JsonRecord(line, ordinal, valid_text(fragment), stream_hint, reason)
            continue
        records = list(_unwrap(value, stream_hint))
        if keys_repeat:
            # A key written twice in a page's own keys (two "tickets" lists) loses records unseen:
            # the whole page is one rejected record.
            in_records = sum(len(repeated_keys(record)) for _, record in records if isinstance(record, dict))
            repeated = repeated_keys(value)
            if len(repeated) > in_records:
                ordinal += 1
                yield JsonRecord(line, ordinal, valid_text(fragment), stream_hint, duplicated_key_reason(repeated))
                continue
        for stream, record in records:
            ordinal += 1
            if not isinstance(record, dict):
                yield JsonRecord(line, ordinal, valid_text(json.dumps(record, ensure_ascii=False)), stream,
                                 "malformed JSON: the record is not a JSON object")
                continue
            try:
                record_text = _record_text(record, fragment, value)
                reason = undecodable_reason(record_text) if foreign else None
            except orjson.JSONEncodeError:  # foreign bytes, or a lone surrogate written as an escape
                record_text = json.dumps(record, ensure_ascii=False)
                reason = undecodable_reason(record_text) or "malformed JSON: a string holds a lone surrogate escape"
            if reason is None and keys_repeat and (repeated := repeated_keys(record)):
                reason = duplicated_key_reason(repeated)
            if reason is None:
                yield JsonRecord(line, ordinal, record_text, stream, value=record)
            else:
                yield JsonRecord(line, ordinal, valid_text(record_text), stream, reason)


def _record_text(record: dict, fragment: str, document) -> str:
    """The record's own text when it is the whole document (as delivered), else re-written."""
    if record is document and not any("__" in key for key in record):
        return fragment
    return orjson.dumps(_unflatten(record)).decode()


def _unflatten(record: dict) -> dict:
    """dlt flattens nested objects (``via__channel``); fold them back so a record reads as the API wrote it."""
    if not any("__" in key for key in record):
        return record
    nested: dict = {}
    for key, value in record.items():
        parts = key.split("__") if not key.startswith("_dlt") else [key]
        target = nested
        for part in parts[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[parts[-1]] = value
    return nested


def _documents(text: str) -> Iterator[tuple[int, object, str, str | None, bool]]:
    """(line, value, text, reason, keys_repeat) of each top-level JSON document, however they follow
    each other; when ``keys_repeat``, the value's objects that had a key twice are marked
    (csops/orchestration/repeated_keys.py).

    Fast path: one document per line, parsed by orjson. Otherwise JSON's own decoder walks the
    text, and after a broken document the walk resumes where the next one plausibly starts."""
    lines = text.split("\n")
    try:
        parsed = [(number, orjson.loads(line), line) for number, line in enumerate(lines, 1) if line.strip()]
    except orjson.JSONDecodeError:
        parsed = None
    if parsed is not None:
        for number, value, line in parsed:
            line = line.strip()
            value, keys_repeat = with_repeated_keys(value, line)
            if isinstance(value, list):  # a JSON array on one line: each element is a document
                yield from ((number, element, orjson.dumps(element).decode(), None, keys_repeat) for element in value)
            else:
                yield number, value, line, None, keys_repeat
        return
    yield from _walk(text)


def _walk(text: str) -> Iterator[tuple[int, object, str, str | None, bool]]:
    position, line, length = 0, 1, len(text)
    in_array = False
    while True:
        start = _skip(text, position, in_array)
        line += text.count("\n", position, start)
        position = start
        if position >= length:
            return
        character = text[position]
        if character == "[" and not in_array:
            in_array, position = True, position + 1
            continue
        if character == "]" and in_array:
            in_array, position = False, position + 1
            continue
        try:
            value, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            end = _next_record_start(text, position + 1)
            fragment = text[position:end].strip()
            yield line, None, fragment, (f"malformed JSON: {error.msg} "
                                         f"(line {line + text.count(chr(10), position, error.pos)}, column {error.colno})"), False
            line += text.count("\n", position, end)
            position = end
            continue
        fragment = text[position:end]
        value, keys_repeat = with_repeated_keys(value, fragment)
        yield line, value, fragment, None, keys_repeat
        line += text.count("\n", position, end)
        position = end


_FIRST_KEY = re.compile(r'\{\s*"(?:[^"\\]|\\.)*"\s*:')


def _next_record_start(text: str, position: int) -> int:
    """Where the next record starts after a broken one (which started just before ``position``).

    Either where a record starts as the broken one did (records of a stream share their first
    key: ``{"AWSAccountId":``), or a brace that opens a line (pretty-printed and line-delimited
    records do; nested objects are indented), which find a second broken record right after the
    first; or an
    object that parses and is followed by another object, a record separator or the end of the
    text, as a record is and a nested object (followed by ``,``, ``}`` or ``]``) never is. A record
    cut short and followed at once by the next (``{"ContactId":{"ContactId":"b",...}``) is found
    again this way, so its neighbours survive."""
    first_key = _FIRST_KEY.match(text, position - 1)
    same_start = text.find(first_key.group(), position) if first_key else -1
    line_start = text.find("\n{", position)  # pretty-printed and line-delimited records start a line; nested ones are indented
    starts = [start for start in (same_start, line_start + 1 if line_start >= 0 else -1) if start >= 0]
    if starts:
        return min(starts)
    brace = text.find("{", position)
    while brace >= 0:
        try:
            value, end = _DECODER.raw_decode(text, brace)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            following = _skip(text, end, in_array=False)
            if following >= len(text) or text[following] in "{[\x1e":
                return brace
        brace = text.find("{", brace + 1)
    return len(text)


def _skip(text: str, position: int, in_array: bool) -> int:
    """Past whitespace, the record separators of JSON text sequences, and an array's commas."""
    length = len(text)
    while position < length and (text[position] in " \t\r\n\x1e" or (in_array and text[position] == ",")):
        position += 1
    return position


_ENVELOPE_KEYS = frozenset({"type", "stream", "_airbyte_data", "result"}) | _PAGE_KEYS


def _unwrap(value, stream_hint: str | None) -> Iterator[tuple[str | None, object]]:
    """The records inside a document, with the stream its envelope names."""
    if not isinstance(value, dict):
        yield stream_hint, value
        return
    if len(value) > 1 and _ENVELOPE_KEYS.isdisjoint(value):  # a plain record: the common case, kept cheap
        yield stream_hint, value
        return
    kind = value.get("type")
    if kind == "RECORD" and isinstance(value.get("record"), dict):
        record = value["record"]
        if "stream" in value:  # Singer
            yield value["stream"], record
        else:  # an Airbyte protocol message: {"type": "RECORD", "record": {"stream", "data", ...}}
            yield from _unwrap(record, stream_hint)
        return
    if kind in _SINGER_BOOKKEEPING or (kind in ("LOG", "TRACE", "CONTROL", "SPEC", "CATALOG", "CONNECTION_STATUS")
                                       and "record" not in value):
        return
    if "stream" in value and isinstance(value.get("data"), dict) and "emitted_at" in value:  # Airbyte
        yield value["stream"], value["data"]
        return
    if isinstance(value.get("_airbyte_data"), dict):  # an Airbyte destination's raw file
        yield stream_hint, value["_airbyte_data"]
        return
    result = value.get("result")
    if isinstance(result, dict) and isinstance(result.get("elements"), list):  # Qualtrics API page
        for element in result["elements"]:
            yield stream_hint, element
        return
    if "id" not in value:
        lists = [key for key, item in value.items() if isinstance(item, list) and key not in _PAGE_KEYS]
        if len(lists) == 1 and (set(value) - {lists[0]}) <= _PAGE_KEYS:  # a Zendesk API page
            for element in value[lists[0]]:
                yield lists[0], element
            return
        if len(value) == 1 and next(iter(value)) in _SINGULAR and isinstance(next(iter(value.values())), dict):
            key = next(iter(value))
            yield _SINGULAR[key], value[key]
            return
    yield stream_hint, value
