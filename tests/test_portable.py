"""Plans, traces and explanations carry nothing machine-specific."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import massageplan
from massageplan import RulebaseConflictWarning, explain, load_rulebase, recommend
from massageplan.engine.seam import durable_available

PROFILE = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "swelling": ["feet"],
    "tolerance": {"minutes": 60, "pressure": 2},
    "sessions_completed": 2,
    "physician_consulted": True,
}
CLINIC = """\
rules:
  - id: experienced-therapist
    title: Our specialist
    replaces: true
    when: {hypersensitivity: {at_least: mild}}
    then: [{advise: experienced_therapist, text: Ask for our neuropathy specialist.}]
    because: The clinic has a specialist.
    sources: [project-default]
"""


def test_no_machine_paths_in_plans_traces_or_explanations(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "house.yaml").write_text(CLINIC, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RulebaseConflictWarning)
        rulebase = load_rulebase(folder, builtin=True)
    plan = recommend(PROFILE, rulebase=rulebase)
    assert plan.trace  # the replacement is recorded
    machine = [str(tmp_path), str(Path(massageplan.__file__).parent), str(Path.home())]
    for text in (
        plan.model_dump_json(),
        explain(PROFILE, rulebase).model_dump_json(),
        str(explain(PROFILE, rulebase)),
    ):
        for path in machine:
            assert path not in text
    assert "clinic/house.yaml:2" in plan.trace[0]


def test_the_same_rules_anywhere_give_the_same_digest(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(Path(__file__).parents[1] / "rules", copy)
    moved = recommend(PROFILE, rulebase=load_rulebase(copy)).model_dump_json()
    assert moved == recommend(PROFILE).model_dump_json()
    assert recommend(PROFILE).generated_by.rulebase.startswith("sha256:")


def test_generated_by_names_the_library_and_the_engine() -> None:
    made = recommend(PROFILE).generated_by
    assert made.library == f"massageplan {massageplan.__version__}"
    expected = {
        "durable": "durable-rules 2.0.28",
        "python": f"massageplan python evaluator {massageplan.__version__}",
    }
    asked = os.environ.get("MASSAGEPLAN_ENGINE") or ("durable" if durable_available() else "python")
    assert made.engine == expected[asked]
