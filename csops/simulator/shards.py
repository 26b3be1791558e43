"""A large center simulated as independent parts, side by side on the machine's cores.

A center of more than ``SHARD_MAX_AGENTS`` agents is split into shards with their own
agents, customers and queues (at that size a queue pools enough agents that splitting it
changes little). How many shards follows from the configuration alone, never from the
machine, so the bytes written do not depend on where the simulator runs.

Each shard writes its own part of every export, as real exports arrive in parts: its own
Firehose objects (their names carry a per-shard id), ``<name>-part<k>.<ext>`` of the others
(a one-shard center writes plain ``<name>.<ext>``). Nothing crosses between processes but a
count of records.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
from collections import Counter
from dataclasses import replace
from pathlib import Path

import orjson

from csops.simulator import exports
from csops.simulator.config import CenterConfig
from csops.simulator.engine import LandingDay, load_state, save_state, simulate_day, write_day_files, write_lines
from csops.simulator.population import population
from csops.simulator.roster import Roster

SHARD_MAX_AGENTS = 250


def shard_configs(config: CenterConfig) -> list[CenterConfig]:
    count = max(1, math.ceil(config.agents / SHARD_MAX_AGENTS))
    size, extra = divmod(config.agents, count)
    shards, offset = [], 0
    for index in range(count):
        agents = size + (1 if index < extra else 0)
        shards.append(replace(config, agents=agents, shard_index=index, agent_offset=offset,
                              customer_offset=offset * config.customers_per_agent))
        offset += agents
    return shards


def part_name(relative: str, shard: CenterConfig, shard_count: int) -> str:
    if shard_count == 1 or exports.is_firehose_object(relative):
        return relative
    folder, _, name = relative.rpartition("/")
    stem, _, extension = name.partition(".")
    return f"{folder}/{stem}-part{shard.shard_index}.{extension}"


def land_shard(shard: CenterConfig, shard_count: int, landing: Path, truth: Path, state_dir: Path) -> Counter:
    """Land this shard's days not landed yet; its state is saved once they are all out."""
    state_path = state_dir / f"shard-{shard.shard_index}.pickle"
    state = load_state(state_path, shard)
    roster = Roster(population(shard), shard)
    # The population and the carried state live for the whole run: move them out of the
    # collector's sight, and let it run less often (a day allocates millions of small,
    # acyclic objects, which reference counting frees without it).
    previous_threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(200_000, 20, 100)
    try:
        lines_written = _land_days(shard, shard_count, state, roster, landing, truth)
    finally:  # a one-shard center runs in the caller's process: leave its collector as it was
        gc.set_threshold(*previous_threshold)
        gc.unfreeze()
    save_state(state_path, state)
    return lines_written


def _land_days(shard: CenterConfig, shard_count: int, state, roster: Roster, landing: Path, truth: Path) -> Counter:
    lines_written: Counter = Counter()
    while state.next_day <= shard.end:
        day = simulate_day(shard, state, roster)
        files = day.files
        if shard.defects_rate > 0:
            files = _with_defects(shard, shard_count, state, day, landing, truth)
        write_day_files(landing, files, lambda relative: part_name(relative, shard, shard_count))
        for relative, units in files.items():
            lines_written[relative.split("/")[0]] += len(units)
        for relative, lines in day.truth.items():
            write_lines(truth / part_name(relative, shard, shard_count), lines)
    return lines_written


def _with_defects(shard: CenterConfig, shard_count: int, state, day: LandingDay, landing: Path, truth: Path):
    """Inject the configured faults into the day's files; deliver yesterday's late lines."""
    from csops.simulator.defects import inject_defects

    # Yesterday's late records arrive now, in files of their own (exports.late_name).
    write_day_files(landing, state.late_lines, lambda relative: part_name(relative, shard, shard_count))
    injected = inject_defects(day.day, day.files, shard.defects_rate, shard.seed * 1000 + shard.shard_index)
    state.late_lines = injected.withheld
    manifest = [orjson.dumps({**defect.to_json(), "file": part_name(defect.file, shard, shard_count)}).decode()
                for defect in injected.defects]
    write_lines(truth / part_name(f"{day.day.isoformat()}/defects.jsonl", shard, shard_count), manifest)
    return injected.files


def _worker(shard: CenterConfig, shard_count: int, landing: Path, truth: Path, state_dir: Path, results) -> None:
    try:
        results.put((shard.shard_index, land_shard(shard, shard_count, landing, truth, state_dir)))
    except BaseException as error:  # the parent raises it: a failed worker must not hang it
        results.put((shard.shard_index, error))
        raise


def land_shards(shards: list[CenterConfig], landing: Path, truth: Path, state_dir: Path) -> Counter:
    for shard in shards:  # a different center in this folder is refused before any work
        load_state(state_dir / f"shard-{shard.shard_index}.pickle", shard)
    if len(shards) == 1:
        return land_shard(shards[0], 1, landing, truth, state_dir)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(shard, len(shards), landing, truth, state_dir, results))
               for shard in shards]
    for worker in workers:
        worker.start()
    totals: Counter = Counter()
    try:
        for _ in workers:
            index, outcome = results.get()
            if isinstance(outcome, BaseException):
                raise RuntimeError(f"simulator shard {index} failed") from outcome
            totals += outcome
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    return totals
