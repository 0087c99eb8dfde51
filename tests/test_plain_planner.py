"""The benchmark's yardstick stays in step with the rules: the plain planner
(``benchmarks/plain_planner.py``) must give recommend()'s plan, or the
benchmark stops before it measures anything. It went stale once, unseen,
when rules changed; this catches the next time in the suite, not in a
benchmark run weeks later."""

from __future__ import annotations

import sys
from pathlib import Path

from massageplan import recommend
from massageplan.plan.recommend import builtin_rulebase

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

from bench_recommend import screened_dicts
from plain_planner import PlainPlanner


def test_the_plain_planner_gives_recommends_plan() -> None:
    plain = PlainPlanner(builtin_rulebase())
    for data in screened_dicts(400, seed=7):
        mine = recommend(data).model_dump(mode="json", exclude={"generated_by"})
        assert plain.plan(data) == mine, data
