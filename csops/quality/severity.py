"""How bad a failed expectation is, said once for every suite.

Every expectation carries ``meta={"severity": ...}``:

- ``error``: the table breaks its grain, its structure or a KPI's range, so a number on
  the dashboard would be wrong. A failed error blocks publication.
- ``warning``: the numbers are still right but something needs a look (e.g. a channel
  the channel map does not know yet, whose rows are correct but unlabelled). Reported,
  never blocking.

GX's own ``severity`` field is set to match (critical / warning) so that its Data Docs
tell the same story. Great Expectations is imported inside the functions: importing it costs
seconds, and modules that the CLI or the app import eagerly must stay cheap to import.
"""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


def severity_kwargs(severity: str) -> dict:
    from great_expectations.expectations.metadata_types import FailureSeverity

    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    gx_severity = FailureSeverity.CRITICAL if severity == ERROR else FailureSeverity.WARNING
    return {"meta": {"severity": severity}, "severity": gx_severity}


def unique(columns: list[str], **kwargs):
    """GX has one expectation for a single column's uniqueness and another for several."""
    import great_expectations.expectations as gxe

    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], **kwargs)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, **kwargs)
