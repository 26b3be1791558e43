"""What validating one table in one run found, small enough to persist and to print.

Written by csops/quality/validation.py as ``quality/results/<run_id>__<table>.json``, read back
by :func:`load_result`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict, small enough to persist and to print."""

    expectation_type: str
    columns: tuple[str, ...]
    severity: str
    success: bool
    parameters: str
    observed: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "expectation_type": self.expectation_type,
            "columns": list(self.columns),
            "severity": self.severity,
            "success": self.success,
            "parameters": self.parameters,
            "observed": self.observed,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> ExpectationOutcome:
        return cls(
            expectation_type=data["expectation_type"],
            columns=tuple(data["columns"]),
            severity=data["severity"],
            success=data["success"],
            parameters=data["parameters"],
            observed=data["observed"],
        )


@dataclass(frozen=True)
class QualityResult:
    """The outcome of validating one table in one run.

    ``success`` is False only when an error-severity expectation failed; failed
    warnings are counted but never block.
    """

    table: str
    run_id: str
    success: bool
    expectations: tuple[ExpectationOutcome, ...]
    blocking_failures: int
    warnings: int
    row_count: int
    validated_at: str
    duration_seconds: float
    data_docs_index: Path | None = None
    data_docs_page: Path | None = None
    data_docs_need_internet: bool = False
    offline_report: Path | None = None
    result_file: Path | None = field(default=None, compare=False)

    @property
    def failed(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(outcome for outcome in self.expectations if not outcome.success)

    def to_json_dict(self) -> dict[str, Any]:
        def path_or_none(path: Path | None) -> str | None:
            return None if path is None else str(path)

        return {
            "table": self.table,
            "run_id": self.run_id,
            "success": self.success,
            "blocking_failures": self.blocking_failures,
            "warnings": self.warnings,
            "row_count": self.row_count,
            "validated_at": self.validated_at,
            "duration_seconds": self.duration_seconds,
            "data_docs_index": path_or_none(self.data_docs_index),
            "data_docs_page": path_or_none(self.data_docs_page),
            "data_docs_need_internet": self.data_docs_need_internet,
            "offline_report": path_or_none(self.offline_report),
            "expectations": [outcome.to_json_dict() for outcome in self.expectations],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> QualityResult:
        def path_or_none(value: str | None) -> Path | None:
            return None if value is None else Path(value)

        return cls(
            table=data["table"],
            run_id=data["run_id"],
            success=data["success"],
            expectations=tuple(ExpectationOutcome.from_json_dict(item) for item in data["expectations"]),
            blocking_failures=data["blocking_failures"],
            warnings=data["warnings"],
            row_count=data["row_count"],
            validated_at=data["validated_at"],
            duration_seconds=data["duration_seconds"],
            data_docs_index=path_or_none(data.get("data_docs_index")),
            data_docs_page=path_or_none(data.get("data_docs_page")),
            data_docs_need_internet=data.get("data_docs_need_internet", False),
            offline_report=path_or_none(data.get("offline_report")),
        )


def result_path(quality_dir: Path, run_id: str, table: str) -> Path:
    return Path(quality_dir) / "results" / f"{run_id}__{table}.json"


def report_path(quality_dir: Path, run_id: str, table: str) -> Path:
    return Path(quality_dir) / "report" / f"{run_id}__{table}.html"


def load_result(path: Path) -> QualityResult:
    """Read back a result written by :func:`validate_dataframe`."""
    result = QualityResult.from_json_dict(json.loads(Path(path).read_text()))
    return replace(result, result_file=Path(path))
