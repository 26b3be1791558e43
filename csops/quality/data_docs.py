"""Make GX Data Docs open offline, styled.

Auditors read the Data Docs on machines without internet, but GX 1.24.1's HTML templates
load Bootstrap 4.3.1, jQuery 3.7.1, popper, bootstrap-table, Font Awesome, a datepicker,
a dark-mode sheet and Vega from CDNs, and the navbar logo from S3. Offline those pages
render unstyled and the index, whose list of validations bootstrap-table builds from
inline data, shows no validations at all.

:func:`make_site_offline` fixes a built site in place:

* it copies Bootstrap, jQuery and Font Awesome, vendored from the ``xstatic-*`` Python
  packages, into ``<site>/static/vendor/``. Their versions differ slightly from GX's CDN
  ones (Bootstrap 4.5.3 for 4.3.1, whose bundle includes popper; Font Awesome 6.2.1 for
  6.6.0, which still has the icon names GX uses);
* every page's remote ``<link>``/``<script>`` with a local counterpart then points to
  it by a relative path (pages sit at different depths); the others are dropped, each
  leaving an HTML comment naming what was dropped;
* ``<site>/static/csops/offline.js`` stands in for the dropped libraries that inline
  scripts call: a small ``$.fn.bootstrapTable`` that renders the rows as a plain
  Bootstrap table (sortable by clicking a header; the search, filters and paging of the
  real one are not reproduced) and a ``vegaEmbed`` that puts a note where a chart
  would go;
* the logo comes from GX's own ``static/images``, and other remote ``url(...)`` in
  inline CSS (only GX's dark-mode logo) become ``none``;
* GX's dark-mode overrides are switched off: they darken tables and the footer on the
  assumption that the dropped bootstrap-prefers-dark sheet darkens the rest, and alone
  would give dark tables on a white page. The pages are light in either scheme.

GX regenerates the index on every build and writes each new validation page, so this
runs after each checkpoint run: rewriting an already rewritten page leaves it byte for
byte unchanged, files are written only when they change, and a page carrying
:data:`OFFLINE_MARKER` (which GX's templates never write) is not even rewritten in memory.
Change the marker when the rewrite rules change, so that existing pages get the new rules.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import xstatic.pkg.bootstrap
import xstatic.pkg.font_awesome
import xstatic.pkg.jquery

VENDOR = "static/vendor"
SHIM = "static/csops/offline.js"
BOOTSTRAP_CSS = f"{VENDOR}/bootstrap/css/bootstrap.min.css"
BOOTSTRAP_JS = f"{VENDOR}/bootstrap/js/bootstrap.bundle.min.js"
JQUERY_JS = f"{VENDOR}/jquery/jquery.min.js"
FONT_AWESOME_CSS = f"{VENDOR}/font-awesome/css/all.min.css"
OFFLINE_MARKER = "<!-- made offline by csops: csops/quality/data_docs.py, rules v1 -->"
_MARKER_BYTES = OFFLINE_MARKER.encode("utf-8")

# Stand-ins for the libraries the pages' inline scripts call but that are not shipped.
_SHIM_SOURCE = Path(__file__).with_name("offline.js")
_BOOTSTRAP = Path(xstatic.pkg.bootstrap.BASE_DIR)
_JQUERY = Path(xstatic.pkg.jquery.BASE_DIR)
_FONT_AWESOME = Path(xstatic.pkg.font_awesome.BASE_DIR)


def _vendored_files() -> list[tuple[Path, str]]:
    """(installed file, destination relative to the site) for everything vendored."""
    files = [
        (_BOOTSTRAP / "css" / "bootstrap.min.css", BOOTSTRAP_CSS),
        (_BOOTSTRAP / "js" / "bootstrap.bundle.min.js", BOOTSTRAP_JS),
        (_JQUERY / "jquery.min.js", JQUERY_JS),
        (_FONT_AWESOME / "css" / "all.min.css", FONT_AWESOME_CSS),
        (_FONT_AWESOME / "LICENSE.txt", f"{VENDOR}/font-awesome/LICENSE.txt"),
    ]
    # all.min.css refers to ../webfonts/*.woff2 and *.ttf
    for font in sorted((_FONT_AWESOME / "webfonts").iterdir()):
        files.append((font, f"{VENDOR}/font-awesome/webfonts/{font.name}"))
    return files


_URL = r"(?:https?:)?//[^\"'\s>]+"
_REMOTE_SCRIPT = re.compile(
    rf"<script\b[^>]*\ssrc\s*=\s*([\"']?)(?P<url>{_URL})\1[^>]*>\s*</script\s*>", re.IGNORECASE
)
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\shref\s*=\s*([\"']?)(?P<url>{_URL})\1[^>]*>", re.IGNORECASE)
_REMOTE_IMG_SRC = re.compile(rf"(?P<head><img\b[^>]*?)\ssrc\s*=\s*([\"']?)(?P<url>{_URL})\2", re.IGNORECASE)
_REMOTE_CSS_URL = re.compile(rf"url\(\s*([\"']?)(?P<url>{_URL})\1\s*\)", re.IGNORECASE)
_DARK_MODE = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_NO_DARK_MODE = "@media not all /* offline: needs the dropped bootstrap-prefers-dark sheet */"
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_JQUERY_NAME = re.compile(r"jquery(?:-\d+(?:\.\d+)*)?(?:\.slim)?(?:\.min)?\.js")


def make_site_offline(site_dir: Path) -> None:
    """Vendor the libraries into ``site_dir`` and point every page at them (see module doc).

    Idempotent; when nothing changed it only reads the pages. Does nothing if the site
    has not been built.
    """
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        return
    for source, target in _vendored_files():
        _copy_if_outdated(source, site_dir / target)
    _write_if_changed(site_dir / SHIM, _SHIM_SOURCE.read_bytes())
    for page in sorted(site_dir.rglob("*.html")):
        if page.is_relative_to(site_dir / "static"):
            continue
        raw = page.read_bytes()
        if _MARKER_BYTES in raw:
            continue
        rewritten = rewrite_page(raw.decode("utf-8"), page, site_dir).encode("utf-8")
        if rewritten != raw:
            _replace(page, rewritten)


def rewrite_page(text: str, page: Path, site_dir: Path) -> str:
    """``text`` (the page at ``page`` in ``site_dir``) loading nothing from the network."""

    up = Path(os.path.relpath(site_dir, page.parent)).as_posix()  # "." or "../.."

    def relative(target: str) -> str:
        return target if up == "." else f"{up}/{target}"

    emitted: set[str] = set()

    def asset(match: re.Match, kind: str) -> str:
        url = match.group("url")
        local = _local_counterpart(url)
        if local is None or not local.endswith(kind) or local in emitted:
            # A dropped stylesheet or script; its URL stays on record in a comment.
            return f"<!-- offline: dropped {_comment_safe(url)} -->"
        emitted.add(local)
        if kind == ".css":
            return f'<link rel="stylesheet" href="{relative(local)}">'
        # Plain tags: integrity hashes are the CDN files', and crossorigin fails on file://.
        return f'<script src="{relative(local)}"></script>'

    # Remember what the page already loads locally, so a second pass adds no duplicates.
    for local in (BOOTSTRAP_CSS, BOOTSTRAP_JS, JQUERY_JS, FONT_AWESOME_CSS):
        if f'"{relative(local)}"' in text:
            emitted.add(local)
    text = _REMOTE_SCRIPT.sub(lambda match: asset(match, ".js"), text)
    text = _REMOTE_LINK.sub(lambda match: asset(match, ".css"), text)

    def image(match: re.Match) -> str:
        name = urlsplit(_absolute(match.group("url"))).path.rsplit("/", 1)[-1]
        if name and (site_dir / "static" / "images" / name).is_file():
            return f'{match.group("head")} src="{relative(f"static/images/{name}")}"'
        return match.group("head")  # no src: the alt text shows instead

    text = _REMOTE_IMG_SRC.sub(image, text)
    text = _REMOTE_CSS_URL.sub("none", text)
    text = _DARK_MODE.sub(_NO_DARK_MODE, text)

    added = [tag for tag in (f'<script src="{relative(SHIM)}"></script>', OFFLINE_MARKER) if tag not in text]
    if added:
        # After the library scripts in <head>, before any inline script in <body>.
        head_end = _HEAD_END.search(text)
        at = head_end.start() if head_end else 0
        text = text[:at] + "\n".join(added) + "\n" + text[at:]
    return text


def _local_counterpart(url: str) -> str | None:
    """The vendored file standing in for a CDN URL, or None."""
    path = urlsplit(_absolute(url)).path.lower()
    name = path.rsplit("/", 1)[-1]
    if name in ("bootstrap.min.css", "bootstrap.css"):
        return BOOTSTRAP_CSS
    if name in ("bootstrap.min.js", "bootstrap.js", "bootstrap.bundle.min.js", "bootstrap.bundle.js"):
        return BOOTSTRAP_JS  # the bundle includes popper, so popper.js itself is dropped
    if _JQUERY_NAME.fullmatch(name):
        return JQUERY_JS
    if ("font-awesome" in path or "fontawesome" in path) and name in ("all.min.css", "all.css"):
        return FONT_AWESOME_CSS
    return None


def _absolute(url: str) -> str:
    return "https:" + url if url.startswith("//") else url


def _comment_safe(text: str) -> str:
    return text.replace("--", "%2D%2D").replace(">", "%3E")


def _copy_if_outdated(source: Path, target: Path) -> None:
    """Copy unless ``target`` has the same size and modification time (copy2 keeps it)."""
    stat = source.stat()
    try:
        current = target.stat()
        if current.st_size == stat.st_size and abs(current.st_mtime - stat.st_mtime) < 1:
            return
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copy2(source, tmp)
    os.replace(tmp, target)


def _write_if_changed(target: Path, content: bytes) -> None:
    try:
        if target.read_bytes() == content:
            return
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, content)


def _replace(target: Path, content: bytes) -> None:
    """Write via a temporary file, so a browser never reads half a page."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)
