"""recommend_many() and 'massageplan batch': order kept, bad items in place, processes."""

from __future__ import annotations

import collections
import io
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from massageplan import (
    BatchError,
    MassagePlanError,
    SessionPlan,
    recommend,
    recommend_many,
)
from massageplan.cli import main
from massageplan.plan import batch as _batch
from tests.conftest import ran_alone
from tests.strategies import clinic_rulebase

EXAMPLES = Path(__file__).parents[1] / "examples"
GOOD: dict[str, Any] = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "swelling": ["feet"],
    "tolerance": {"minutes": 60, "pressure": 2},
    "sessions_completed": 3,
    "physician_consulted": True,
}


def batch(size: int) -> list[Any]:
    """Varied profiles, every seventh one bad in a different way."""
    items: list[Any] = []
    for i in range(size):
        profile = {**GOOD, "sessions_completed": i, "tolerance": {"minutes": 5 + i % 170}}
        if i % 7 == 3:
            items.append({**profile, "hypersensitivity": "extreme"})
        elif i % 7 == 5:
            items.append(["not", "a", "profile"])
        else:
            items.append(profile)
    return items


def as_json(results: list[SessionPlan | BatchError]) -> list[str]:
    return [r.model_dump_json() for r in results]


def test_order_is_kept_and_bad_items_are_in_place() -> None:
    items = batch(30)
    results = recommend_many(items)
    assert len(results) == 30
    for index, (item, result) in enumerate(zip(items, results, strict=True)):
        if index % 7 in (3, 5):
            assert isinstance(result, BatchError)
            assert (result.index, result.kind) == (index, "invalid_profile")
        else:
            assert result == recommend(item)
    bad = results[3]
    assert isinstance(bad, BatchError)
    assert bad.message.startswith("hypersensitivity: Input should be")


def test_processes_give_what_one_process_gives() -> None:
    items = batch(120)
    alone = as_json(recommend_many(items))
    assert as_json(recommend_many(items, workers=2, chunk_size=25)) == alone


def test_workers_use_the_rulebase_given() -> None:
    rulebase = clinic_rulebase(frozenset({"house-maximum-45"}))
    results = recommend_many([GOOD] * 6, rulebase=rulebase, workers=2, chunk_size=3)
    assert all(isinstance(r, SessionPlan) for r in results)
    assert {tuple(v.minutes for v in r.visits) for r in results if isinstance(r, SessionPlan)} == {
        (45,)
    }


def _start(method: str) -> Any:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    return multiprocessing.get_context(method)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_each_way_of_starting_workers_gives_what_one_process_gives(
    method: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    context = _start(method)
    if method == "fork" and ran_alone(request):
        return
    monkeypatch.setattr(_batch, "worker_context", lambda: context)
    from_workers = []
    take = _batch._Helper.take

    def counted(helper: Any) -> Any:
        from_workers.append(1)
        return take(helper)

    monkeypatch.setattr(_batch._Helper, "take", counted)
    # Repeats, so that routing equal profiles together has work to do, and errors.
    items = batch(90) * 3
    alone = as_json(recommend_many(items))
    shared = recommend_many(items, workers=2, chunk_size=20)
    assert as_json(shared) == alone
    assert from_workers  # a worker process planned some of the chunks
    # Each error names its own place, whichever process planned it.
    errors = [(i, r.index) for i, r in enumerate(shared) if isinstance(r, BatchError)]
    assert errors
    assert all(i == index and index % 90 % 7 in (3, 5) for i, index in errors)


def test_workers_fork_only_from_a_process_with_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform != "linux":
        pytest.skip("forked workers are used on Linux only")
    monkeypatch.setattr(_batch, "_threads", lambda: 1)
    assert _batch.worker_context().get_start_method() == "fork"
    monkeypatch.setattr(_batch, "_threads", lambda: 2)
    assert _batch.worker_context().get_start_method() in {"forkserver", "spawn"}


def test_equal_profiles_are_routed_to_the_same_chunk() -> None:
    items: list[Any] = [dict(GOOD, sessions_completed=i % 4) for i in range(40)]
    chunks = _batch._routed(items, 10)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(40))
    where = {i: n for n, chunk in enumerate(chunks) for i in chunk}
    for i in range(40):
        assert where[i] == where[i % 4]  # ten copies of each profile fit one chunk


def test_hostile_items_over_processes_are_errors_in_their_place() -> None:
    # Run apart, with a deadline: routing once rendered each item whole, and
    # a list a billion times over never finished (nor could a test stop it).
    code = """if True:
        from massageplan import BatchError, SessionPlan, recommend_many
        good = {"condition": "diabetic_neuropathy", "hypersensitivity": "mild",
                "tolerance": {"minutes": 60}}
        shared = ["feet"]
        for _ in range(40):
            shared = [shared] * 10
        itself = []
        itself.append(itself)
        items = [good, {**good, "swelling": shared}, good, {**good, "swelling": itself}]
        results = recommend_many(items * 3, workers=2, chunk_size=1)
        print(" ".join(type(r).__name__ for r in results))
    """
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["SessionPlan", "BatchError"] * 6


def test_a_batch_that_cannot_be_sent_to_a_fresh_interpreter_is_planned_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = _start("spawn")
    monkeypatch.setattr(_batch, "worker_context", lambda: context)
    items: list[Any] = [GOOD, lambda: None, GOOD, GOOD]  # a function does not pickle
    results = recommend_many(items, workers=2, chunk_size=1)
    assert [type(r) for r in results] == [SessionPlan, BatchError, SessionPlan, SessionPlan]


def test_a_worker_that_fails_is_an_error_not_a_half_done_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, theirs = multiprocessing.Pipe()
    ours.send(0)
    ours.send(None)

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_batch, "_ship", broken)
    _batch._serve(theirs, [GOOD], [[0]], None)  # the worker's loop, here
    helper = object.__new__(_batch._Helper)
    helper.conn, helper.chunks, helper.plans = ours, collections.deque([0]), []
    with pytest.raises(MassagePlanError, match="worker process failed: RuntimeError: a bug"):
        helper.take()


def test_a_worker_that_dies_is_an_error(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    context = _start("fork")
    if ran_alone(request):
        return
    monkeypatch.setattr(_batch, "worker_context", lambda: context)
    monkeypatch.setattr(_batch, "_serve", lambda *args: os._exit(3))
    with pytest.raises(MassagePlanError, match="worker process stopped before finishing"):
        recommend_many(batch(40), workers=2, chunk_size=5)


def test_an_unsafe_plan_is_an_error_in_its_place() -> None:
    # This clinic drops the hold a new client who has not seen the doctor needs.
    rulebase = clinic_rulebase(frozenset({"no-hold"}))
    new = {**GOOD, "sessions_completed": 0, "physician_consulted": False}
    (ok, unsafe) = recommend_many([GOOD, new], rulebase=rulebase)
    assert isinstance(ok, SessionPlan)
    assert isinstance(unsafe, BatchError)
    assert (unsafe.index, unsafe.kind) == (1, "unsafe_plan")
    assert "the consult_physician hold is missing" in unsafe.message


def test_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    recommend_many(batch(20), progress=True, chunk_size=5)
    assert "20/20" in capsys.readouterr().err


def test_progress_without_tqdm_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(MassagePlanError, match=r"pip install 'massageplan\[progress\]'"):
        recommend_many([GOOD], progress=True)


@pytest.mark.parametrize(("workers", "chunk_size"), [(0, 10), (2, 0)])
def test_bad_arguments(workers: int, chunk_size: int) -> None:
    with pytest.raises(MassagePlanError):
        recommend_many([GOOD], workers=workers, chunk_size=chunk_size)


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_batch_command_csv() -> None:
    appointments = str(EXAMPLES / "booking" / "appointments.csv")
    code, out, err = run("batch", appointments)
    assert (code, out) == (2, "")  # the 'client' column is no profile field's
    assert "the CSV has the column(s) 'client'" in err
    code, out, err = run("batch", appointments, "--own-column", "client")
    assert code == 1  # rows were rejected: a nightly job must hear of it
    assert err == "massageplan: 4 plans, 2 rejected\n"
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["row"], r["id"], "plan" in r) for r in records] == [
        (2, "A-1001", True),
        (3, "A-1002", True),
        (4, "A-1003", True),
        (5, "A-1004", False),
        (6, "A-1005", False),
        (7, "A-1006", True),
    ]
    assert records[4]["error"]["message"] == "tolerance_minutes: 'forty' is not a whole number"
    assert records[0]["columns"] == {"client": "R. Okafor"}


GOOD_LINE = json.dumps(GOOD)


def test_batch_command_json_lines_from_stdin() -> None:
    lines = f"{GOOD_LINE}\n\n{{oops\n{GOOD_LINE}\n"
    code, out, err = run("batch", "-", "--input-format", "jsonl", stdin=lines)
    assert code == 1
    assert err == "massageplan: 2 plans, 1 rejected\n"
    records = out.splitlines()
    assert len(records) == 3
    assert '"line": 2' in records[1]
    assert "is not JSON" in records[1]


def test_batch_command_all_good_exits_0() -> None:
    assert run("batch", "-", stdin=GOOD_LINE + "\n")[0] == 0


def test_batch_command_missing_column_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("condition,hypersensitivity\ndiabetic_neuropathy,none\n", encoding="utf-8")
    code, out, err = run("batch", str(path))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert "lacks the column(s) swelling, fragile_tissue" in line
