"""The offline summary of one validation: a self-contained HTML page (inline CSS, no scripts,
no remote links) that opens anywhere, linking to the GX Data Docs relatively.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from csops.quality.results import QualityResult
from csops.quality.severity import ERROR

_REMOTE_ASSET = re.compile(r"<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


def references_remote_assets(html_file: Path | None) -> bool:
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
