"""One raw table's JSON records checked and loaded, set-based in DuckDB: the fields a record
cannot do without (present and not blank), the declared types wherever they sit (integers that
are integers, durations that are not negative, inside the vendor's objects too), timestamps that
name their zone and fall between 2000 and the load, a channel spelling csops knows (the checks
themselves: csops/orchestration/field_checks.py). Records that pass are inserted with the declared
types; the others go to ``audit.rejected_rows`` with file, line, record number, raw text and a
reason a person understands, with what a customer typed redacted from it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from csops.kernel.redaction import redact
from csops.orchestration.field_checks import REDACT_FUNCTION, field, json_checks, json_value, \
    known_channel_spellings, nested_structures, parsed_kind, quote
from csops.orchestration.landing import LandedFile
from csops.orchestration.raw_tables import RawTable


def load_json_records(con, table: RawTable, records: list[tuple], source: str, run_id: str,
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
    structure = "{" + ", ".join(f'"{name}": "{parsed_kind(kind)}"' for name, kind in table.columns) + "}"
    con.execute(f"""
        create or replace temp table parsed_lines as
        select source_file, landing_date, line_number, record_number, raw_line,
            json_transform(raw_line, {quote(structure)}) as r
        from landed_lines where read_reason is null
    """)
    con.execute("drop table landed_lines")  # each step keeps one copy of the records, not four
    foreign = _foreign_files(con, table)
    # The fields checked inside the vendor's objects are parsed once more, each object once.
    nested = "".join(f', json_transform(r."{column}", {quote(json.dumps(checked))}) as "nested_{column}"'
                     for column, checked in nested_structures(table).items())
    _register_redaction(con)
    try:
        con.execute(f"""
            create or replace temp table checked_lines as
            select source_file, landing_date, line_number, record_number, raw_line, r,
                nullif(concat_ws('; ', {', '.join(json_checks(table, started_at))}), '') as reason
            from (select *{nested} from parsed_lines)
        """)
    finally:
        con.remove_function(REDACT_FUNCTION)
    con.execute("drop table parsed_lines")
    con.execute("""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, landing_date, line_number, record_number, raw_line, reason
        from checked_lines where reason is not null
    """, [run_id, source, table.table_name])
    values = ", ".join(json_value(name, kind) for name, kind in table.columns)
    con.execute(f"""
        insert into raw.{table.table_name}
        select {values}, source_file, line_number, record_number, landing_date, ?, ?
        from checked_lines where reason is null
    """, [run_id, started_at])
    con.execute("drop table checked_lines")
    return foreign


def _foreign_files(con, table: RawTable) -> list[tuple[LandedFile, int, str]]:
    """A file none of whose records has the table's key fields is not this export at all (a
    file named ``tickets.jsonl`` holding orders): it is listed as unread with what it holds,
    instead of every record rejected, and its records are set aside."""
    if not table.required:
        return []
    present = " or ".join(f"{field(name)} is not null" for name in table.required)
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


def _register_redaction(con) -> None:
    """csops.kernel.redaction.redact as a SQL function for the checks' reasons. DuckDB runs a CASE's
    branch only on the rows that take it, so it is called on the values of rejected records only."""
    try:
        con.remove_function(REDACT_FUNCTION)  # left by a load that stopped mid-way
    except duckdb.InvalidInputException:  # there is none
        pass
    con.create_function(REDACT_FUNCTION, redact, ["VARCHAR"], "VARCHAR", side_effects=False)
