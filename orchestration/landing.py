"""What has landed under ``landing/``: the files each load reads, with their landing day, and
what tells a file changed since it was loaded.

No DuckDB here: the sensor reads this while a run holds the warehouse.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

from csops.paths import SOURCES
from orchestration.deliveries import landing_day


class FileStamp(NamedTuple):
    """What tells a landed file changed, without reading it."""

    size_bytes: int
    modified_ns: int


class LandedFile(NamedTuple):
    path: Path
    name: str  # relative to the landing folder: <source>/<...>/<file>
    day: date  # the landing day its path names (the partition)


NO_DAY = ("no landing day in its path: put it in a YYYY-MM-DD folder, or keep the UTC YYYY/MM/DD/HH/ "
          "prefix Firehose writes")


def source_files(landing: Path, source: str) -> tuple[list[LandedFile], list[tuple[str, str]]]:
    """Every file under ``landing/<source>/``, at any depth, in path order: those whose path
    names a landing day, and the others with the reason they cannot be loaded."""
    folder = landing / source
    if not folder.is_dir():
        return [], []
    landed, unread = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(landing))
        day = landing_day(str(path.relative_to(folder)))
        if day is None:
            unread.append((name, NO_DAY))
        else:
            landed.append(LandedFile(path, name, day))
    return landed, unread


def unplaced_files(landing: Path) -> list[tuple[str, str]]:
    """Files under landing/ that no load will read, with why: outside the source folders, or
    with no landing day in their path. (Files a load reads but cannot use are in audit.unread_files.)"""
    if not landing.is_dir():
        return []
    found = []
    for path in sorted(landing.iterdir()):
        if path.name in SOURCES and path.is_dir():
            found += source_files(landing, path.name)[1]
        else:
            found += [(str(p.relative_to(landing)), f"not under a source folder ({', '.join(SOURCES)})")
                      for p in ([path] if path.is_file() else sorted(q for q in path.rglob("*") if q.is_file()))]
    return found


def file_stamp(path: Path) -> FileStamp:
    stat = path.stat()
    return FileStamp(stat.st_size, stat.st_mtime_ns)


def landed_inventory(landing: Path) -> dict[str, FileStamp]:
    """Every landed file a load reads (``source/.../file``, its path naming a landing day), with
    its size and modification time."""
    return {file.name: file_stamp(file.path) for source in SOURCES for file in source_files(landing, source)[0]}


def stale_days(landed: dict[str, FileStamp], loaded: dict[str, FileStamp]) -> list[date]:
    """Landing days to (re)load: those with a file new, changed (size or modification time)
    or gone since it was loaded. A day whose files are as they were loaded is left alone, so
    a late file reloads its own day only and loading again changes nothing. Size and time,
    not content: a file rewritten unchanged reloads its day, which changes nothing."""
    changed = {name for name, stamp in landed.items() if loaded.get(name) != stamp} | (loaded.keys() - landed.keys())
    return sorted({day for name in changed if (day := day_of_name(name)) is not None})


def day_of_name(name: str) -> date | None:
    """The landing day of a landed file's name (``<source>/.../<file>``)."""
    source, _, rest = name.partition("/")
    return landing_day(rest)
