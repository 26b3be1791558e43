"""Load landed files into the warehouse's ``raw`` schema: every record loaded, or rejected with its reason.

No Dagster here: the load assets call :func:`load_source`, and so can a test.

- Every file under ``landing/<source>/`` is read as delivered (orchestration/deliveries.py:
  gzip or ZIP, lines, concatenated objects, pages and connector envelopes) and each record
  routed to its raw table; a file csops cannot use goes to ``audit.unread_files`` with why.
- A table's records are then checked set-based in DuckDB: the fields a record cannot do
  without, the declared types, timestamps that name their timezone, a channel spelling csops
  knows. Records that pass are loaded with the declared types; the others go to
  ``audit.rejected_rows`` with file, line, record number, raw text and a reason a person
  understands.
- CSV exports (Qualtrics) are read by orchestration/qualtrics.py through the survey's mapping;
  each row is checked the same way.
- ``audit.load_log`` gets, per file and raw table: its landing day (the Dagster partition),
  checksum, size and modification time, records read, loaded and rejected, start and end.
- The landing day is the unit: a day is replaced whole in one transaction, so a reader
  sees a day as it was or as it is now, never half a load, and loading the same files
  twice, or days in another order, gives the same tables.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import duckdb

import pyarrow as pa

from csops.paths import SOURCES
from orchestration.deliveries import UnreadableFile, landing_day, looks_like_json, read_json_records, streams_of_path, \
    unpacked_size, unpacked_text
from orchestration.raw_tables import COLUMN_ALIASES, RAW_TABLES, RawTable, tables_of

REPO_ROOT = Path(__file__).resolve().parents[1]
# Days are loaded in batches of whole days, one transaction each; a batch's files are held
# in memory a few times over (lines, parsed fields, checked rows), so a batch is bounded.
BATCH_BYTES = 64 * 1024 * 1024

# Provenance columns added to every raw row: which file and line, which landing day, which run.
PROVENANCE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_source_line", "BIGINT"),  # the line the record starts on
    ("_source_record", "BIGINT"),  # its place in the file: in a Firehose object every record is on line 1
    ("_landing_date", "DATE"),
    ("_load_run_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

AUDIT_DDL = (
    """
    create table if not exists audit.load_log (
        run_id varchar not null,
        source varchar not null,
        raw_table varchar not null,
        source_file varchar not null,
        landing_date date not null,
        file_sha256 varchar not null,
        file_size_bytes bigint not null,
        file_modified_ns bigint not null,
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_rejected bigint not null,
        started_at timestamp not null,
        ended_at timestamp not null
    )
    """,
    """
    create table if not exists audit.rejected_rows (
        run_id varchar not null,
        source varchar not null,
        raw_table varchar not null,
        source_file varchar not null,
        landing_date date not null,
        line_number bigint not null,
        record_number bigint not null,
        raw_text varchar,
        reason varchar not null
    )
    """,
    # Files under landing/ that csops did not load, and why: nothing is ignored silently.
    """
    create table if not exists audit.unread_files (
        run_id varchar not null,
        source varchar not null,
        source_file varchar not null,
        landing_date date,
        file_size_bytes bigint not null,
        file_modified_ns bigint not null,
        records bigint not null,
        reason varchar not null
    )
    """,
)

# A moment with its zone: 2026-01-05T14:03:00Z, 2026-01-05T09:03:00-05:00 (or a space for the T).
ZONED_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
ZONELESS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"


@dataclass(frozen=True)
class TableLoad:
    """One raw table after a load: what this run read, loaded and rejected, and what it holds."""

    raw_table: str
    files: int  # files (re)loaded by this run
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_in_table: int
    days_loaded: tuple[date, ...]


class FileStamp(NamedTuple):
    """What tells a landed file changed, without reading it."""

    size_bytes: int
    modified_ns: int


class LandingError(ValueError):
    """A landed file csops cannot read at all; the message names the file and what is wrong."""


@lru_cache(maxsize=1)
def known_channel_spellings() -> dict[str, frozenset[str]]:
    """Channel spellings per source system, from seeds/channel_map.csv (what staging maps)."""
    spellings: dict[str, set[str]] = {}
    with (REPO_ROOT / "seeds" / "channel_map.csv").open() as handle:
        for row in csv.DictReader(handle):
            spellings.setdefault(row["source_system"], set()).add(row["source_channel"])
    return {system: frozenset(values) for system, values in spellings.items()}


class LandedFile(NamedTuple):
    path: Path
    name: str  # relative to the landing folder: <source>/<...>/<file>
    day: date  # the landing day its path names (the partition)


NO_DAY = ("no landing day in its path: put it in a YYYY-MM-DD folder, or keep the UTC YYYY/MM/DD/HH/ "
          "prefix Firehose writes")


def source_files(landing: Path, source: str) -> tuple[list[LandedFile], list[tuple[str, str]]]:
    """Every file under ``landing/<source>/``, at any depth, in path order: those whose path
    names a landing day, and the others with the reason they cannot be loaded."""
    folder = landing / source
    if not folder.is_dir():
        return [], []
    landed, unread = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(landing))
        day = landing_day(str(path.relative_to(folder)))
        if day is None:
            unread.append((name, NO_DAY))
        else:
            landed.append(LandedFile(path, name, day))
    return landed, unread


def unplaced_files(landing: Path) -> list[tuple[str, str]]:
    """Files under landing/ that no load will read, with why: outside the source folders, or
    with no landing day in their path. (Files a load reads but cannot use are in audit.unread_files.)"""
    if not landing.is_dir():
        return []
    found = []
    for path in sorted(landing.iterdir()):
        if path.name in SOURCES and path.is_dir():
            found += source_files(landing, path.name)[1]
        else:
            found += [(str(p.relative_to(landing)), f"not under a source folder ({', '.join(SOURCES)})")
                      for p in ([path] if path.is_file() else sorted(q for q in path.rglob("*") if q.is_file()))]
    return found


def _ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the audit tables. If one was left by an older csops with other columns, both
    are made anew (the log and the rejected rows must agree), and every raw table with them,
    so every day then counts as unloaded. Returns whether that happened."""
    con.execute("create schema if not exists audit")
    outdated = False
    for name in AUDIT_TABLES:
        existing = _column_names(con, "audit", name)
        outdated = outdated or (bool(existing) and existing != _audit_columns(name))
    if outdated:
        for name in AUDIT_TABLES:
            con.execute(f"drop table if exists audit.{name}")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    return outdated


AUDIT_TABLES = ("load_log", "rejected_rows", "unread_files")


def _audit_columns(name: str) -> list[str]:
    ddl = next(ddl for ddl in AUDIT_DDL if f"audit.{name} " in ddl)
    return re.findall(r"^\s+(\w+) (?:varchar|bigint|date|timestamp)", ddl, flags=re.MULTILINE)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ddl(table: RawTable) -> str:
    columns = ",\n    ".join(f'"{name}" {kind}' for name, kind in (*table.columns, *PROVENANCE_COLUMNS))
    return f"create or replace table raw.{table.table_name} (\n    {columns}\n)"


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, run_id: str) -> list[TableLoad]:
    """Bring the raw tables of ``source`` up to what has landed: reload the days whose files
    are new, changed or gone since they were loaded (see :func:`stale_days`)."""
    prefix = source + "/"
    landed = {name: stamp for name, stamp in landed_inventory(landing).items() if name.startswith(prefix)}
    loaded = {name: stamp for name, stamp in loaded_inventory(con).items() if name.startswith(prefix)}
    return load_days(con, landing, source, stale_days(landed, loaded), run_id)


def load_days(con: duckdb.DuckDBPyConnection, landing: Path, source: str, days: Iterable[date],
              run_id: str) -> list[TableLoad]:
    """Replace the given landing days of every raw table of ``source`` by what has landed for them.

    The landing day is the unit (the Dagster partition): each day is replaced whole, inside
    one transaction, so a reader or a killed load never sees half a day, and loading a day
    twice gives the same rows. Days are loaded in batches of whole days up to
    ``BATCH_BYTES`` of files, one transaction each, so memory stays bounded however much
    history is (re)loaded.
    """
    days = sorted(set(days))
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    audit_recreated = _ensure_audit_tables(con)
    tables = tables_of(source)
    # A table new to this warehouse, or left by an older csops with other columns, is made
    # anew (with the first batch, so a killed load leaves the old one); its other days then
    # look unloaded to stale_days and are loaded by the next run.
    reshape = {t.table_name for t in tables
               if audit_recreated or _column_names(con, "raw", t.table_name) != _expected_columns(t)}
    wanted = set(days)
    files = [f for f in source_files(landing, source)[0] if f.day in wanted]
    totals = {t.table_name: [0, 0, 0, 0] for t in tables}  # files, rows read, loaded, rejected
    prefix = str(landing) + "/"
    for batch in _batches(days, files):
        con.execute("begin transaction")
        try:
            for table in tables:
                if table.table_name in reshape:
                    con.execute(_ddl(table))
                    for audit_table in ("rejected_rows", "load_log"):
                        con.execute(f"delete from audit.{audit_table} where raw_table = ?", [table.table_name])
                con.execute(f"delete from raw.{table.table_name} where list_contains(?, _landing_date)", [batch])
                for audit_table in ("rejected_rows", "load_log"):
                    con.execute(f"delete from audit.{audit_table} where raw_table = ? and list_contains(?, landing_date)",
                                [table.table_name, batch])
            con.execute("delete from audit.unread_files where source = ? and list_contains(?, landing_date)",
                        [source, batch])
            batch_files = [f for f in files if f.day in batch]
            # Stamped before reading: a file that changes meanwhile looks changed to the next run.
            stamps = {f.path: _stamp(f.path) for f in batch_files}
            delivery = read_deliveries(batch_files, source)
            for table in tables:
                records = delivery.records.get(table.table_name, [])
                if records:
                    delivery.unread += [(delivery.by_name[file.name], count, reason) for file, count, reason
                                        in _load_json_records(con, table, records, source, run_id, started_at)]
                for csv_file in delivery.csv_files.get(table.table_name, []):
                    try:  # one export at a time: a survey with no mapping is listed, the others load
                        _load_csv(con, table, [csv_file.path], prefix, source, run_id, started_at)
                    except LandingError as error:
                        delivery.unread.append((csv_file, 0, str(error).removeprefix(f"{csv_file.name}: ")))
                table_stamps = {f.path: stamps[f.path] for f in delivery.files_of(table.table_name)}
                counts = _log(con, table, table_stamps, landing, source, run_id, started_at)
                totals[table.table_name] = [a + b for a, b in zip(totals[table.table_name],
                                                                  (len(table_stamps), *counts))]
            _record_unread(con, delivery.unread, stamps, source, run_id)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        reshape.clear()
    return [TableLoad(t.table_name, *totals[t.table_name],
                      con.execute(f"select count(*) from raw.{t.table_name}").fetchone()[0], tuple(days))
            for t in tables]


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


def read_deliveries(files: list[LandedFile], source: str) -> Delivery:
    """Read each file as delivered (orchestration/deliveries.py) and route each record to its raw
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
    for record in read_json_records(file.path, hint, text):
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
    if broken:
        # A record that cannot be parsed belongs to the table its file feeds (or is named for).
        name = home.table_name if home else max(routed, key=lambda n: len(routed[n]), default=None)
        if name is None:
            delivery.unread.append((file, len(broken), f"no record could be read: {broken[0].reason}"))
        else:
            routed.setdefault(name, []).extend(
                (file.name, file.day, r.line, r.ordinal, r.text, r.reason) for r in broken)
    for name, rows in routed.items():
        delivery.records.setdefault(name, []).extend(rows)
    if foreign:
        described = "; ".join(f"{count} of stream {stream!r}" if stream else f"{count} with no stream csops knows"
                              for stream, count in sorted(foreign.items()))
        reason = (f"records csops does not read ({described}): a {tables[0].source} record is recognised by "
                  f"its stream ({', '.join(_streams(tables))}) or its fields")
        delivery.unread.append((file, sum(foreign.values()), reason))


def _streams(tables: tuple[RawTable, ...]) -> list[str]:
    return [t.entity for t in tables if t.file_format == "jsonl"]


def _stream_matches(table: RawTable, stream: str | None) -> bool:
    if not stream:
        return False
    stream = stream.lower()
    return stream in (table.entity, table.table_name, table.file_name.split(".")[0], *table.streams)


def _table_of_stream(tables: tuple[RawTable, ...], stream: str | None) -> RawTable | None:
    return next((t for t in tables if t.file_format == "jsonl" and _stream_matches(t, stream)), None)


def _record_unread(con, unread: list[tuple[LandedFile, int, str]], stamps: dict[Path, FileStamp], source: str,
                   run_id: str) -> None:
    rows = [(run_id, source, file.name, file.day, *stamps[file.path], records, reason) for file, records, reason in unread]
    if rows:
        con.executemany("insert into audit.unread_files values (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _batches(days: list[date], files: list[LandedFile]) -> list[list[date]]:
    """Consecutive days grouped up to BATCH_BYTES of unpacked files (a day is never split): a
    gzip object holds twenty times its size in records. There is always one batch, if empty,
    so that a table's shape is settled even with no day to load."""
    size_of_day: dict[date, int] = {}
    for file in files:
        size_of_day[file.day] = size_of_day.get(file.day, 0) + unpacked_size(file.path)
    batches: list[list[date]] = [[]]
    batch_bytes = 0
    for day in days:
        if batches[-1] and batch_bytes + size_of_day.get(day, 0) > BATCH_BYTES:
            batches.append([])
            batch_bytes = 0
        batches[-1].append(day)
        batch_bytes += size_of_day.get(day, 0)
    return batches


def _stamp(path: Path) -> FileStamp:
    stat = path.stat()
    return FileStamp(stat.st_size, stat.st_mtime_ns)


def _column_names(con, schema: str, table_name: str) -> list[str]:
    return [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table_name]).fetchall()]


def _expected_columns(table: RawTable) -> list[str]:
    return [name for name, _ in (*table.columns, *PROVENANCE_COLUMNS)]


def landed_inventory(landing: Path) -> dict[str, FileStamp]:
    """Every landed file a load reads (``source/.../file``, its path naming a landing day), with
    its size and modification time."""
    return {file.name: _stamp(file.path) for source in SOURCES for file in source_files(landing, source)[0]}


def loaded_inventory(con: duckdb.DuckDBPyConnection) -> dict[str, FileStamp]:
    """The files as they were when loaded (or read and found unusable), from ``audit.load_log``
    and ``audit.unread_files``. Tables that this csops would make anew (missing, or of an older
    shape) count as holding nothing."""
    if any(_column_names(con, "audit", name) != _audit_columns(name) for name in AUDIT_TABLES):
        return {}
    current = [t.table_name for t in RAW_TABLES if _column_names(con, "raw", t.table_name) == _expected_columns(t)]
    return {name: FileStamp(size, modified) for name, size, modified in con.execute(
        "select source_file, file_size_bytes, file_modified_ns from audit.load_log where list_contains(?, raw_table) "
        "union all select source_file, file_size_bytes, file_modified_ns from audit.unread_files "
        "where landing_date is not null", [current]).fetchall()}


def stale_days(landed: dict[str, FileStamp], loaded: dict[str, FileStamp]) -> list[date]:
    """Landing days to (re)load: those with a file new, changed (size or modification time)
    or gone since it was loaded. A day whose files are as they were loaded is left alone, so
    a late file reloads its own day only and loading again changes nothing. Size and time,
    not content: a file rewritten unchanged reloads its day, which changes nothing."""
    changed = {name for name, stamp in landed.items() if loaded.get(name) != stamp} | (loaded.keys() - landed.keys())
    return sorted({day for name in changed if (day := day_of_name(name)) is not None})


def day_of_name(name: str) -> date | None:
    """The landing day of a landed file's name (``<source>/.../<file>``)."""
    source, _, rest = name.partition("/")
    return landing_day(rest)


def write_ledger(con: duckdb.DuckDBPyConnection, ledger: Path) -> None:
    """A copy of what the warehouse has loaded, for readers that must not open it while a run
    writes (the sensor). Written after the load commits; if a crash loses it, the days look
    stale and are loaded again, which changes nothing."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    staging = ledger.with_suffix(".tmp")
    files = {name: list(stamp) for name, stamp in sorted(loaded_inventory(con).items())}
    staging.write_text(json.dumps({"layout": _layout(), "files": files}))
    staging.replace(ledger)


def read_ledger(ledger: Path, warehouse: Path) -> dict[str, FileStamp]:
    """What :func:`write_ledger` recorded; nothing if the warehouse it describes is gone, or
    if it was written for raw tables of another shape (they will be made anew, every day loaded)."""
    if not ledger.exists() or not warehouse.exists():
        return {}
    recorded = json.loads(ledger.read_text())
    if not isinstance(recorded, dict) or recorded.get("layout") != _layout():
        return {}
    return {name: FileStamp(*stamp) for name, stamp in recorded["files"].items()}


def _layout() -> str:
    """A digest of the raw and audit tables' shapes."""
    return hashlib.sha256("".join([*AUDIT_DDL, *(_ddl(t) for t in RAW_TABLES)]).encode()).hexdigest()[:16]


def _load_json_records(con, table: RawTable, records: list[tuple], source: str, run_id: str,
                       started_at: datetime) -> list[tuple[LandedFile, int, str]]:
    """Check and load one table's records (file, day, line, ordinal, text, reason as read).
    Returns the files that turned out not to be this table's export at all."""
    columns = list(zip(*records))
    con.register("read_records", pa.table({
        "source_file": pa.array(columns[0], pa.string()), "landing_date": pa.array(columns[1], pa.date32()),
        "line_number": pa.array(columns[2], pa.int64()), "record_number": pa.array(columns[3], pa.int64()),
        "raw_line": pa.array(columns[4], pa.string()), "read_reason": pa.array(columns[5], pa.string())}))
    try:
        con.execute("create or replace temp table landed_lines as select * from read_records")
    finally:
        con.unregister("read_records")
    # What the reader could not parse first: nothing else may parse it. (The reader parsed every
    # other record into a JSON object, so DuckDB need not check that again: it parses each once.)
    con.execute("""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, landing_date, line_number, record_number, raw_line, read_reason
        from landed_lines where read_reason is not null
    """, [run_id, source, table.table_name])
    # Each record is parsed once, into text (or JSON) fields: checks and casts read the fields.
    structure = "{" + ", ".join(f'"{name}": "{"JSON" if kind == "JSON" or kind.endswith("[]") else "VARCHAR"}"'
                                for name, kind in table.columns) + "}"
    con.execute(f"""
        create or replace temp table parsed_lines as
        select source_file, landing_date, line_number, record_number, raw_line,
            json_transform(raw_line, {_quote(structure)}) as r
        from landed_lines where read_reason is null
    """)
    con.execute("drop table landed_lines")  # each step keeps one copy of the records, not four
    foreign = _foreign_files(con, table)
    con.execute(f"""
        create or replace temp table checked_lines as
        select *, nullif(concat_ws('; ', {', '.join(_json_checks(table))}), '') as reason
        from parsed_lines
    """)
    con.execute("drop table parsed_lines")
    con.execute("""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, landing_date, line_number, record_number, raw_line, reason
        from checked_lines where reason is not null
    """, [run_id, source, table.table_name])
    values = ", ".join(_json_value(name, kind) for name, kind in table.columns)
    con.execute(f"""
        insert into raw.{table.table_name}
        select {values}, source_file, line_number, record_number, landing_date, ?, ?
        from checked_lines where reason is null
    """, [run_id, started_at])
    con.execute("drop table checked_lines")
    return foreign


def _field(name: str) -> str:
    """A record's field, parsed once into ``r``; other spellings of it (COLUMN_ALIASES) are read
    from the record's text (a struct's names ignore case, so they cannot sit beside it in ``r``)."""
    others = [f"json_extract_string(raw_line, {_quote('$.' + json.dumps(spelling))})"
              for spelling in COLUMN_ALIASES.get(name, ())]
    return f'coalesce(r."{name}", {", ".join(others)})' if others else f'r."{name}"'


def _json_value(name: str, kind: str) -> str:
    if kind in ("VARCHAR", "JSON"):
        return _field(name)
    return f"try_cast({_field(name)} as {kind})"


def _json_checks(table: RawTable) -> list[str]:
    """SQL expressions, each a reason or null, over a line's parsed fields ``r``."""
    checks = [f"case when {_field(name)} is null then 'missing required field \"{name}\"' end"
              for name in table.required]
    for name, kind in table.columns:
        if kind not in ("VARCHAR", "JSON"):
            checks.append(f"case when {_field(name)} is not null and {_json_value(name, kind)} is null "
                          f"then 'field \"{name}\" is not {kind.lower()}: ' || {_field(name)} end")
    for name in table.timestamps:
        text = _field(name)
        checks.append(
            f"case when {text} is null then null "
            f"when regexp_matches({text}, {_quote(ZONED_TIMESTAMP)}) and try_cast({text} as timestamptz) is not null "
            f"then null "
            f"when regexp_matches({text}, {_quote(ZONELESS_TIMESTAMP)}) "
            f"then 'timestamp without a timezone: \"{name}\" = ' || {text} "
            f"else 'field \"{name}\" is not a timestamp: ' || {text} end")
    if table.channel_field:
        known = ", ".join(_quote(s) for s in sorted(known_channel_spellings().get(table.source, ())))
        top, _, path = table.channel_field.partition(".")
        text = f"json_extract_string({_field(top)}, {_quote('$.' + path)})" if path else _field(top)
        checks.append(f"case when {text} is not null and {text} not in ({known}) "
                      f"then 'unknown channel \"' || {text} || '\": add it to seeds/channel_map.csv' end")
    return checks


def _foreign_files(con, table: RawTable) -> list[tuple[LandedFile, int, str]]:
    """A file none of whose records has the table's key fields is not this export at all (a
    file named ``tickets.jsonl`` holding orders): it is listed as unread with what it holds,
    instead of every record rejected, and its records are set aside."""
    if not table.required:
        return []
    present = " or ".join(f"{_field(name)} is not null" for name in table.required)
    found = con.execute(f"""
        select source_file, any_value(landing_date), count(*),
            list_sort(list_distinct(flatten(list(json_keys(raw_line::json)))))
        from parsed_lines
        group by source_file
        having count(*) filter (where {present}) = 0
        order by source_file
    """).fetchall()
    if found:
        con.execute("delete from parsed_lines where list_contains(?, source_file)", [[name for name, *_ in found]])
    return [(LandedFile(Path(name), name, day), records,
             f"not a {table.source} {table.entity} export: no record has {', '.join(table.required)}; "
             f"its fields are {', '.join(keys[:20])}") for name, day, records, keys in found]


def _load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
              started_at: datetime) -> None:
    # Qualtrics' exports are read by their own module, which builds on this one (hence imported here).
    from orchestration import qualtrics

    qualtrics.load_csv(con, table, files, prefix, source, run_id, started_at)


def _log(con, table: RawTable, stamps: dict[Path, FileStamp], landing: Path, source: str, run_id: str,
         started_at: datetime) -> tuple[int, int, int]:
    """One load_log row per file loaded into the table; rows read, loaded and rejected, summed over them."""
    names = {str(path.relative_to(landing)): path for path in stamps}
    loaded = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _source_file) group by all", [list(names)]).fetchall())
    rejected = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, source_file) "
        "group by all", [table.table_name, list(names)]).fetchall())
    ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, source, table.table_name, name, day_of_name(name), _sha256(path), *stamps[path],
             loaded.get(name, 0) + rejected.get(name, 0), loaded.get(name, 0), rejected.get(name, 0), started_at, ended_at)
            for name, path in names.items()]
    if rows:
        con.executemany(f"insert into audit.load_log values ({', '.join('?' * 13)})", rows)
    return sum(r[8] for r in rows), sum(loaded.values()), sum(rejected.values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_records(landing: Path, name: str, source: str) -> dict[str, int]:
    """Records per raw table in one landed file, read again from the file: for the reconciliation
    check, which holds them against what the load inserted and rejected."""
    file = LandedFile(landing / name, name, day_of_name(name))
    delivery = read_deliveries([file], source)
    counts = {table: len(rows) for table, rows in delivery.records.items()}
    for table, files in delivery.csv_files.items():
        counts[table] = _count_csv_records(file.path, next(t for t in RAW_TABLES if t.table_name == table))
    return counts


def _count_csv_records(path: Path, table: RawTable) -> int:
    from orchestration import qualtrics

    return qualtrics.count_records(path)
