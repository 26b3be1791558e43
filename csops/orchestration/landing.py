"""What has landed under ``landing/``: the files each load reads, with their landing day, every
other path with why it is not read, and what tells a file changed since it was loaded.

No DuckDB here: the sensor reads this while a run holds the warehouse.

- Every path under landing/ is accounted for: a file a load reads, or a line saying why not
  (no landing day in its path, outside the source folders, a link, unreadable, not a file).
- Links are never followed (a link out of landing/ could make csops read, and store in its
  audit trail, any file on the machine; a link inside landing/ would read its target twice,
  under two names and maybe two days). landing/ itself may be a link: it is resolved once.
- A file changed when its content did (SHA-256), not only its size or time: a corrected
  re-delivery copied with its times kept (``rsync -t``, ``cp -p``, unzip) is seen. The digests
  are kept in a cache keyed by what a rewrite cannot keep (size, mtime, ctime, inode: ctime is
  set by the kernel on every write and cannot be set back), so only files touched since are read.
- Landing is not the system of record: a file gone from landing/ is no reason to reload its
  day; its rows stay until ``csops drop`` (csops/orchestration/drops.py) removes them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

from csops.kernel.paths import SOURCES
from csops.orchestration.files import landing_day


class FileStamp(NamedTuple):
    """What tells a landed file changed: its content's digest (and its size and time, for the log)."""

    size_bytes: int
    modified_ns: int
    sha256: str = ""


class LandedFile(NamedTuple):
    path: Path
    name: str  # relative to the landing folder: <source>/<...>/<file>
    day: date  # the landing day its path names (the partition)


NO_DAY = ("no landing day in its path: put it in a YYYY-MM-DD folder, or keep the UTC YYYY/MM/DD/HH/ "
          "prefix Firehose writes")


def _walk(folder: Path, root: Path, files: list[tuple[Path, str]], refused: list[tuple[str, str]]) -> None:
    """Regular readable files under ``folder`` (path, name relative to ``root``), in path order;
    every other path, with why it is not read. Links are listed, never followed."""
    start = len(str(root)) + 1
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name, reverse=True)
        except OSError as error:
            refused.append((current[start:] + "/", f"a folder csops cannot list ({error.strerror}): "
                                                   "give csops's user permission to read it"))
            continue
        folders = []
        for entry in reversed(entries):
            name = entry.path[start:]
            try:
                if entry.is_symlink():
                    refused.append((name, _link_reason(Path(entry.path), root)))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif not entry.is_file(follow_symlinks=False):
                    refused.append((name, "not a regular file (a pipe, socket or device): csops reads files only"))
                elif not os.access(entry.path, os.R_OK):
                    refused.append((name, "cannot be read (permission denied): give csops's user permission to read it"))
                else:
                    files.append((Path(entry.path), name))
            except OSError as error:  # gone or changed while listed
                refused.append((name, f"cannot be read ({error.strerror})"))
        pending += reversed(folders)
    files.sort(key=lambda pair: pair[1])


def _link_reason(path: Path, root: Path) -> str:
    target = os.path.realpath(path)
    if os.path.commonpath([target, str(root)]) != str(root):
        return "a link to a file outside landing/: never followed nor read (copy the export into landing/)"
    return (f"a link to {os.path.relpath(target, root)}, inside landing/: not followed (the file is read at its "
            "own path once; a link would load it twice)")


def source_files(landing: Path, source: str) -> tuple[list[LandedFile], list[tuple[str, str]]]:
    """Every file under ``landing/<source>/``, at any depth, in path order: those whose path
    names a landing day, and the other paths with the reason they cannot be loaded."""
    root = landing.resolve()
    folder = root / source
    if folder.is_symlink():
        return [], [(source, _link_reason(folder, root))]
    if not folder.is_dir():
        return [], []
    files, unread = [], []
    _walk(folder, root, files, unread)
    landed = []
    for path, name in files:
        day = landing_day(name.removeprefix(source + "/"))
        if day is None:
            unread.append((name, NO_DAY))
        else:
            landed.append(LandedFile(landing / name, name, day))
    return landed, unread


def unplaced_files(landing: Path) -> list[tuple[str, str]]:
    """Paths under landing/ that no load will read, with why: outside the source folders, with
    no landing day in their path, links, unreadable. (Files a load reads but cannot use are in
    audit.unread_files.)"""
    if not landing.is_dir():
        return []
    root = landing.resolve()
    found = []
    for path in sorted(root.iterdir()):
        if path.name in SOURCES and (path.is_dir() or path.is_symlink()):
            found += source_files(landing, path.name)[1]
            continue
        files: list[tuple[Path, str]] = []
        if path.is_symlink():
            found.append((path.name, _link_reason(path, root)))
        elif path.is_dir():
            _walk(path, root, files, found)
        else:
            files.append((path, path.name))
        found += [(name, f"not under a source folder ({', '.join(SOURCES)})") for _, name in files]
    return sorted(found)


def file_stamp(path: Path) -> FileStamp:
    """Size, time and content digest, read now (OSError if the file cannot be read)."""
    stat = path.stat()
    return FileStamp(stat.st_size, stat.st_mtime_ns, sha256_of(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def landed_inventory(landing: Path, hashes: Path | None = None) -> dict[str, FileStamp]:
    """Every landed file a load reads (``source/.../file``, its path naming a landing day), with
    its size, modification time and digest. ``hashes`` is a cache of digests (a JSON file csops
    owns): a file whose size, times and inode are as cached is not read again."""
    cache = _read_cache(hashes)
    fresh, inventory = {}, {}
    for file in (f for source in SOURCES for f in source_files(landing, source)[0]):
        try:
            stat = file.path.stat()
            key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
            cached = cache.get(file.name)
            digest = cached[4] if cached and cached[:4] == key else sha256_of(file.path)
        except OSError:
            continue  # gone or unreadable since listed: the next look sees it as it is then
        fresh[file.name] = [*key, digest]
        inventory[file.name] = FileStamp(stat.st_size, stat.st_mtime_ns, digest)
    if hashes is not None and fresh != cache:
        hashes.parent.mkdir(parents=True, exist_ok=True)
        staging = hashes.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(fresh))
        staging.replace(hashes)  # two writers at once: the last wins, and each is a whole cache
    return inventory


def _read_cache(hashes: Path | None) -> dict[str, list]:
    try:
        cache = json.loads(hashes.read_text()) if hashes is not None else {}
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def is_changed(landed: FileStamp, loaded: FileStamp | None) -> bool:
    """New, or another content than was loaded (by digest; by size and time where a digest is missing)."""
    if loaded is None:
        return True
    if landed.sha256 and loaded.sha256:
        return landed.sha256 != loaded.sha256
    return landed[:2] != loaded[:2]


def stale_days(landed: Mapping[str, FileStamp], loaded: Mapping[str, FileStamp]) -> list[date]:
    """Landing days to (re)load: those with a file new, or changed (its content) since it was
    loaded. A file gone from landing/ is no reason: its rows are kept (see :func:`gone_files`).
    A day whose files are as they were loaded is left alone, so a late file reloads its own day
    only, and a file copied or touched with the same content reloads nothing."""
    changed = {name for name, stamp in landed.items() if is_changed(stamp, loaded.get(name))}
    return sorted({day for name in changed if (day := day_of_name(name)) is not None})


def gone_files(loaded: Iterable[str], landing: Path) -> list[str]:
    """Files loaded (or read and listed as unusable) that are no longer a readable file under
    landing/: their rows stay in the warehouse until ``csops drop`` removes their day."""
    present = {file.name for source in SOURCES for file in source_files(landing, source)[0]}
    return sorted(name for name in loaded if name not in present)


def describe_gone(gone: Iterable[str]) -> list[str]:
    """One line per source and landing day of gone files, with how to drop them."""
    days: dict[tuple[str, date | None], int] = {}
    for name in gone:
        key = (name.partition("/")[0], day_of_name(name))
        days[key] = days.get(key, 0) + 1
    return [f"{source} {day}: {files} file{'s' * (files > 1)} gone from landing/, rows kept "
            f"(`csops drop --source {source} --day {day}` removes them)"
            for (source, day), files in sorted(days.items(), key=lambda item: (item[0][0], str(item[0][1])))]


def day_of_name(name: str) -> date | None:
    """The landing day of a landed file's name (``<source>/.../<file>``)."""
    source, _, rest = name.partition("/")
    return landing_day(rest)
