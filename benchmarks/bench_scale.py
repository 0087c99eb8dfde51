"""How load time and plan time grow with the rulebase: prints figures, asserts nothing.

Run: python benchmarks/bench_scale.py

Rulebases of 50, 500 and 1,900 clinic rules (layered on the built-in ones),
in one file and in five, each rule with its own thresholds; then a rulebase
loaded and dropped 2,000 times, to see that memory does not grow with it.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from massageplan import RulebaseConflictWarning, load_rulebase, recommend

LEVELS = ["none", "mild", "moderate", "severe"]
PROFILES: list[dict[str, Any]] = [
    {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": LEVELS[n % 4],
        "tolerance": {"minutes": 5 + n * 3 % 170, "pressure": (n % 5) or None},
        "sessions_completed": n,
        "physician_consulted": True,
    }
    for n in range(60)
]


def rule_text(first: int, count: int) -> str:
    lines = ["rules:"]
    for i in range(first, first + count):
        lines.append(
            f"  - id: house-rule-{i}\n"
            f"    title: House rule {i}\n"
            "    when:\n"
            f"      tolerance.minutes: {{at_least: {5 + i % 170}}}\n"
            f"      hypersensitivity: {{at_least: {LEVELS[i % 4]}}}\n"
            f"      sessions_completed: {{at_most: {i % 50}}}\n"
            "    then:\n"
            "      - advise: experienced_therapist\n"
            "        text: Ask for the clinic's neuropathy specialist.\n"
            f"    because: House rule {i}.\n"
            "    sources: [project-default]"
        )
    return "\n".join(lines) + "\n"


def write(folder: Path, rules: int, files: int) -> list[Path]:
    per_file = rules // files
    # Rules of their own for each layout: the same rules twice would share the
    # engine's verdicts, kept by the rulebase's digest, and time nothing.
    first = 10_000 * files
    paths = []
    for n in range(files):
        path = folder / f"house-{n}.yaml"
        path.write_text(rule_text(first + n * per_file, per_file), encoding="utf-8")
        paths.append(path)
    return paths


def rss_kib() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> None:
    warnings.simplefilter("ignore", RulebaseConflictWarning)
    # First, while nothing large has been loaded and freed to muddy the figure.
    with tempfile.TemporaryDirectory() as folder:
        (path,) = write(Path(folder), 20, 1)
        for _ in range(50):  # warm-up: allocator pools, caches
            recommend(PROFILES[0], rulebase=load_rulebase(path, builtin=True))
        gc.collect()
        before = rss_kib()
        for n in range(2000):
            recommend(PROFILES[n % 60], rulebase=load_rulebase(path, builtin=True))
        gc.collect()
        print(f"RSS growth over 2,000 rulebases loaded, used and dropped: {rss_kib() - before} KiB")

    print(f"{'rules':>6} {'files':>5} {'load':>9} {'first plan':>11} {'per plan':>10}")
    for rules in (50, 500, 1900):  # 1,900 and the built-in ones: near MAX_RULES
        for files in (1, 5):
            with tempfile.TemporaryDirectory() as folder:
                paths = write(Path(folder), rules, files)
                started = time.perf_counter()
                rulebase = load_rulebase(*paths, builtin=True)
                loaded = time.perf_counter() - started
                started = time.perf_counter()
                recommend(PROFILES[0], rulebase=rulebase)
                first = time.perf_counter() - started
                started = time.perf_counter()
                for profile in PROFILES:
                    recommend(profile, rulebase=rulebase)
                each = (time.perf_counter() - started) / len(PROFILES)
            print(
                f"{rules:>6} {files:>5} {loaded:>8.2f}s {first * 1e3:>9.0f}ms {each * 1e3:>8.2f}ms"
            )


if __name__ == "__main__":
    main()
