"""Pausing the cyclic garbage collector around work that makes many objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block.

    Loading a rulebase or planning a batch makes hundreds of thousands of
    objects, none of them cyclic garbage, and every collection rescans all
    that is alive, memos included: half of a 5,000-rule load, and more than
    half of unpickling a batch's plans, went to that. Reference counting
    still frees everything. The collector's state is put back as it was
    found; a concurrent caller can only make it run sooner, never leave it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
