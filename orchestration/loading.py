"""Load landed files into the warehouse's ``raw`` schema with DuckDB's own readers.

No Dagster here: the load assets call :func:`load_source`, and so can a test.
A source is replaced as a whole in one transaction, so a reader sees the old raw
tables or the new ones, never half of a load, and loading twice gives the same tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from orchestration.raw_tables import RawTable, tables_of

# Provenance columns added to every raw row: which file, which landing day, which run.
PROVENANCE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_landing_date", "DATE"),
    ("_load_run_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

LOAD_LOG_DDL = """
create table if not exists audit.load_log (
    run_id varchar not null,
    source varchar not null,
    raw_table varchar not null,
    source_file varchar not null,
    landing_date date not null,
    file_sha256 varchar not null,
    rows_loaded bigint not null,
    started_at timestamp not null,
    ended_at timestamp not null
)
"""


@dataclass(frozen=True)
class TableLoad:
    raw_table: str
    files: int
    rows_loaded: int


class LandingError(ValueError):
    """A landed file that cannot be read as its format says; the message names the file."""


def landed_files(landing: Path, table: RawTable) -> list[Path]:
    """This table's files in day order: ``<name>.<ext>`` in each landing day folder, or its
    parts ``<name>-part<k>.<ext>``, as large exports arrive."""
    folder = landing / table.source
    if not folder.exists():
        return []
    files = []
    for day_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        try:
            date.fromisoformat(day_folder.name)
        except ValueError as error:
            raise LandingError(f"{day_folder}: a landing folder must be named for its day, YYYY-MM-DD") from error
        stem, _, extension = table.file_name.partition(".")
        parts = sorted(day_folder.glob(f"{stem}-part*.{extension}"), key=lambda p: int(p.stem.rsplit("part", 1)[1]))
        files += [day_folder / table.file_name] if (day_folder / table.file_name).exists() else []
        files += parts
    return files


def _reader_sql(table: RawTable, files: list[Path]) -> str:
    file_list = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
    columns = "{" + ", ".join(f"{_quote(name)}: {_quote(kind)}" for name, kind in table.columns) + "}"
    if table.file_format == "jsonl":
        return f"read_json({file_list}, format = 'newline_delimited', columns = {columns}, filename = true)"
    # Qualtrics writes two extra header rows (question text, ImportId) under the column names.
    skip = 3 if table.file_format == "qualtrics_csv" else 1
    return (
        f"read_csv({file_list}, header = false, skip = {skip}, columns = {columns}, "
        f"quote = '\"', escape = '\"', filename = true, null_padding = false)"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ddl(table: RawTable) -> str:
    columns = ",\n    ".join(f'"{name}" {kind}' for name, kind in (*table.columns, *PROVENANCE_COLUMNS))
    return f"create or replace table raw.{table.table_name} (\n    {columns}\n)"


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, run_id: str) -> list[TableLoad]:
    """Replace every raw table of ``source`` with what has landed, in one transaction."""
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists audit")
    con.execute(LOAD_LOG_DDL)
    plan = [(table, landed_files(landing, table)) for table in tables_of(source)]
    results = []
    con.execute("begin transaction")
    try:
        for table, files in plan:
            con.execute(_ddl(table))
            if files:
                select_list = ", ".join(f'"{name}"' for name, _ in table.columns)
                try:
                    con.execute(
                        f"insert into raw.{table.table_name} "
                        f"select {select_list}, "
                        f"    replace(filename, ?, ''), "
                        f"    cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})[/\\\\][^/\\\\]+$', 1) as date), "
                        f"    ?, ? "
                        f"from {_reader_sql(table, files)}",
                        [str(landing) + "/", run_id, started_at],
                    )
                except duckdb.Error as error:
                    raise LandingError(f"{source}/{table.file_name}: could not be read as {table.file_format}: {error}") from error
            counts = dict(con.execute(
                f"select _source_file, count(*) from raw.{table.table_name} group by all"
            ).fetchall())
            ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
            con.execute("delete from audit.load_log where raw_table = ?", [table.table_name])
            for path in files:
                relative = str(path.relative_to(landing))
                con.execute(
                    "insert into audit.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, source, table.table_name, relative, date.fromisoformat(path.parent.name),
                     _sha256(path), counts.get(relative, 0), started_at, ended_at],
                )
            results.append(TableLoad(table.table_name, len(files), sum(counts.values())))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return results


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
