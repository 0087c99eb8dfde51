"""recommend() from many threads gives what it gives from one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massageplan import ClientProfile, recommend
from tests.strategies import profiles


@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles, min_size=20, max_size=40))
def test_eight_threads_match_single_threaded(batch: list[ClientProfile]) -> None:
    expected = [recommend(p).model_dump_json() for p in batch]
    with ThreadPoolExecutor(max_workers=8) as pool:
        rounds = [
            pool.submit(lambda: [recommend(p).model_dump_json() for p in batch]) for _ in range(8)
        ]
        results = [future.result() for future in rounds]
    assert all(result == expected for result in results)
