"""Batches: many profiles to plans, over processes, in order, bad ones in place.

``recommend_many`` sends chunks of profiles to worker processes and gets
each chunk's results back in one message: plans of one chunk share their
reasons, sources and often whole plans, which pickle sends once per message.
Workers start from a fresh interpreter (``forkserver`` where the platform
has it, else ``spawn``), never a fork of a parent that may be holding locks
in other threads.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ._build import plan_inputs
from ._errors import MassagePlanError, PlanSafetyError
from ._plan import SessionPlan
from ._profile import ClientProfile
from ._recommend import as_profile, recommend
from ._rulebase import Rulebase

CHUNK_SIZE = 500
# The CSV columns a booking system sends, by profile field.
CSV_COLUMNS = (
    "condition",
    "hypersensitivity",
    "swelling",
    "fragile_tissue",
    "tolerance_minutes",
    "tolerance_pressure",
    "sessions_completed",
    "physician_consulted",
)
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0", ""}


class BatchError(BaseModel):
    """Why one item of a batch has no plan, in that item's place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int  # the item's position in the batch, from 0
    kind: Literal["invalid_profile", "unsafe_plan"]
    message: str  # one line


class RowError(ValueError):
    """A row that cannot become a profile (a cell of the wrong kind)."""


def validation_message(exc: ValidationError) -> str:
    """Every validation error, each naming its field; never the whole input."""
    parts = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error["loc"]) or "profile"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


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
    start: int, items: Sequence[Any], rulebase: Rulebase | None
) -> list[SessionPlan | BatchError]:
    return [_one(start + i, item, rulebase)[0] for i, item in enumerate(items)]


# A worker process's rulebase, set once when it starts (sent once, not per chunk).
_worker_rulebase: list[Rulebase | None] = [None]


def _start_worker(rulebase: Rulebase | None) -> None:
    _worker_rulebase[0] = rulebase


# A chunk's results as they travel back. A plan is decided by its key (the
# fired rules and the profile fields plan assembly reads), so each worker
# sends a plan the first time it meets its key and the key alone after. A
# worker plans its chunks in the order they were submitted and the parent
# reads them in that order, so it has always read that first time already.
# Each item is its plan's key, or its error.
PlanKey = tuple[tuple[str, ...], Hashable]
Shipped = tuple[dict[PlanKey, SessionPlan], list[PlanKey | BatchError]]
_sent: set[PlanKey] = set()


def _worker_chunk(start: int, items: Sequence[Any]) -> Shipped:
    rulebase = _worker_rulebase[0]
    new: dict[PlanKey, SessionPlan] = {}
    refs: list[PlanKey | BatchError] = []
    for offset, item in enumerate(items):
        result, profile = _one(start + offset, item, rulebase)
        if isinstance(result, BatchError):
            refs.append(result)
            continue
        key = (result.fired_rules, plan_inputs(profile or as_profile(item)))
        if key not in _sent:
            _sent.add(key)
            new[key] = result
        refs.append(key)
    return new, refs


def _unpack(shipped: Shipped, plans: dict[PlanKey, SessionPlan]) -> list[SessionPlan | BatchError]:
    new, refs = shipped
    plans.update(new)
    return [ref if isinstance(ref, BatchError) else plans[ref] for ref in refs]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _bar(total: int) -> Any:
    try:
        from tqdm import tqdm  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise MassagePlanError(
            "progress bars need tqdm: pip install 'massageplan[progress]'"
        ) from None
    return tqdm(total=total, unit="plan", desc="massageplan")


def recommend_many(
    profiles: Iterable[Any],
    *,
    rulebase: Rulebase | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = False,
) -> list[SessionPlan | BatchError]:
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
    bar = _bar(len(items)) if progress else None
    chunks = [
        (start, items[start : start + chunk_size]) for start in range(0, len(items), chunk_size)
    ]
    results: list[SessionPlan | BatchError] = []
    try:
        if workers is None or workers == 1 or len(chunks) < 2:
            done: Iterator[list[SessionPlan | BatchError]] = (
                _chunk(s, c, rulebase) for s, c in chunks
            )
            for part in done:
                results += part
                if bar is not None:
                    bar.update(len(part))
            return results
        plans: dict[PlanKey, SessionPlan] = {}  # one object per distinct plan
        # This process is one of the workers: it plans every n-th chunk while
        # the others plan theirs, instead of idling beside them on the cores.
        share = max(1, min(workers, os.cpu_count() or 1))
        try:
            with ProcessPoolExecutor(
                max_workers=max(1, share - 1),
                mp_context=_context(),
                initializer=_start_worker,
                initargs=(rulebase,),
            ) as pool:
                # Submitted in order, and each worker process plans its chunks in
                # that order, so a plan key is always read before it is referred to.
                sent = {
                    i: pool.submit(_worker_chunk, start, chunk)
                    for i, (start, chunk) in enumerate(chunks)
                    if i % share
                }
                for i, (start, chunk) in enumerate(chunks):
                    future = sent.get(i)
                    part = (
                        _chunk(start, chunk, rulebase)
                        if future is None
                        else _unpack(future.result(), plans)
                    )
                    results += part
                    if bar is not None:
                        bar.update(len(part))
        except BrokenProcessPool:
            raise MassagePlanError(
                "recommend_many's worker processes stopped before finishing; in a script, "
                "call it under 'if __name__ == \"__main__\":' (workers start a fresh "
                "interpreter that imports the script)"
            ) from None
        return results
    finally:
        if bar is not None:
            bar.close()


# ---------------------------------------------------------------- reading batches


def _areas(cell: str) -> list[str]:
    return [area.strip() for area in cell.split(";") if area.strip()]


def _whole(cell: str, column: str, *, optional: bool = False) -> int | None:
    if optional and not cell.strip():
        return None
    try:
        return int(cell)
    except ValueError:
        raise RowError(f"{column}: {cell[:40]!r} is not a whole number") from None


def _yes_no(cell: str, column: str) -> bool:
    word = cell.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise RowError(f"{column}: {cell[:40]!r} is not yes or no")


def profile_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """A booking system's CSV columns (``CSV_COLUMNS``) as a profile mapping."""
    return {
        "condition": row["condition"],
        "hypersensitivity": row["hypersensitivity"],
        "swelling": _areas(row["swelling"]),
        "fragile_tissue": _areas(row["fragile_tissue"]),
        "tolerance": {
            "minutes": _whole(row["tolerance_minutes"], "tolerance_minutes"),
            "pressure": _whole(row["tolerance_pressure"], "tolerance_pressure", optional=True),
        },
        "sessions_completed": _whole(row["sessions_completed"], "sessions_completed"),
        "physician_consulted": _yes_no(row["physician_consulted"], "physician_consulted"),
    }


def read_booking_csv(text: str) -> tuple[list[dict[str, str]], list[dict[str, Any] | RowError]]:
    """The rows of a CSV (a spreadsheet's byte-order mark allowed) and a
    profile, or the row's error, for each. A missing column is a
    :class:`MassagePlanError` naming it."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise MassagePlanError(
            f"the CSV lacks the column(s) {', '.join(missing)}; it needs {', '.join(CSV_COLUMNS)}"
        )
    rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    profiles: list[dict[str, Any] | RowError] = []
    for row in rows:
        try:
            profiles.append(profile_from_row(row))
        except RowError as exc:
            profiles.append(exc)
    return rows, profiles


def read_json_lines(text: str) -> list[Any]:
    """One profile per non-blank line; a line that is not JSON is that item's error."""
    items: list[Any] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            items.append(RowError(f"line {number} is not JSON: {reason}"))
    return items
