"""The Data Docs and quality reports, served read-only beside the app so that the app can link to them.

Browsers refuse ``file://`` links from an ``http://`` page, and Streamlit's own static
serving only reaches a folder next to the app's script, not the data folder. So the app
process serves ``CSOPS_HOME/quality`` itself, on 127.0.0.1 and a port of its own, once per
server process (``st.cache_resource``). The pages are static HTML that open offline
(expectations/data_docs.py), so nothing but files is served.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import streamlit as st

from csops.paths import csops_home

DATA_DOCS_INDEX = Path("gx/uncommitted/data_docs/local_site/index.html")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        """The app's terminal is for the app: no line per file served."""


@st.cache_resource(show_spinner=False)
def _server(quality_dir: str) -> str:
    handler = functools.partial(_QuietHandler, directory=quality_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="csops-quality-docs", daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def data_docs_url() -> str | None:
    """The Data Docs index's address, or None before any check has built it."""
    quality_dir = csops_home().quality
    if not (quality_dir / DATA_DOCS_INDEX).exists():
        return None
    return f"{_server(str(quality_dir))}/{DATA_DOCS_INDEX.as_posix()}"
