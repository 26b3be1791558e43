"""Run a table's expectation suite on a DataFrame and keep what the auditor needs.

The pipeline reads a frame out of DuckDB into pandas (csops/orchestration/raw_frames.py and
model_frames.py write its SQL) and calls :func:`validate_dataframe`.
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
The summary page (csops/quality/offline_report.py) has inline CSS, no scripts, and links to them.

Great Expectations is imported inside functions (it costs seconds to import).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from csops.quality.data_docs import make_site_offline
from csops.quality.offline_report import references_remote_assets, render_offline_report
from csops.quality.outcomes import SOURCE_POSITION_COLUMN, outcomes
from csops.quality.results import QualityResult, report_path, result_path
from csops.quality.severity import ERROR, WARNING
from csops.quality.suites import SUITES

if TYPE_CHECKING:
    import pandas

DATASOURCE_NAME = "csops"
BATCH_DEFINITION_NAME = "whole_dataframe"
DATA_DOCS_SITE_NAME = "local_site"
# The Data Docs index re-reads every stored validation result on each build; the cap
# keeps a long-lived quality folder from making every run slower than the last.
DATA_DOCS_INDEX_LIMIT = 200


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

    found = outcomes(validation_result, suite)
    blocking = sum(1 for outcome in found if not outcome.success and outcome.severity == ERROR)
    warnings = sum(1 for outcome in found if not outcome.success and outcome.severity == WARNING)
    result = QualityResult(
        table=table,
        run_id=run_id,
        success=blocking == 0,
        expectations=found,
        blocking_failures=blocking,
        warnings=warnings,
        row_count=len(df),
        validated_at=validated_at,
        duration_seconds=0.0,
        data_docs_index=index,
        data_docs_page=page,
        data_docs_need_internet=references_remote_assets(page or index),
    )

    # One suite can validate several frames in a run (the freshness of each raw table): the
    # subject keeps their result files apart.
    report = report_path(quality_dir, run_id, subject or table)
    report.parent.mkdir(parents=True, exist_ok=True)
    result = replace(result, offline_report=report)
    report.write_text(render_offline_report(result, report.parent), encoding="utf-8")

    result = replace(result, duration_seconds=round(time.perf_counter() - started, 3))
    target = result_path(quality_dir, run_id, subject or table)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_json_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, target)
    return replace(result, result_file=target)


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


# --- small helpers ----------------------------------------------------------------------


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
