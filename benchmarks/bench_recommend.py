"""Speed and memory of recommend(): prints figures, asserts nothing.

Run: python benchmarks/bench_recommend.py [calls]
"""

from __future__ import annotations

import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from massageplan import ClientProfile, explain, recommend, verify


def _profiles(count: int) -> list[ClientProfile]:
    # Deterministic variety without hypothesis's engine: walk the value space.
    areas = ["feet", "ankles", "lower_legs", "hands"]
    levels = ["none", "mild", "moderate", "severe"]
    return [
        ClientProfile.model_validate(
            {
                "condition": "diabetic_neuropathy",
                "hypersensitivity": levels[i % 4],
                "swelling": areas[: i % 3],
                "fragile_tissue": areas[i % 2 : i % 4],
                "tolerance": {"minutes": 5 + (i * 7) % 176, "pressure": (i % 6) or None},
                "sessions_completed": i % 5,
                "physician_consulted": bool(i % 2),
            }
        )
        for i in range(count)
    ]


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    profiles = _profiles(500)
    recommend(profiles[0])  # load and compile the rulebase once
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for i in range(calls):
        recommend(profiles[i % len(profiles)])
    single = time.perf_counter() - started
    with ThreadPoolExecutor(max_workers=8) as pool:
        started = time.perf_counter()
        list(pool.map(recommend, (profiles[i % len(profiles)] for i in range(calls))))
        threaded = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(calls // 10):
        explain(profiles[i % len(profiles)])
    explained = time.perf_counter() - started
    started = time.perf_counter()
    report = verify(search=200)
    verified = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"single thread: {calls / single:,.0f} plans/s ({single / calls * 1e3:.2f} ms each)")
    print(f"8 threads:     {calls / threaded:,.0f} plans/s")
    print(f"explain:       {explained / (calls // 10) * 1e3:.2f} ms each")
    print(f"verify:        {verified:.1f} s for {report.swept} swept + {report.searched} searched")
    print(f"max RSS: {rss_after / 1024:.1f} MiB (grew {(rss_after - rss_before) / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
