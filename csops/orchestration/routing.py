"""Landed files read as delivered (csops/orchestration/deliveries.py) and each record routed to its
raw table: by the stream its envelope or file names, else by the keys only that table's records carry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import orjson

from csops.orchestration.deliveries import looks_like_json, read_json_records
from csops.orchestration.files import UnreadableFile, streams_of_path, undecodable_reason, unpacked_text
from csops.orchestration.landing import LandedFile
from csops.orchestration.raw_tables import COLUMN_ALIASES, RawTable, tables_of


@dataclass
class Delivery:
    """The landed files of some days, read and sorted: records per raw table, CSV exports per
    raw table, and what could not be used (file, records, reason)."""

    records: dict[str, list[tuple]] = field(default_factory=dict)  # table -> (file, day, line, ordinal, text, reason)
    csv_files: dict[str, list[LandedFile]] = field(default_factory=dict)
    empty_files: dict[str, list[LandedFile]] = field(default_factory=dict)
    unread: list[tuple[LandedFile, int, str]] = field(default_factory=list)
    by_name: dict[str, LandedFile] = field(default_factory=dict)

    def files_of(self, table_name: str) -> list[LandedFile]:
        """The files that gave this table records (or are its empty or CSV exports)."""
        names = dict.fromkeys(row[0] for row in self.records.get(table_name, []))
        unread = {file.name for file, _, _ in self.unread}
        return [*(self.by_name[name] for name in names if name not in unread),
                *(f for f in self.csv_files.get(table_name, []) if f.name not in unread),
                *self.empty_files.get(table_name, [])]

    def read_counts(self, table_name: str) -> dict[str, int]:
        """Records the reader routed to this table, per file (an empty export: 0), counted here,
        apart from what is inserted and rejected. CSV exports are counted by their reader."""
        counts = dict.fromkeys((f.name for f in self.empty_files.get(table_name, [])), 0)
        for row in self.records.get(table_name, []):
            counts[row[0]] = counts.get(row[0], 0) + 1
        return counts


def read_deliveries(files: list[LandedFile], source: str) -> Delivery:
    """Read each file as delivered (csops/orchestration/deliveries.py) and route each record to its raw
    table: by the stream its envelope or file names, else by the keys only that table's records carry."""
    tables = tables_of(source)
    delivery = Delivery(by_name={f.name: f for f in files})
    csv_table = next((t for t in tables if t.file_format != "jsonl"), None)  # Qualtrics' response exports
    for file in files:
        try:
            text = unpacked_text(file.path)
        except UnreadableFile as error:
            delivery.unread.append((file, 0, str(error)))
            continue
        except OSError as error:  # unreadable, or gone since it was listed: this file only
            delivery.unread.append((file, 0, f"cannot be read ({error.strerror})"))
            continue
        if not text.strip():
            if csv_table is not None and file.path.suffix.lower() == ".csv":
                delivery.empty_files.setdefault(csv_table.table_name, []).append(file)  # a quiet day's export
            else:
                _record_empty(delivery, file, tables)
        elif looks_like_json(text):
            _route(delivery, file, tables, text)
        elif csv_table is not None:  # a CSV (or the ZIP Qualtrics downloads): its header says which survey
            delivery.csv_files.setdefault(csv_table.table_name, []).append(file)
        else:
            delivery.unread.append((file, 0, f"not JSON: it starts {text.lstrip()[:30]!r}"))
    return delivery


def _record_empty(delivery: Delivery, file: LandedFile, tables: tuple[RawTable, ...]) -> None:
    """A file with no records (an empty page, an export of a quiet day) is logged as zero rows
    of the table its name or folder names."""
    table = _table_of_path(tables, file.name)
    if table is None:
        delivery.unread.append((file, 0, "holds no records, and its name and folders say nothing of what it would hold"))
    else:
        delivery.empty_files.setdefault(table.table_name, []).append(file)


def _table_of_path(tables: tuple[RawTable, ...], name: str) -> RawTable | None:
    return next((table for stream in streams_of_path(name) if (table := _table_of_stream(tables, stream))), None)


def _route(delivery: Delivery, file: LandedFile, tables: tuple[RawTable, ...], text: str) -> None:
    routed: dict[str, list[tuple]] = {}
    broken, foreign = [], {}
    home = _table_of_path(tables, file.name)
    hint = home.entity if home else None
    table_of_stream: dict[str | None, RawTable | None] = {}  # the streams of one file are few
    undecodable = undecodable_reason(text) is not None  # looked for record by record only where there is one
    for record in read_json_records(file.path, hint, text):
        if undecodable and record.reason is None and (reason := undecodable_reason(record.text)):
            record = replace(record, reason=reason)  # a byte that is not UTF-8: this record alone is rejected
        if record.reason is not None:
            broken.append(record)
            continue
        if record.stream not in table_of_stream:
            table_of_stream[record.stream] = _table_of_stream(tables, record.stream)
        table = table_of_stream[record.stream]
        if table is None and record.stream in (None, hint):  # a stream an envelope names is never guessed
            keys = record.value or {}
            table = next((t for t in tables if t.signature and all(
                any(spelling in keys for spelling in (k, *COLUMN_ALIASES.get(k, ()))) for k in t.signature)), None)
        if table is None:
            foreign[record.stream or ""] = foreign.get(record.stream or "", 0) + 1
            continue
        routed.setdefault(table.table_name, []).append(
            (file.name, file.day, record.line, record.ordinal, record.text, None))
    if not routed and not broken and not foreign:
        _record_empty(delivery, file, tables)
        return
    if home is not None and routed.get(home.table_name) and not _fits_any(home, tables, file, routed[home.table_name]):
        # Named (or foldered) for one table, holding another's records (users in tickets.jsonl): not
        # this export. Listed with what it holds, rather than every record rejected and its day emptied.
        records = routed.pop(home.table_name)
        fits = _best_fit(tables, _keys_of(records[0]))
        delivery.unread.append((file, len(records), (
            f"named for {home.entity}, but none of its {len(records)} records has the fields of one "
            f"({', '.join(_fields(home))})" + (f": they look like {fits.entity} records; rename the file "
                                               f"{fits.file_name} (or give it that folder)" if fits else "")
            + f"; its first record's fields are {_storable(', '.join(sorted(_keys_of(records[0]))[:15]))}")))
        if not routed and not broken:
            return
    if broken:
        # A record that cannot be parsed belongs to the table its file feeds (or is named for).
        name = home.table_name if home else max(routed, key=lambda n: len(routed[n]), default=None)
        if name is None:
            delivery.unread.append((file, len(broken), _storable(f"no record could be read: {broken[0].reason}")))
        else:
            routed.setdefault(name, []).extend(
                (file.name, file.day, r.line, r.ordinal, _storable(r.text), r.reason) for r in broken)
    for name, rows in routed.items():
        delivery.records.setdefault(name, []).extend(rows)
    if foreign:
        described = "; ".join(f"{count} of stream {stream!r}" if stream else f"{count} with no stream csops knows"
                              for stream, count in sorted(foreign.items()))
        reason = (f"records csops does not read ({described}): a {tables[0].source} record is recognised by "
                  f"its stream ({', '.join(_streams(tables))}) or its fields")
        delivery.unread.append((file, sum(foreign.values()), _storable(reason)))


_SURROGATES = re.compile("[\udc80-\udcff]")


def _storable(text: str) -> str:
    """Text DuckDB can store: bytes that were not UTF-8 (lone surrogates) as U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def _fields(table: RawTable) -> tuple[str, ...]:
    """The fields that tell a table's records: what it cannot do without, and its signature."""
    return tuple(dict.fromkeys((*table.required, *table.signature)))


def _fit(table: RawTable, keys) -> float:
    fields = _fields(table)
    return sum(any(s in keys for s in (f, *COLUMN_ALIASES.get(f, ()))) for f in fields) / len(fields) if fields else 0.0


def _best_fit(tables: tuple[RawTable, ...], keys) -> RawTable | None:
    """The JSON table whose telling fields the keys hold the largest share of (None if none whole)."""
    scored = [(_fit(t, keys), t) for t in tables if t.file_format == "jsonl"]
    score, table = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return table if score == 1.0 else None


def _keys_of(row: tuple) -> set[str]:
    try:
        value = orjson.loads(row[4])
    except orjson.JSONDecodeError:
        return set()
    return set(value) if isinstance(value, dict) else set()


def _fits_any(home: RawTable, tables: tuple[RawTable, ...], file: LandedFile, rows: list[tuple]) -> bool:
    """Whether any record routed to ``home`` by its file's name fits it at least as well as any
    other table: one is enough (a record missing a field is rejected with its reason, not its file)."""
    for row in rows:
        keys = _keys_of(row)
        if _fit(home, keys) >= max(_fit(t, keys) for t in tables if t.file_format == "jsonl"):
            return True
    return False


def _streams(tables: tuple[RawTable, ...]) -> list[str]:
    return [t.entity for t in tables if t.file_format == "jsonl"]


def _stream_matches(table: RawTable, stream: str | None) -> bool:
    if not stream:
        return False
    stream = stream.lower()
    return stream in (table.entity, table.table_name, table.file_name.split(".")[0], *table.streams)


def _table_of_stream(tables: tuple[RawTable, ...], stream: str | None) -> RawTable | None:
    return next((t for t in tables if t.file_format == "jsonl" and _stream_matches(t, stream)), None)
