"""The worst rule files within the limits: time and peak memory to load or refuse each.

Run: python benchmarks/bench_rule_limits.py

Each case is loaded in a fresh process (so its peak RSS is its own), layered
on the built-in rules as a clinic's would be. Prints figures, asserts nothing.
The cases are the shapes that cost the most per byte: a file of nothing but
tiny YAML nodes, the most rules allowed, rules that could all contradict one
another, and rules that are all wrong.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from massageplan.model.limits import (
    MAX_RULE_FILE_BYTES,
    MAX_RULES,
    MAX_YAML_NODES,
)

CLINIC = "sources:\n  - {id: clinic, kind: clinic, title: Our protocol, publisher: Us}\nrules:\n"
KNEAD = """\
  - id: knead-{i}
    title: Knead {i}
    when: {{tolerance.minutes: {{at_least: {m}}}}}
    then: [{{technique: kneading, areas: [hands, feet], max_pressure: 3}}]
    because: Our protocol, rule {i}.
    sources: [clinic]
"""
NO_KNEAD = """\
  - id: no-knead-{i}
    title: No kneading {i}
    when: {{tolerance.minutes: {{at_most: {m}}}}}
    then: [{{avoid: kneading, areas: [hands, feet]}}]
    because: Our protocol, rule {i}.
    sources: [clinic]
"""
# Room for the built-in rules under MAX_RULES.
ROOM = MAX_RULES - 100


def node_flood() -> str:
    count = min(MAX_RULE_FILE_BYTES // 2 - 10, MAX_YAML_NODES * 5)
    return "rules: [" + "a," * count + "a]\n"


def most_rules() -> str:
    return CLINIC + "".join(KNEAD.format(i=i, m=5 + i % 170) for i in range(ROOM))


def at_war() -> str:
    half = ROOM // 2
    return CLINIC + "".join(
        KNEAD.format(i=i, m=5 + i % 100) + NO_KNEAD.format(i=i, m=10 + i % 100) for i in range(half)
    )


def all_wrong() -> str:
    return "rules:\n" + "  - {id: x, title: 1, when: {nothing: 1}}\n" * ROOM


CASES = {
    "a file of tiny YAML nodes": node_flood,
    f"{ROOM:,} clinic rules": most_rules,
    f"{ROOM:,} rules that could all contradict": at_war,
    f"{ROOM:,} rules, all wrong": all_wrong,
}

CHILD = """
import resource, sys, time, warnings
from massageplan import RulebaseError, load_rulebase
warnings.simplefilter("ignore")
started = time.perf_counter()
try:
    found = load_rulebase(sys.argv[1], builtin=True).conflicts
    outcome = f"loaded; {found[-1][:40] if found else 'no conflicts'}"
except RulebaseError as exc:
    outcome = f"refused, {len(exc.problems)} problem(s): {exc.problems[0].message[:40]}"
seconds = time.perf_counter() - started
print(f"{seconds:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} {outcome}")
"""


def main() -> None:
    print(f"{'case':<42} {'bytes':>9} {'time':>7} {'peak RSS':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "clinic.yaml"
            text = make()
            path.write_text(text, encoding="utf-8")
            out = subprocess.run(  # noqa: S603 - this interpreter, running our own code
                [sys.executable, "-c", CHILD, str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            seconds, rss_mib, outcome = out.strip().split(" ", 2)
            print(f"{name:<42} {len(text):>9,} {seconds:>6}s {rss_mib:>5} MiB  {outcome}")


if __name__ == "__main__":
    main()
