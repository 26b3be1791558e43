"""A landed file's path and bytes: the landing day its path names, what its name says it holds,
and its text, unpacked (gzip or ZIP, by their first bytes) and decoded, with the bytes that are
not UTF-8 kept so that only the records holding them are rejected (csops/orchestration/deliveries.py
reads the records)."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from datetime import date
from pathlib import Path, PurePosixPath

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"

# The landing day in a path, most specific first.
_DAY_PATTERNS = (
    re.compile(r"(?:^|/)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?=/)"),  # crm/2026-01-05/file
    re.compile(r"(?:^|/)(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})(?=/)"),  # Firehose: 2026/01/05/14/object
    re.compile(r"(?:^|/)(?:dt|date|day)=(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?=/)"),
    re.compile(r"(?:^|/)year=(?P<y>\d{4})/month=(?P<m>\d{1,2})/day=(?P<d>\d{1,2})(?=/)"),
)


class UnreadableFile(ValueError):
    """A file whose bytes csops cannot unpack or decode at all; the message says why."""


def landing_day(relative: str) -> date | None:
    """The landing day named by a path relative to the source folder, or None."""
    for pattern in _DAY_PATTERNS:
        for match in pattern.finditer(relative):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


def unpacked_text(path: Path) -> str:
    """The file's text: gunzipped or unzipped by its first bytes, UTF-8 (see undecodable_reason),
    without a byte-order mark."""
    data = path.read_bytes()
    try:
        if data.startswith(_GZIP_MAGIC):
            data = _gunzip(data)
        elif data.startswith(_ZIP_MAGIC):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise UnreadableFile(f"a ZIP archive of {len(members)} files: csops reads a ZIP holding one export")
                data = archive.read(members[0])
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise UnreadableFile(f"a compressed file that cannot be unpacked ({error})") from error
    # Bytes that are not UTF-8 (a Latin-1 line, a Windows-1252 export, noise) are kept as lone
    # surrogates (U+DC80-U+DCFF): the records that hold them are rejected one by one with the
    # byte (undecodable_reason), and the others load.
    return data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")


_UNDECODABLE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def holds_surrogates(text: str) -> bool:
    """Whether ``text`` holds lone surrogates (undecodable bytes), cheaply: an ASCII text cannot
    (CPython knows that without reading it), and encoding stops at the first one."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def valid_text(text: str) -> str:
    """``text`` with every lone surrogate (a byte that was not UTF-8) as U+FFFD, so it can be stored."""
    return _SURROGATE.sub("\ufffd", text)


def undecodable_reason(text: str) -> str | None:
    """Why a record's text cannot be read as UTF-8 (its first foreign byte and where), or None."""
    if not holds_surrogates(text):  # the common case, without a search through the text
        return None
    found = _UNDECODABLE.search(text)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    return (f"not UTF-8: byte 0x{byte:02x} at character {found.start() + 1} (the export must be UTF-8; "
            f"a Windows-1252 or Latin-1 file must be re-exported or converted)")


def unpacked_size(path: Path) -> int:
    """About how many bytes the file holds once unpacked, without unpacking it: a gzip member's
    trailer says (modulo 4 GiB), a ZIP's directory says; else its size."""
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
            if magic.startswith(_GZIP_MAGIC) and size >= 18:
                handle.seek(-4, 2)
                return max(size, int.from_bytes(handle.read(4), "little"))
        if magic == _ZIP_MAGIC:
            with zipfile.ZipFile(path) as archive:
                return max(size, sum(member.file_size for member in archive.infolist()))
    except (OSError, zipfile.BadZipFile):
        pass  # unreadable: the load says so, file by file
    return size


def _gunzip(data: bytes) -> bytes:
    # Firehose may concatenate gzip members; gzip.decompress reads them all.
    return gzip.decompress(data)


def streams_of_path(relative: str) -> list[str]:
    """What a file's name and folders say it holds, nearest first: ``tickets-0001.json``,
    ``tickets-part2.jsonl``, dlt's ``tickets/1712.abc.jsonl``, Airbyte's ``_airbyte_raw_tickets.jsonl``,
    a Firehose prefix ``ctr/2026/01/05/14/<object>``. Spelled as entities are (``contact_records``)."""
    path = PurePosixPath(relative)
    stem = re.sub(r"^_airbyte_raw_", "", path.name.split(".")[0])
    stem = re.sub(r"(-part\d+|-\d+|-late)+$", "", stem)
    names = [stem, *(folder for folder in reversed(path.parent.parts) if not re.fullmatch(r"\d+", folder))]
    return [name.lower().replace("-", "_") for name in names if name]
