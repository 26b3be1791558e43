"""Keys written twice in a JSON document: found as it is read, because a parser keeps only one
of the values (DuckDB the first, orjson and Python the last), so no reader after it can see them.
csops/orchestration/deliveries.py rejects the records that hold one.
"""

from __future__ import annotations

import json

import orjson


class _Object(dict):
    """A JSON object that had keys more than once (the last value kept, as orjson keeps it)."""

    __slots__ = ("repeated",)


def _object_of_pairs(pairs: list[tuple[str, object]]) -> dict:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    marked, seen = _Object(value), set()
    marked.repeated = list(dict.fromkeys(key for key, _ in pairs if key in seen or seen.add(key)))
    return marked


_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=_object_of_pairs)


def with_repeated_keys(value, text: str) -> tuple[object, bool]:
    r"""The document, read again with each object's keys counted when one may be repeated.

    Cheap test first (the whole load pays it): the document written back by orjson holds as
    many quote characters as its text only if no key was dropped. A string's quotes are ``\"``
    or ``\u0022`` in the text and ``\"`` in orjson's, and a dropped key takes two quotes with it;
    an escape spelled otherwise only makes a document be read again for nothing."""
    try:
        if orjson.dumps(value).count(b'"') == text.count('"') + text.count("\\u0022"):
            return value, False
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate: count the keys
        pass
    try:
        return _PAIRS_DECODER.decode(text), True
    except json.JSONDecodeError:  # not one document (a JSON text sequence's separators): as orjson read it
        return value, False


def repeated_keys(value, path: str = "") -> list[str]:
    """The paths (``Agent.Username``, ``Contacts[0].State``) of the keys written twice in a value."""
    found = []
    if isinstance(value, dict):
        if isinstance(value, _Object):
            found.extend(f"{path}{key}" for key in value.repeated)
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                found.extend(repeated_keys(item, f"{path}{key}."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                found.extend(repeated_keys(item, f"{path.removesuffix('.')}[{index}]."))
    return found


def duplicated_key_reason(paths: list[str]) -> str:
    return "duplicated key: " + ", ".join(f'"{path}"' for path in paths)
