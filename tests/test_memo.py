"""The bounded memo the hot paths share: bounded, and keeps what is used."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from massageplan._memo import Memo


@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), max_size=300), st.integers(1, 8))
def test_the_memo_is_bounded_and_never_gives_a_wrong_value(
    steps: list[tuple[int, bool]], size: int
) -> None:
    memo = Memo(size)
    for key, asking in steps:
        if asking:
            found = memo.get(key)
            assert found is None or found == ("value of", key)
        else:
            assert memo.keep(key, ("value of", key)) == ("value of", key)
        assert len(memo) <= 2 * size


def test_what_is_asked_for_survives_a_turn_of_generations() -> None:
    memo = Memo(2)
    memo.keep("hot", 1)
    memo.keep("a", 2)
    memo.keep("b", 3)  # "hot" and "a" are now the old generation
    assert memo.get("hot") == 1  # found old: moved to the young one
    memo.keep("c", 4)  # the young generation ("b", "hot") turns old
    memo.keep("d", 5)
    assert "hot" in memo
    assert "a" not in memo  # never asked for: dropped
    memo.clear()
    assert len(memo) == 0
    assert memo.get("hot") is None
