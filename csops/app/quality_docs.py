"""The Data Docs and quality reports, served read-only beside the app so that the app can link to them.

Browsers refuse ``file://`` links from an ``http://`` page, and Streamlit's own static
serving only reaches a folder next to the app's script, not the data folder. So the app
process serves ``CSOPS_HOME/quality`` itself, on 127.0.0.1 and a port of its own, once per
server process (``st.cache_resource``). The pages are static HTML that open offline
(csops/quality/data_docs.py), so nothing but files is served: a folder answers with its
``index.html``, or 404; it is never listed (the folder also holds every run's result files).
"""

from __future__ import annotations

import functools
import http.server
import threading
from http import HTTPStatus
from pathlib import Path

import streamlit as st

from csops.kernel.paths import csops_home

DATA_DOCS_INDEX = Path("gx/uncommitted/data_docs/local_site/index.html")


class _FilesOnlyHandler(http.server.SimpleHTTPRequestHandler):
    def list_directory(self, path):  # noqa: ARG002 - the stdlib's signature
        """Called for a folder without ``index.html``: not found, rather than its listing."""
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        """The app's terminal is for the app: no line per file served."""


def serve_files(directory: str) -> http.server.ThreadingHTTPServer:
    """Serve the files under ``directory`` on 127.0.0.1 and a free port, from a daemon thread."""
    handler = functools.partial(_FilesOnlyHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="csops-quality-docs", daemon=True).start()
    return server


@st.cache_resource(show_spinner=False)
def _server(quality_dir: str) -> str:
    return f"http://127.0.0.1:{serve_files(quality_dir).server_address[1]}"


def data_docs_url() -> str | None:
    """The Data Docs index's address, or None before any check has built it."""
    quality_dir = csops_home().quality
    if not (quality_dir / DATA_DOCS_INDEX).exists():
        return None
    return f"{_server(str(quality_dir))}/{DATA_DOCS_INDEX.as_posix()}"
