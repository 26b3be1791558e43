"""What a customer typed, with their contact details taken out, before csops keeps or shows it.

One function, :func:`redact`, for every place a customer's text can surface: a survey comment
published in a mart, a rejected row's reason in the audit trail, a value the app shows. Total:
any text (None included) gives text or None, never an exception.

(First version: the privacy work of issue 15 replaces the patterns with a maintained
library's where one fits.)
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]+", re.UNICODE)
PHONE = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")


def redact(text: str | None) -> str | None:
    """``text`` with emails as ``[email]`` and phone numbers as ``[phone]``."""
    if not isinstance(text, str):
        return text
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))
