"""The engine seam: of these named condition sets, which hold for these facts?

Two implementations answer that one question over the same clauses:

- durable-rules 2.0.28 (``engine.durable``), the evaluator of record, used
  wherever it loads: it does not load on Python 3.13 and later, and its last
  release (2020) will not be fixed;
- a compiled pure-Python evaluator of the same condition language
  (``engine.python``), used where durable-rules is absent, or when asked.

``MASSAGEPLAN_ENGINE=durable`` or ``=python`` chooses; unset, durable-rules
is used where it imports. A differential test proves the two agree. The
rest of the library knows only :func:`compile_conditions` and
:data:`ENGINE_NAME` (reported in every plan's ``generated_by``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ..model.errors import EngineError
from .conditions import Clause
from .facts import FactValue
from .python import ENGINE_NAME as PYTHON_NAME
from .python import PythonConditions

ENGINE_VARIABLE = "MASSAGEPLAN_ENGINE"
ENGINES = ("durable", "python")


class Conditions(Protocol):
    """Named condition sets compiled for an engine; safe to call from many threads."""

    def matching(self, facts: Mapping[str, FactValue]) -> frozenset[str]: ...


Named = Sequence[tuple[str, Sequence[Clause]]]
Compiler = Callable[[Named], Conditions]


def durable_available() -> bool:
    """Whether durable-rules loads on this Python."""
    return _durable() is not None


def _durable() -> Compiler | None:
    try:
        from .durable import DurableConditions  # noqa: PLC0415 - may not load here
    except ImportError:  # not installed (Python 3.13+), or its C module does not load
        return None
    return DurableConditions


def _choose() -> tuple[str, Compiler]:
    asked = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if asked not in ("", *ENGINES):
        raise EngineError(f"{ENGINE_VARIABLE}={asked!r}: choose one of {', '.join(ENGINES)}")
    if asked == "python":
        return PYTHON_NAME, PythonConditions
    durable = _durable()
    if durable is not None:
        from .durable import ENGINE_NAME as DURABLE_NAME  # noqa: PLC0415 - loaded above

        return DURABLE_NAME, durable
    if asked == "durable":
        raise EngineError(
            f"{ENGINE_VARIABLE}=durable, but durable-rules does not load on this Python "
            "(it supports 3.10 to 3.12); unset it to use the Python evaluator"
        )
    return PYTHON_NAME, PythonConditions


ENGINE_NAME, _CHOSEN = _choose()


def compile_conditions(named: Named, engine: str | None = None) -> Conditions:
    """Compile named clause sets for the chosen engine (or ``engine``, for tests)."""
    if engine is None:
        return _CHOSEN(named)
    if engine == "python":
        return PythonConditions(named)
    durable = _durable()
    if engine != "durable" or durable is None:
        raise EngineError(f"engine {engine!r} is not available here")
    return durable(named)
