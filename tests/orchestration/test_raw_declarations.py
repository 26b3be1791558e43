"""One declaration per landed table: the dbt sources and the vendor docs agree with the loader's.

csops/orchestration/raw_tables.py declares each raw table (its columns and types, the fields a
row cannot do without, the text fields holding a moment, what each JSON column holds), and the
loader adds its provenance columns (csops/orchestration/audit_trail.py). The dbt sources
(models/staging/<source>/_<source>__sources.yml) list the same columns, so that dbt's docs show
what the loader lands; these tests keep the two from drifting apart, and print the YAML that
would agree when they do.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from csops.orchestration.audit_trail import PROVENANCE_COLUMNS
from csops.orchestration.raw_tables import RAW_TABLES, RawTable

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE_FORMATS = REPOSITORY / "docs" / "source_formats.md"


def declared_sources() -> dict[tuple[str, str], dict]:
    """Every source table of the dbt project, by (source, table name), with its source's settings."""
    tables = {}
    for path in sorted((REPOSITORY / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                tables[(source["name"], table["name"])] = {**table, "_source": source, "_path": path}
    return tables


def expected_columns(table: RawTable) -> list[dict]:
    """The source columns raw_tables.py and the loader's provenance columns give a raw table."""
    shapes = dict(table.json_shapes)
    columns = []
    for name, duckdb_type in table.columns:
        meta = {key: value for key, value in (("required", name in table.required or None),
                                              ("timestamp", name in table.timestamps or None),
                                              ("json", shapes.get(name))) if value is not None}
        columns.append({"name": name, "data_type": duckdb_type.lower(), **({"meta": meta} if meta else {})})
    columns += [{"name": name, "data_type": duckdb_type.lower()} for name, duckdb_type in PROVENANCE_COLUMNS]
    return columns


def as_yaml(columns: list[dict]) -> str:
    lines = []
    for column in columns:
        name = f'"{column["name"]}"' if not re.fullmatch(r"[A-Za-z_]\w*", column["name"]) else column["name"]
        data_type = f'"{column["data_type"]}"' if "[" in column["data_type"] else column["data_type"]
        meta = column.get("meta")
        config = (", config: {meta: {" + ", ".join(f"{key}: {str(value).lower()}" for key, value in meta.items())
                  + "}}") if meta else ""
        lines.append(f"          - {{name: {name}, data_type: {data_type}{config}}}")
    return "\n".join(lines)


def source_columns(table: dict) -> list[dict]:
    columns = []
    for column in table.get("columns", []):
        meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
        columns.append({"name": column["name"], "data_type": str(column.get("data_type", "")).lower(),
                        **({"meta": meta} if meta else {})})
    return columns


def test_every_raw_table_is_a_dbt_source_and_no_other():
    declared = {(table.source, table.entity): table.table_name for table in RAW_TABLES}
    sources = {key: table.get("identifier", key[1]) for key, table in declared_sources().items()}
    assert sources == declared


def test_every_source_reads_the_raw_schema_and_is_fresh_by_its_load_time():
    for (source, name), table in declared_sources().items():
        assert (table["_source"]["schema"], table["_source"]["loaded_at_field"]) == ("raw", "_loaded_at"), (source, name)


@pytest.mark.parametrize("table", RAW_TABLES, ids=lambda table: table.table_name)
def test_a_sources_columns_are_the_declared_ones(table):
    """Names in order, DuckDB types, and what the loader holds each field to (meta)."""
    source = declared_sources()[(table.source, table.entity)]
    expected = expected_columns(table)
    assert source_columns(source) == expected, (
        f"{source['_path'].relative_to(REPOSITORY)}, table {table.entity}: its columns should read\n"
        f"        columns:\n{as_yaml(expected)}\n(provenance columns: add their doc() descriptions)")


def test_the_provenance_columns_are_described_once():
    """The loader's columns mean the same in every raw table: a doc block each (models/docs)."""
    for (source, name), table in declared_sources().items():
        for column in table["columns"]:
            if column["name"] in dict(PROVENANCE_COLUMNS):
                assert column.get("description") == f'{{{{ doc("{column["name"]}") }}}}', (source, name, column["name"])


def test_the_vendor_formats_doc_names_every_declared_field():
    """docs/source_formats.md, the field-by-field guide to each export, names every column loaded."""
    named = set()
    for quoted in re.findall(r"`([^`]+)`", SOURCE_FORMATS.read_text()):
        named.update(part.strip() for part in quoted.split(","))
    missing = [f"{table.table_name}.{column}" for table in RAW_TABLES for column, _ in table.columns
               if column not in named and not any(name.startswith(f"{column}.") for name in named)]
    assert missing == []
