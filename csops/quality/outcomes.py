"""GX's validation result turned into ours: one :class:`ExpectationOutcome` per expectation,
with what was observed in a short human string (how many rows failed, a few examples, and
where each came from when the frame says).
"""

from __future__ import annotations

import contextlib
import math
from datetime import datetime
from typing import Any

from csops.quality.results import ExpectationOutcome
from csops.quality.severity import ERROR, WARNING

# How many unexpected values a summary quotes.
EXAMPLES_SHOWN = 5
# A frame may carry where each row came from ("<file>:<line>"); the summary then says where
# every unexpected row is (GX quotes up to 20), so an auditor can open the file at the line.
SOURCE_POSITION_COLUMN = "source_position"


def outcomes(validation_result, suite) -> tuple[ExpectationOutcome, ...]:
    """One outcome per expectation, in the order the suite declares them."""
    order = {expectation.id: position for position, expectation in enumerate(suite.expectations)}
    outcomes = []
    for result in validation_result.results:
        config = result.expectation_config
        severity = (config.meta or {}).get("severity", ERROR)
        outcomes.append(
            (
                order.get(config.id, len(order)),
                ExpectationOutcome(
                    expectation_type=config.type,
                    columns=_columns(config.kwargs),
                    severity=severity if severity in (ERROR, WARNING) else ERROR,
                    success=bool(result.success),
                    parameters=_parameters(config.kwargs),
                    observed=_observed(result),
                ),
            )
        )
    return tuple(outcome for _, outcome in sorted(outcomes, key=lambda pair: pair[0]))


def _columns(kwargs: dict) -> tuple[str, ...]:
    if "column" in kwargs:
        return (kwargs["column"],)
    if "column_A" in kwargs:
        return (kwargs["column_A"], kwargs["column_B"])
    if "column_list" in kwargs:
        return tuple(kwargs["column_list"])
    return ()


_NOT_PARAMETERS = {"column", "column_A", "column_B", "column_list", "batch_id", "result_format", "catch_exceptions"}


def _parameters(kwargs: dict) -> str:
    shown = []
    for key, value in kwargs.items():
        if key in _NOT_PARAMETERS or value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            value = "{" + ", ".join(_short(item) for item in value) + "}"
        else:
            value = _short(value)
        shown.append(f"{key}={value}")
    return ", ".join(shown)


def _observed(result) -> str:
    """A short human string: the observed value, or how many rows failed and examples."""
    error = _exception_message(result.exception_info)
    if error is not None:
        return f"could not be evaluated: {error[:200]}"
    details = result.result or {}
    if "unexpected_count" in details:
        unexpected = details.get("unexpected_count") or 0
        total = details.get("element_count") or 0
        missing = details.get("missing_count") or 0
        if unexpected == 0:
            text = f"all {total} rows as expected"
        else:
            percent = details.get("unexpected_percent")
            share = f" ({percent:.1f}%)" if isinstance(percent, (int, float)) and math.isfinite(percent) else ""
            examples = details.get("partial_unexpected_list") or []
            columns = _columns(result.expectation_config.kwargs)
            quoted = ", ".join(_example(example, columns) for example in examples[:EXAMPLES_SHOWN])
            more = ", ..." if unexpected > min(len(examples), EXAMPLES_SHOWN) else ""
            text = f"{unexpected} of {total} rows unexpected{share}: {quoted}{more}"
            positions = [row[SOURCE_POSITION_COLUMN] for row in details.get("partial_unexpected_index_list") or []
                         if isinstance(row, dict) and row.get(SOURCE_POSITION_COLUMN)]
            if positions:
                text += "; at " + ", ".join(dict.fromkeys(positions)) + (", ..." if unexpected > len(positions) else "")
        if missing and result.expectation_config.type != "expect_column_values_to_not_be_null":
            text += f"; {missing} null rows ignored"
        return text
    mismatched = (details.get("details") or {}).get("mismatched")
    if isinstance(mismatched, dict) and mismatched:  # column-set expectations
        return "; ".join(f"{kind}: {', '.join(map(str, columns))}" for kind, columns in mismatched.items() if columns)
    if "observed_value" in details:
        return f"observed {_short(details['observed_value'], limit=300)}"
    return ""


def _exception_message(info: dict | None) -> str | None:
    """GX reports an exception either flat or keyed by the metric that raised it."""
    if not info:
        return None
    if "raised_exception" in info:
        if not info["raised_exception"]:
            return None
        candidates = [info]
    else:
        candidates = [value for value in info.values() if isinstance(value, dict)]
    for candidate in candidates:
        message = candidate.get("exception_message") or candidate.get("exception_traceback")
        if message:
            lines = [line for line in str(message).strip().splitlines() if line.strip()]
            return lines[-1].strip() if lines else "unknown error"
    return "unknown error" if candidates else None


def _example(value: Any, columns: tuple[str, ...]) -> str:
    """An unexpected value; a column pair's values are named, e.g. (rate=1.3, high=0.5)."""
    if isinstance(value, (list, tuple)) and len(columns) == 2 and len(value) == 2:
        return "(" + ", ".join(f"{column}={_short(item)}" for column, item in zip(columns, value)) + ")"
    return _short(value)


def _short(value: Any, limit: int = 60) -> str:
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()  # numpy scalar -> Python
    if value is None or type(value).__name__ in ("NAType", "NaTType") or (isinstance(value, float) and math.isnan(value)):
        text = "null"
    elif isinstance(value, datetime) and value.hour == value.minute == value.second == value.microsecond == 0:
        text = value.date().isoformat()  # a DATE column arrives from DuckDB as midnight
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, dict):
        text = "(" + ", ".join(f"{key}={_short(item)}" for key, item in value.items()) + ")"
    elif isinstance(value, (list, tuple)):
        text = ("(" if isinstance(value, tuple) else "[") + ", ".join(_short(item) for item in value)
        text += ")" if isinstance(value, tuple) else "]"
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
