"""Shared fixtures."""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from massageplan import Rulebase, VerifyReport, verify
from massageplan.model.profile import AREA_LISTS
from massageplan.rules.profile_space import SweepSpace, sweep_space

# A longer run, by hand: HYPOTHESIS_PROFILE=long python -m pytest tests/test_hostile.py
# (CI uses hypothesis's own derandomised "ci" profile, turned on by CI=true).
settings.register_profile("long", max_examples=5_000, deadline=None)
# Without CI, hypothesis's default profile but no per-example deadline: speed is
# the benchmarks' to measure, and a deadline fails a safety property on a busy
# machine (one first plan past 200 ms), not on a wrong plan.
settings.register_profile("local", deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif not os.environ.get("CI"):
    settings.load_profile("local")

RULES_DIR = Path(__file__).parents[1] / "rules"


def builtin_rule_count() -> int:
    """Rules in the built-in files, counted from the YAML text, not through the library."""
    return sum(
        line.startswith("  - id: ")
        for path in RULES_DIR.glob("[0-9]*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def in_a_worker() -> bool:
    """Whether this is one of pytest-xdist's workers, with others beside it."""
    return "PYTEST_XDIST_WORKER" in os.environ


def own_processes() -> int:
    """How many processes a test may share its own work among: two when the
    suite runs in one process, one when xdist's workers already fill the cores."""
    return 1 if in_a_worker() else 2


def ran_alone(request: pytest.FixtureRequest) -> bool:
    """For a test that forks: whether this process has other threads (an xdist
    worker has execnet's), so that the test was run instead alone in a fresh
    pytest, with one thread, and passed there. Forking a threaded process is
    what recommend_many never does; a test should not do it either."""
    try:
        threads = len(os.listdir("/proc/self/task"))  # C libraries' threads too
    except OSError:  # no /proc
        threads = threading.active_count()
    if threads == 1:
        return False
    if os.environ.get("MASSAGEPLAN_TEST_ALONE"):
        pytest.fail("a fresh pytest run for one test still has other threads")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env["MASSAGEPLAN_TEST_ALONE"] = "1"
    alone = ["-n", "0", "-p", "no:cacheprovider", "-q", request.node.nodeid]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *alone],
        cwd=request.config.rootpath,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    # "1 passed" and nothing skipped: a skipped fork test proves nothing
    assert re.search(r"^1 passed in ", done.stdout, re.MULTILINE), done.stdout[-3000:]
    return True


# Where the workers of one run share what they made (pytest's temporary root
# for the run, which xdist's workers have in common); None in one process.
_SHARED: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if in_a_worker():
        _SHARED.append(tmp_path_factory.getbasetemp().parent)
    yield
    _SHARED.clear()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock file: one worker makes a report while others wait
    for it. Where there is no fcntl (Windows), each worker makes its own."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:
        yield
        return
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_REPORTS: dict[tuple[str, int, bool, bool], VerifyReport] = {}
_LISTS = {"feet", "hands", "chest", "lower_legs"}


def small_space(space: SweepSpace) -> SweepSpace:
    """``space`` with fewer values of each field: still both sides of every
    boundary the invariants and the article care for (a first session, under
    15 minutes, a split from 15, and 60 minutes,
    pressure unknown or known, moderate beside severe hypersensitivity), and
    every list not asked, empty, with a few areas (or signs), and full."""

    def few(values: list[Any]) -> list[Any]:
        return [v for v in values if not v or len(v) > 4 or set(v) <= _LISTS]

    keep: dict[str, list[Any]] = {
        "hypersensitivity": ["none", "moderate", "severe"],
        "tolerance_minutes": [14, 15, 60],
        # Two known pressures that fire the same rules but allow different
        # techniques (trigger points need level 3), in that order.
        "tolerance_pressure": [None, 1, 2, 3],
        "swelling_signs": [None, [], ["one_sided"], ["new"], ["short_of_breath"]],
    }
    for name in AREA_LISTS:
        keep[name] = few(space.values[name])
    return space.narrowed(**keep)


@contextlib.contextmanager
def _small_sweeps() -> Iterator[None]:
    from massageplan.plan import verify as module  # noqa: PLC0415 - patched only here

    whole = sweep_space
    setattr(module, "sweep_space", lambda rulebase: small_space(whole(rulebase)))  # noqa: B010 - a test's patch
    try:
        yield
    finally:
        setattr(module, "sweep_space", whole)  # noqa: B010 - the patch undone


def verified(
    rulebase: Rulebase | None = None, *, search: int, article: bool = False, small: bool = False
) -> VerifyReport:
    """verify()'s report, made once per rulebase (by its digest) and arguments in a
    test run, by whichever xdist worker asks first: the report is the same every
    time, and tests that only read it need not wait for the sweep again. Tests of
    verify itself (threads, processes, the command line) call verify().

    ``small`` sweeps :func:`small_space` of the rulebase's space: for tests that
    a clinic's unsafe rule is found, where the built-in rules' whole sweep
    (``test_builtin_rulebase_is_safe``) need not be run again for each."""
    from massageplan.plan.recommend import builtin_rulebase  # noqa: PLC0415 - as verify does

    rules = builtin_rulebase() if rulebase is None else rulebase
    key = (rules.digest, search, article, small)
    if key in _REPORTS:
        return _REPORTS[key]

    def make() -> VerifyReport:
        with _small_sweeps() if small else contextlib.nullcontext():
            return verify(rules, search=search, article=article)

    if not _SHARED:
        report = _REPORTS[key] = make()
        return report
    digest = rules.digest.removeprefix("sha256:")
    path = _SHARED[0] / f"verified-{digest}-{search}-{int(article)}-{int(small)}.pickle"
    with _locked(path):
        if path.exists():
            report = pickle.loads(path.read_bytes())  # noqa: S301 - written by this run
        else:
            report = make()
            path.write_bytes(pickle.dumps(report))
    _REPORTS[key] = report
    return report
