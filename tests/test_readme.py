"""The README's examples run, and its list of invariants is the library's table."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from massageplan import RulebaseConflictWarning, SessionPlan, load_rulebase, recommend
from massageplan.model import limits
from massageplan.plan.invariants import INVARIANTS, markdown_table
from tests.strategies import ANSWERED_NONE

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(language: str, containing: str) -> str:
    blocks: list[str] = re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)
    (found,) = [b for b in blocks if containing in b]
    return found


def test_the_invariants_listed_are_the_librarys_table() -> None:
    listed = README.split("-->\n", 1)[1].split("<!-- /invariants -->", 1)[0]
    assert listed == markdown_table()
    for invariant in INVARIANTS:
        assert invariant.statement in listed


def test_the_rule_example_loads_and_cites_the_clinic(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(block("yaml", "rules:"), encoding="utf-8")
    rulebase = load_rulebase(path, builtin=True, strict=True)
    plan = recommend(
        {
            "condition": "peripheral_neuropathy",
            "hypersensitivity": "none",
            "swelling": ["feet"],
            "tolerance": {"minutes": 60, "pressure": 2},
            "sessions_completed": 1,
            "physician_consulted": True,
            **ANSWERED_NONE,  # swelling not asked about would mean no work there at all
        },
        rulebase=rulebase,
    )
    house = next(s for s in plan.sources if s.id == "house-policy")
    assert house.kind.value == "clinic"


def said_values(code: str, names: dict[str, object]) -> int:
    """Check each commented expression of ``code`` (run into ``names``) states
    its value before the first ':' or ';'; how many it checked."""
    checked = 0
    for line in code.splitlines():
        expression, _, comment = line.partition("  # ")
        expression = expression.strip()
        if not comment or not expression or re.match(r"^\w+ = ", expression):
            continue
        expected = re.split(r"[:;]", comment)[0].strip()
        if expected.startswith("the same bytes"):
            continue  # determinism has its own property test
        value = eval(expression, names)  # noqa: S307 - the README's own expressions
        shown = {str(value), f"{type(value).__name__}.{getattr(value, 'name', '')}"}
        assert expected in shown, (expression, value, expected)
        checked += 1
    return checked


def test_the_python_example_says_what_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = block("python", "from massageplan import load_rulebase, recommend")
    names: dict[str, object] = {}
    # The one warning it gives is the one it says it gives, and why.
    assert "warns (RulebaseConflictWarning)" in code
    with pytest.warns(RulebaseConflictWarning, match="longest_visit is 60 in one and 45"):
        exec(code, names)  # noqa: S102 - the README's own example, run as a reader would
    assert said_values(code, names) == 7


def test_the_visit_to_visit_example_says_what_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = block("python", "record_session")
    names: dict[str, object] = {}
    exec(code, names)  # noqa: S102 - the README's own example, run as a reader would
    assert said_values(code, names) == 3


def test_the_changelogs_upgrade_example_runs() -> None:
    """The newest upgrade example: every answer given, no question; one left
    out, its question."""
    newest = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").split("\n## ")[1]
    code = re.findall(r"```python\n(.*?)```", newest, flags=re.DOTALL)[0]
    names: dict[str, object] = {}
    exec(code, names)  # noqa: S102 - the CHANGELOG's own example, run as a reader would
    plan = names["plan"]
    assert isinstance(plan, SessionPlan)
    assert plan.questions == ()
    profile = names["profile"]
    assert isinstance(profile, dict)
    unanswered = recommend({k: v for k, v in profile.items() if k != "medications"})
    assert [q.field for q in unanswered.questions] == ["medications"]


def test_the_reliability_section_states_the_limits_in_force() -> None:
    section = README.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    words = " ".join(section.split())
    stated = {
        limits.MAX_PROFILE_BYTES: f"{limits.MAX_PROFILE_BYTES // 1024} KiB",
        limits.MAX_PROFILE_VALUES: f"{limits.MAX_PROFILE_VALUES:,} values",
        limits.MAX_LIST_ITEMS: f"lists of {limits.MAX_LIST_ITEMS} items",
        limits.MAX_TEXT: f"texts of {limits.MAX_TEXT:,} characters",
        limits.MAX_DEPTH: f"nested at most {limits.MAX_DEPTH} levels",
        limits.MAX_RULE_FILE_BYTES: f"{limits.MAX_RULE_FILE_BYTES // 2**20} MiB",
        limits.MAX_YAML_NODES: f"{limits.MAX_YAML_NODES:,} YAML nodes",
        limits.MAX_RULEBASE_BYTES: f"{limits.MAX_RULEBASE_BYTES // 2**20} MiB and",
        limits.MAX_RULES: f"{limits.MAX_RULES:,} rules together",
        limits.MAX_PROBLEMS: f"at most {limits.MAX_PROBLEMS} problems",
        limits.MAX_ALIAS_NODES: f"{limits.MAX_ALIAS_NODES:,} nodes reached again",
        limits.MAX_BATCH_BYTES: f"{limits.MAX_BATCH_BYTES // 2**20} MiB",
    }
    for value, phrase in stated.items():
        assert phrase in words, (value, phrase)


def test_the_paths_and_modules_named_exist() -> None:
    """A file or module the README points a reader to is there (layers move)."""
    paths = set(re.findall(r"`((?:src|benchmarks|examples|rules|tests)/[\w./-]+)`", README))
    paths |= {
        f"src/massageplan/{path}"
        for path in re.findall(r"`((?:model|engine|rules|plan|render|service)/\w+\.py)`", README)
    }
    modules = set(re.findall(r"`(massageplan(?:\.\w+)+)`", README))
    layer = r"(?:model|engine|rules|plan|render|service)"
    modules |= {f"massageplan.{m}" for m in re.findall(rf"`({layer}\.\w+\.\w+)`", README)}
    modules |= set(re.findall(r"generated from (massageplan(?:\.\w+)+)", README))
    assert paths, "the README names no path"
    assert modules, "the README names no module"
    for path in paths:
        assert (ROOT / path).exists(), path
    for dotted in modules:
        try:
            importlib.import_module(dotted)
        except ModuleNotFoundError:  # a module's attribute, such as a registry
            module, _, name = dotted.rpartition(".")
            assert hasattr(importlib.import_module(module), name), dotted
