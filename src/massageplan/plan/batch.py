"""Batches: many profiles to plans, over processes, in order, bad ones in place.

``recommend_many`` sends chunks of profiles to worker processes and gets
each chunk's results back in one message: plans of one chunk share their
reasons, sources and often whole plans, which pickle sends once per message.
Workers are a fork of this process when it has one thread, else start from
a fresh interpreter (see ``worker_context``), never a fork of a parent that may be
holding locks in other threads.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .._gc_pause import collector_paused
from ..model.errors import MassagePlanError, PlanSafetyError, RowError, validation_message
from ..model.plan import SessionPlan
from ..model.profile import ClientProfile
from ..rules.rulebase import Rulebase
from .compiled import PlanKey
from .recommend import adopt_plan, as_profile, builtin_rulebase, plan_key, recommend

CHUNK_SIZE = 500


class BatchError(BaseModel):
    """Why one item of a batch has no plan, in that item's place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int  # the item's position in the batch, from 0
    kind: Literal["invalid_profile", "unsafe_plan"]
    message: str  # one line


def _one(
    index: int, item: Any, rulebase: Rulebase | None
) -> tuple[SessionPlan | BatchError, ClientProfile | None]:
    """The item's plan (with its validated profile), or its error."""
    if isinstance(item, RowError):
        return BatchError(index=index, kind="invalid_profile", message=str(item)), None
    try:
        profile = as_profile(item)
    except ValidationError as exc:
        message = validation_message(exc)
        return BatchError(index=index, kind="invalid_profile", message=message), None
    try:
        return recommend(profile, rulebase), profile
    except PlanSafetyError as exc:
        message = "; ".join(exc.violations)
        return BatchError(index=index, kind="unsafe_plan", message=message), profile


def _chunk(
    indices: Iterable[int], items: Sequence[Any], rulebase: Rulebase | None
) -> list[SessionPlan | BatchError]:
    return [_one(i, items[i], rulebase)[0] for i in indices]


# A chunk's results as a worker sends them back. recommend() gives the same
# plan object for every profile that has its key (``plan_key``) while the
# memo holds it, so a worker numbers each plan object the first time it
# sends it, with its key, and sends only its number after that (a number
# is a dict lookup; a key, hashing models). The parent reads each worker's
# results in the order they were sent, so it has every plan before its
# number comes, and keeps each in its own memo under its key, so as not to
# build it again for its own share of the batch.
Shipped = tuple[list[tuple[PlanKey, SessionPlan]], list[int | BatchError]]


class _Sent:
    """The plans a worker has sent, numbered by object (held, so no id is reused)."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.plans: list[SessionPlan] = []


def _ship(
    indices: Iterable[int], items: Sequence[Any], rulebase: Rulebase | None, sent: _Sent
) -> Shipped:
    new: list[tuple[PlanKey, SessionPlan]] = []
    refs: list[int | BatchError] = []
    rules = builtin_rulebase() if rulebase is None else rulebase
    for index in indices:
        item = items[index]
        result, profile = _one(index, item, rulebase)
        if isinstance(result, BatchError):
            refs.append(result)
            continue
        number = sent.numbers.get(id(result))
        if number is None:
            number = sent.numbers[id(result)] = len(sent.plans)
            sent.plans.append(result)
            new.append((plan_key(rules, result.fired_rules, profile or as_profile(item)), result))
        refs.append(number)
    return new, refs


class _Failed:
    """What a worker sends instead of results when planning raised (a bug, never bad input)."""

    def __init__(self, message: str) -> None:
        self.message = message


def _serve(
    conn: Connection, items: Sequence[Any], chunks: Sequence[Chunk], rulebase: Rulebase | None
) -> None:
    """A worker process: plan each chunk the parent names by number, until it sends None."""
    sent = _Sent()
    with collector_paused(), conn:
        while (job := conn.recv()) is not None:
            try:
                shipped: Shipped | _Failed = _ship(chunks[job], items, rulebase, sent)
            except Exception as exc:  # a bug: the parent raises it, the batch is not half-done
                shipped = _Failed(f"{type(exc).__name__}: {exc}")
            conn.send(shipped)


class _UnsendableError(Exception):
    """The batch holds an item that does not pickle, so no fresh interpreter can be sent it."""


def _stopped() -> MassagePlanError:
    return MassagePlanError(
        "a recommend_many worker process stopped before finishing; in a script, "
        "call it under 'if __name__ == \"__main__\":' (workers that start a fresh "
        "interpreter import the script)"
    )


class _Helper:
    """A worker process as the parent sees it: its pipe, the chunks it has, its plans."""

    DEPTH = 2  # chunks a worker holds at once, so it never waits for the parent to look

    def __init__(
        self,
        context: Any,
        items: Sequence[Any],
        chunks: Sequence[Chunk],
        rulebase: Rulebase,
    ) -> None:
        self.rulebase = rulebase
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, items, chunks, rulebase), daemon=True
        )
        try:
            self.process.start()
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.conn.close()
            raise _UnsendableError from exc
        finally:
            theirs.close()
        self.chunks: collections.deque[int] = collections.deque()  # in the order sent
        self.plans: list[SessionPlan] = []  # by the worker's numbers

    def give(self, index: int) -> None:
        try:
            self.conn.send(index)  # a number: never fills the pipe, never blocks
        except OSError:  # the worker's end of the pipe closed
            raise _stopped() from None
        self.chunks.append(index)

    def take(self) -> tuple[int, Results]:
        """The oldest chunk's index and results (waits for them)."""
        try:
            shipped: Shipped | _Failed = self.conn.recv()
        except (EOFError, OSError):  # the worker's end of the pipe closed
            raise _stopped() from None
        if isinstance(shipped, _Failed):
            raise MassagePlanError(f"a recommend_many worker process failed: {shipped.message}")
        new, refs = shipped
        for key, plan in new:
            adopt_plan(self.rulebase, key, plan)
            self.plans.append(plan)
        return self.chunks.popleft(), [
            ref if isinstance(ref, BatchError) else self.plans[ref] for ref in refs
        ]

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _threads() -> int:
    """This process's threads, the operating system's count (C libraries' threads too)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: count as threaded, so fork is never chosen on a guess
        return 2


def worker_context() -> Any:
    """How worker processes start.

    A fork of this process starts at once and already holds the loaded
    rulebase and its memos, where a fresh interpreter spends about as long
    importing as one process needs for thousands of plans. Forking is safe
    only with one thread (another thread may hold a lock the child would
    wait on forever), so it is used on Linux when this process has exactly
    one; otherwise workers start from a fresh interpreter (``forkserver``
    where the platform has it, else ``spawn``).
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and _threads() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _bar(total: int) -> Any:
    try:
        from tqdm import tqdm  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise MassagePlanError(
            "progress bars need tqdm: pip install 'massageplan[progress]'"
        ) from None
    return tqdm(total=total, unit="plan", desc="massageplan")


# How many of its own profiles this process plans between looks at the workers.
_TEND_EVERY = 25
Chunk = Sequence[int]  # the indices of the items of one chunk
Results = list[SessionPlan | BatchError]


def recommend_many(
    profiles: Iterable[Any],
    *,
    rulebase: Rulebase | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = False,
) -> Results:
    """A plan for each profile (a ClientProfile or a mapping), in input order; a
    :class:`BatchError` in the place of each item that does not validate as a
    profile (whatever it is), or whose plan would be unsafe.

    ``workers`` processes share the work in chunks of ``chunk_size`` (one
    process, this one, when ``workers`` is None or 1); ``progress`` shows a
    progress bar on standard error (needs the ``progress`` extra).
    """
    items = list(profiles)
    if workers is not None and workers < 1:
        raise MassagePlanError(f"workers must be at least 1, not {workers}")
    if chunk_size < 1:
        raise MassagePlanError(f"chunk_size must be at least 1, not {chunk_size}")
    context = worker_context()  # decided before the progress bar starts a thread of its own
    bar = _bar(len(items)) if progress else None
    count = -(-len(items) // chunk_size)
    share = 1 if workers is None else max(1, min(workers, os.cpu_count() or 1, count))
    try:
        with collector_paused():
            if share == 1:
                return _here(items, chunk_size, rulebase, bar)
            if rulebase is None:
                rulebase = builtin_rulebase()  # loaded once, here: a forked worker inherits it
            team = _Team(items, _routed(items, chunk_size), rulebase, bar)
            try:
                return team.run(share - 1, context)
            except _UnsendableError:  # a fresh interpreter cannot be sent the batch: plan it here
                return _here(items, chunk_size, rulebase, bar)
    finally:
        if bar is not None:
            bar.close()


def _here(items: list[Any], chunk_size: int, rulebase: Rulebase | None, bar: Any) -> Results:
    results: Results = []
    for start in range(0, len(items), chunk_size):
        part = _chunk(range(start, min(start + chunk_size, len(items))), items, rulebase)
        results += part
        if bar is not None:
            bar.update(len(part))
    return results


def _routed(items: Sequence[Any], chunk_size: int) -> list[Chunk]:
    """The items' indices in chunks for several processes, equal items together.

    Each process memoises what it plans, so a batch that repeats profiles
    (most do) is planned fastest when each process sees its own share of the
    distinct ones rather than all of them: items are ordered by a hash of
    their pickle (plain dicts; anything else keeps its place), and the chunks
    cut from that order. Only where an item is planned depends on this, not
    its plan. Pickle, not ``repr``: it writes a value met again as a reference,
    so a list that contains itself, or the same list a billion times over,
    costs no more than its size here (its plan is then refused by the limits).
    """

    keys: list[int] = []
    for index, item in enumerate(items):  # a loop, not a key function: a third faster
        try:
            key = hash(pickle.dumps(item, pickle.HIGHEST_PROTOCOL)) if type(item) is dict else index
        except Exception:  # an odd value inside: the item keeps its place
            key = index
        keys.append(key)
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [order[start : start + chunk_size] for start in range(0, len(order), chunk_size)]


class _Team:
    """Worker processes and this one, planning the chunks of one batch together.

    The workers take chunks from the front, this process from the back, so
    they meet wherever the work splits evenly, however fast each turns out.
    Workers have the whole batch from the start (a fork shares it, a fresh
    interpreter is sent it once) and are told only which chunk to plan,
    over a pipe of their own that this thread reads between slices of its
    own work: no helper threads, which would wait for the interpreter lock
    while this one plans, and keep the workers waiting with them.
    """

    def __init__(self, items: list[Any], chunks: list[Chunk], rulebase: Rulebase, bar: Any) -> None:
        self.items, self.chunks, self.rulebase, self.bar = items, chunks, rulebase, bar
        self.parts: list[Results | None] = [None] * len(chunks)
        self.front, self.back = 0, len(chunks)  # chunks front..back-1 are not yet handed out

    def _done(self, index: int, part: Results) -> None:
        self.parts[index] = part
        if self.bar is not None:
            self.bar.update(len(part))

    def _tend(self, helpers: list[_Helper]) -> None:
        """Read what the workers finished, and keep each of them supplied."""
        for helper in helpers:
            while helper.chunks and helper.conn.poll():
                self._done(*helper.take())
            # Near the end, a chunk a worker holds in reserve is one this
            # process may wait for, idle, once it has planned the rest.
            left = self.back - self.front
            depth = helper.DEPTH if left > helper.DEPTH * len(helpers) else 1
            while len(helper.chunks) < depth and self.front < self.back:
                helper.give(self.front)
                self.front += 1

    def run(self, workers: int, context: Any) -> Results:
        helpers: list[_Helper] = []
        try:
            for _ in range(workers):
                helpers.append(_Helper(context, self.items, self.chunks, self.rulebase))
            while self.front < self.back:
                self._tend(helpers)
                if self.front < self.back:
                    self.back -= 1
                    chunk = self.chunks[self.back]
                    own: Results = []
                    for at in range(0, len(chunk), _TEND_EVERY):
                        own += _chunk(chunk[at : at + _TEND_EVERY], self.items, self.rulebase)
                        self._tend(helpers)  # a worker that finished waits no longer than this
                    self._done(self.back, own)
            for helper in helpers:
                while helper.chunks:
                    self._done(*helper.take())
        finally:
            for helper in helpers:
                helper.stop()
        results: list[SessionPlan | BatchError | None] = [None] * len(self.items)
        for chunk, part in zip(self.chunks, self.parts, strict=True):
            for index, result in zip(chunk, part or (), strict=True):
                results[index] = result
        return [r for r in results if r is not None]
