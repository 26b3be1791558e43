"""Run a table's expectation suite on a DataFrame and keep what the auditor needs.

The pipeline reads a frame out of DuckDB into pandas (csops/orchestration/quality.py writes its
SQL) and calls :func:`validate_dataframe`.
GX's pandas datasource is used because its SQL datasource over duckdb-engine fails on
every expectation (measured with GX 1.24.1).

Everything lands in the user's quality folder, never in the repo::

    quality/gx/                                   GX file context: suites, validation
                                                  definitions, checkpoints, results
    quality/gx/uncommitted/data_docs/local_site/  GX Data Docs (index.html)
    quality/results/<run_id>__<table>.json        QualityResult.to_json_dict()
    quality/report/<run_id>__<table>.html         self-contained summary, opens offline

GX's Data Docs pull Bootstrap, jQuery and Vega from CDNs; after each build
csops/quality/data_docs.py points them at vendored copies, so they open offline, styled.
The summary page has inline CSS, no scripts, and links to them.

Great Expectations is imported inside functions (it costs seconds to import).
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from csops.quality.data_docs import make_site_offline
from csops.quality.suites import ERROR, SUITES, WARNING

if TYPE_CHECKING:
    import pandas

DATASOURCE_NAME = "csops"
BATCH_DEFINITION_NAME = "whole_dataframe"
DATA_DOCS_SITE_NAME = "local_site"
# The Data Docs index re-reads every stored validation result on each build; the cap
# keeps a long-lived quality folder from making every run slower than the last.
DATA_DOCS_INDEX_LIMIT = 200
# How many unexpected values a summary quotes.
EXAMPLES_SHOWN = 5
# A frame may carry where each row came from ("<file>:<line>"); the summary then says where
# every unexpected row is (GX quotes up to 20), so an auditor can open the file at the line.
SOURCE_POSITION_COLUMN = "source_position"

_REMOTE_ASSET = re.compile(r"<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


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
    return _with(result, result_file=Path(path))


def validate_dataframe(df: pandas.DataFrame, table: str, quality_dir: Path, run_id: str,
                       subject: str | None = None) -> QualityResult:
    """Validate ``df`` (the contents of ``table``) against the table's suite.

    Rebuilds the GX objects idempotently in a file context at ``quality_dir / "gx"``,
    runs the checkpoint (which updates the Data Docs), then writes the result JSON and
    the offline summary page. Raises ``KeyError`` for a table without a suite.
    """
    if table not in SUITES:
        raise KeyError(f"no expectation suite for {table!r}; known tables: {sorted(SUITES)}")
    _check_file_name_part("run_id", run_id)
    quality_dir = Path(quality_dir)
    started = time.perf_counter()
    validated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    with _exclusive(quality_dir):
        context = _file_context(quality_dir)
        validation_result, result_identifier, suite = _run_checkpoint(context, df, table, SUITES[table](), run_id)
        index, page = _data_docs_paths(context, result_identifier)
        if index is not None:  # GX just rewrote the index and this run's page, with CDN links
            make_site_offline(index.parent)

    outcomes = _outcomes(validation_result, suite)
    blocking = sum(1 for outcome in outcomes if not outcome.success and outcome.severity == ERROR)
    warnings = sum(1 for outcome in outcomes if not outcome.success and outcome.severity == WARNING)
    result = QualityResult(
        table=table,
        run_id=run_id,
        success=blocking == 0,
        expectations=outcomes,
        blocking_failures=blocking,
        warnings=warnings,
        row_count=len(df),
        validated_at=validated_at,
        duration_seconds=0.0,
        data_docs_index=index,
        data_docs_page=page,
        data_docs_need_internet=_references_remote_assets(page or index),
    )

    # One suite can validate several frames in a run (the freshness of each raw table): the
    # subject keeps their result files apart.
    report = report_path(quality_dir, run_id, subject or table)
    report.parent.mkdir(parents=True, exist_ok=True)
    result = _with(result, offline_report=report)
    report.write_text(render_offline_report(result, report.parent), encoding="utf-8")

    result = _with(result, duration_seconds=round(time.perf_counter() - started, 3))
    target = result_path(quality_dir, run_id, subject or table)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_json_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, target)
    return _with(result, result_file=target)


# --- GX ---------------------------------------------------------------------------


def _file_context(quality_dir: Path):
    """The GX file context at ``quality_dir / "gx"``, configured to stay quiet.

    GX 1.24.1 ships no usage-statistics client (``analytics_enabled`` is kept in the
    config only for compatibility) and never calls its PyPI version check; we still
    write ``analytics_enabled: false`` so the intent is on record. Progress bars are
    switched off, and the Data Docs index is capped (see DATA_DOCS_INDEX_LIMIT).
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # project_root_dir scaffolds (or reuses) <project_root_dir>/gx.
    context = gx.get_context(mode="file", project_root_dir=quality_dir)
    variables = context.variables
    changed = False
    if variables.analytics_enabled is not False:
        variables.analytics_enabled = False
        changed = True
    # Freshly set it is a ProgressBarsConfig, read back from the yml a dict; both index.
    progress = variables.progress_bars
    if progress is None or progress["globally"] is not False or progress["metric_calculations"] is not False:
        variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        changed = True
    sites = dict(variables.data_docs_sites or {})
    site = dict(sites.get(DATA_DOCS_SITE_NAME) or {})
    index_builder = dict(site.get("site_index_builder") or {"class_name": "DefaultSiteIndexBuilder"})
    if site and index_builder.get("validation_results_limit") != DATA_DOCS_INDEX_LIMIT:
        index_builder["validation_results_limit"] = DATA_DOCS_INDEX_LIMIT
        site["site_index_builder"] = index_builder
        sites[DATA_DOCS_SITE_NAME] = site
        variables.data_docs_sites = sites
        changed = True
    if changed:
        variables.save()
    return context


def _batch_definition(context, table: str):
    """Get or create datasource -> dataframe asset -> whole-dataframe batch definition.

    ``add_or_update_pandas`` would replace the datasource with an empty one and give
    every asset a new id on each run, so existing objects are looked up first.
    """
    try:
        datasource = context.data_sources.get(DATASOURCE_NAME)
    except KeyError:
        datasource = context.data_sources.add_pandas(name=DATASOURCE_NAME)
    try:
        asset = datasource.get_asset(table)
    except LookupError:
        asset = datasource.add_dataframe_asset(name=table)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION_NAME)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)


def _run_checkpoint(context, df: pandas.DataFrame, table: str, suite, run_id: str):
    # SUMMARY quotes up to 20 unexpected values per expectation: enough to act on, and it
    # never copies a whole column into the result store.
    result_format: dict[str, Any] = {"result_format": "SUMMARY"}
    if SOURCE_POSITION_COLUMN in df.columns:
        result_format["unexpected_index_column_names"] = [SOURCE_POSITION_COLUMN]
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    batch_definition = _batch_definition(context, table)
    suite = context.suites.add_or_update(suite)
    validation_definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=table, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=table,
            validation_definitions=[validation_definition],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[DATA_DOCS_SITE_NAME])],
            result_format=result_format,
        )
    )
    checkpoint_result = checkpoint.run(
        batch_parameters={"dataframe": df},
        run_id=RunIdentifier(run_name=run_id),
    )
    ((result_identifier, validation_result),) = checkpoint_result.run_results.items()
    return validation_result, result_identifier, validation_definition.suite


def _data_docs_paths(context, result_identifier) -> tuple[Path | None, Path | None]:
    def local_path(urls: list[dict]) -> Path | None:
        for site in urls:
            url = site.get("site_url")
            if url and url.startswith("file://"):
                path = Path(url2pathname(urlparse(url).path))
                if path.exists():
                    return path
        return None

    index = local_path(context.get_docs_sites_urls(site_name=DATA_DOCS_SITE_NAME))
    page = local_path(
        context.get_docs_sites_urls(resource_identifier=result_identifier, site_name=DATA_DOCS_SITE_NAME)
    )
    return index, page


# --- turning GX's result into ours ------------------------------------------------


def _outcomes(validation_result, suite) -> tuple[ExpectationOutcome, ...]:
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


# --- the offline report ---------------------------------------------------------------


def _references_remote_assets(html_file: Path | None) -> bool:
    """Whether a page loads stylesheets or scripts over the network."""
    if html_file is None or not html_file.exists():
        return False
    return bool(_REMOTE_ASSET.search(html_file.read_text(encoding="utf-8", errors="replace")))


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1f2328; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
.meta { color: #57606a; margin: 0.2rem 0 1rem; }
.verdict { display: inline-block; padding: 0.3rem 0.8rem; border-radius: 4px; font-weight: 600; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; }
.warn { background: #fff8c5; color: #7d4e00; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.status { font-weight: 600; white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; }
.note { color: #57606a; font-size: 0.85rem; margin-top: 1rem; }
"""


def render_offline_report(result: QualityResult, base_dir: Path) -> str:
    """A self-contained HTML page: inline CSS, no scripts, no remote links.

    Links to the GX Data Docs are relative to ``base_dir`` (the report's folder), so
    the quality folder can be copied elsewhere as a whole.
    """
    esc = html.escape
    if not result.success:
        verdict = f'<span class="verdict fail">FAILED: {result.blocking_failures} blocking failure(s)</span>'
    elif result.warnings:
        verdict = f'<span class="verdict warn">PASSED with {result.warnings} warning(s)</span>'
    else:
        verdict = '<span class="verdict pass">PASSED</span>'

    rows = []
    for outcome in result.expectations:
        if outcome.success:
            status, css = "pass", "pass"
        elif outcome.severity == ERROR:
            status, css = "FAIL", "fail"
        else:
            status, css = "WARN", "warn"
        rows.append(
            "<tr>"
            f'<td class="status {css}">{status}</td>'
            f"<td>{esc(outcome.severity)}</td>"
            f"<td><code>{esc(outcome.expectation_type)}</code></td>"
            f"<td>{esc(', '.join(outcome.columns))}</td>"
            f"<td>{esc(outcome.parameters)}</td>"
            f"<td>{esc(outcome.observed)}</td>"
            "</tr>"
        )

    links = []
    for label, target in (("this validation in GX Data Docs", result.data_docs_page), ("GX Data Docs index", result.data_docs_index)):
        if target is not None:
            href = Path(os.path.relpath(target, base_dir)).as_posix()
            links.append(f'<a href="{esc(href, quote=True)}">{esc(label)}</a>')
    docs_note = ""
    if links:
        docs_note = "Full detail: " + " | ".join(links) + "."
        if result.data_docs_need_internet:
            docs_note += " GX Data Docs load their styles and scripts from CDNs; without internet they open unstyled."

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Quality: {esc(result.table)} ({esc(result.run_id)})</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Data quality: {esc(result.table)}</h1>
<p class="meta">run <code>{esc(result.run_id)}</code> &middot; validated {esc(result.validated_at)} &middot; {result.row_count} rows &middot; {len(result.expectations)} expectations</p>
<p>{verdict}</p>
<table>
<thead><tr><th>result</th><th>severity</th><th>expectation</th><th>column(s)</th><th>parameters</th><th>observed</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="note">A failed <b>error</b> blocks publication of the marts; a failed <b>warning</b> is reported only. {docs_note}</p>
</body>
</html>
"""


# --- small helpers ----------------------------------------------------------------------


def _with(result: QualityResult, **changes: Any) -> QualityResult:
    return replace(result, **changes)


def _check_file_name_part(name: str, value: str) -> None:
    if not value or "/" in value or "\\" in value or value in (".", ".."):
        raise ValueError(f"{name} must be usable in a file name, got {value!r}")


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Serialise GX work on the context under ``directory``: it rewrites great_expectations.yml on changes,
    and two processes doing that at once (parallel asset checks) could corrupt it."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks in the stdlib; run unguarded.
        yield
        return
    with open(directory / ".gx.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
