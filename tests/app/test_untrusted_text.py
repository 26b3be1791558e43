"""Values from the URL or the data are shown as the text they are, never as Markdown: no link, no
image fetched from elsewhere, no emphasis. The served app's check (no request leaves 127.0.0.1)
is in ``test_served_app.py``.

What the browser shows is read here by rendering an element's Markdown with markdown-it
(CommonMark, as Streamlit's renderer parses it) and, for the GFM autolinks Streamlit adds after
parsing, by searching the rendered text with the regular expressions of Streamlit's frontend.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from csops.app.components import code, plain
from tests.app.pages import APP_ENTRY_POINT, assert_no_exception, widget

EVIL_CHANNEL = "[Your session expired](https://evil.example/login)"
EVIL_TEAM = "![x](http://203.0.113.9/t.png)"
NASTY = [
    EVIL_CHANNEL,
    EVIL_TEAM,
    "<img src=x onerror=alert(1)> <a href='https://evil.example'>x</a>",
    "visit https://evil.example/login or www.evil.example, mail boss@evil.example",
    "**bold** _it_ `code` ~~gone~~ $x^2$ :red[red] :material/block: :smile:",
    "# heading\n- item\n1. first\n> quote\n---",
    "a\\*b ``two`` `",
    "Tier 1 – East (night) & co.",
]
# Streamlit's frontend (remark-gfm) turns these into links in the text it has parsed.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
_MARKDOWN = MarkdownIt("commonmark")
_TAG = re.compile(r"<[^>]*>")
_CODE_SPAN = re.compile(r"<code>.*?</code>", re.DOTALL)
WORD_JOINER = "\u2060"


def rendered(markdown: str) -> tuple[str, str]:
    """(the HTML markdown-it makes of ``markdown``, its text as the browser holds it)."""
    made = _MARKDOWN.renderInline(markdown)
    return made, html.unescape(_TAG.sub("", made))


def assert_literal(markdown: str, expected_text: str, tags: tuple[str, ...] = ()) -> None:
    """``markdown`` shows ``expected_text`` and makes no HTML but ``tags`` (the surrounding Markdown's)."""
    made, text = rendered(markdown)
    assert tuple(_TAG.findall(made)) == tags, made
    linkable = html.unescape(_TAG.sub("", _CODE_SPAN.sub(" ", made)))  # autolinks skip code spans
    assert not GFM_URL.search(linkable) and not GFM_EMAIL.search(linkable), linkable
    assert text.replace(WORD_JOINER, "") == expected_text


@pytest.mark.parametrize("value", NASTY)
def test_plain_shows_the_text_as_it_is(value):
    text = " ".join(value.split("\n"))
    assert_literal(plain(value), text)
    assert_literal(f"The team **{plain(value)}** has no rows.", f"The team {text} has no rows.",
                   tags=("<strong>", "</strong>"))


@pytest.mark.parametrize("value", NASTY)
def test_code_shows_the_text_as_it_is(value):
    markdown = code(value)
    assert markdown.startswith("`") and markdown.endswith("`")
    assert_literal(markdown, " ".join(value.split("\n")), tags=("<code>", "</code>"))


def test_markdown_in_url_filters_is_dropped_with_a_plain_text_notice(published_home):
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=30)
    app.query_params["channel"] = [EVIL_CHANNEL, "phone"]
    app.query_params["team"] = EVIL_TEAM
    app.run()
    assert_no_exception(app)

    # The known channel is kept, the others are dropped, and the address bar says so.
    assert widget(app.sidebar.multiselect, "Channels").value == ["phone"]
    assert app.query_params["channel"] in ("phone", ["phone"]) and "team" not in app.query_params
    (notice,) = [caption.value for caption in app.sidebar.caption if "left out" in caption.value]
    assert_literal(notice, f"Not in this publication, so left out: channel {EVIL_CHANNEL!r}, team {EVIL_TEAM!r}")

    # Nowhere on the page does either value become a link or an image.
    elements = [*app.markdown, *app.caption, *app.info, *app.warning, *app.error, *app.success, *app.title,
                *app.header, *app.subheader]
    assert any("left out" in element.value for element in elements)
    for element in elements:
        made, text = rendered(element.value)
        assert not re.search(r"(https?://|www(?=\.))(evil\.example|203\.0\.113\.9)", text), element.value
        assert not re.search(r"<(a|img)\b[^>]*(evil\.example|203\.0\.113\.9)", made), element.value
