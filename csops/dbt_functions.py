"""A dbt-duckdb plugin that gives dbt's DuckDB connection csops's identity functions.

``profiles.yml`` names this module; staging then calls ``csops_phone_key(phone)`` and
``csops_email_key(email)`` (csops/identity.py): the one place identifiers are normalised
and pseudonymised.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from csops.identity import email_key, phone_key


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function("csops_phone_key", phone_key, ["VARCHAR"], "VARCHAR")
        conn.create_function("csops_email_key", email_key, ["VARCHAR"], "VARCHAR")
