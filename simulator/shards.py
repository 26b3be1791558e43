"""A large center simulated as independent parts, side by side on the machine's cores.

A center of more than ``SHARD_MAX_AGENTS`` agents is split into shards with their own
agents, customers and queues (at that size a queue pools enough agents that splitting
it changes little). How many shards follows from the configuration alone, never from
the machine, so the bytes written do not depend on where the simulator runs. Shards
stream their days to the parent, which merges each day in shard order.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from simulator.config import CenterConfig
from simulator.engine import LandingDay, load_state, save_state, simulate_day
from simulator.population import Roster, population

SHARD_MAX_AGENTS = 250
# Days a shard may run ahead of the parent: enough to keep the cores busy, few enough
# that memory stays flat.
DAYS_AHEAD = 2


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


def shard_state_path(state_dir: Path, shard: CenterConfig) -> Path:
    return state_dir / f"shard-{shard.shard_index}.pickle"


def run_shard(shard: CenterConfig, state_path: Path) -> Iterator[LandingDay]:
    """This shard's days not landed yet; its state is saved once they are all out."""
    state = load_state(state_path, shard)
    roster = Roster(population(shard), shard)
    while state.next_day <= shard.end:
        yield simulate_day(shard, state, roster)
    save_state(state_path, state)


def _shard_worker(shard: CenterConfig, state_path: Path, days: multiprocessing.Queue) -> None:
    try:
        for day in run_shard(shard, state_path):
            days.put(day)
        days.put(None)
    except BaseException as error:  # the parent re-raises it: a worker must never hang it
        days.put(error)
        raise


def days_of_shards(shards: list[CenterConfig], state_dir: Path) -> Iterator[list[LandingDay]]:
    """Each day, every shard's output, in shard order."""
    for shard in shards:
        load_state(shard_state_path(state_dir, shard), shard)  # a mismatch fails here, before any work
    if len(shards) == 1:
        for day in run_shard(shards[0], shard_state_path(state_dir, shards[0])):
            yield [day]
        return
    context = multiprocessing.get_context("fork")
    queues = [context.Queue(maxsize=DAYS_AHEAD) for _ in shards]
    workers = [context.Process(target=_shard_worker, args=(shard, shard_state_path(state_dir, shard), queue), daemon=True)
               for shard, queue in zip(shards, queues)]
    for worker in workers:
        worker.start()
    try:
        while True:
            days = [queue.get() for queue in queues]
            for item in days:
                if isinstance(item, BaseException):
                    raise RuntimeError("a simulator shard failed") from item
            if any(item is None for item in days):
                break
            yield days
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
