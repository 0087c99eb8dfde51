"""The ``when`` language: plain YAML conditions on a profile's facts.

A rule's ``when`` maps a fact to a condition; all must hold. A condition is a
value (``first_session: true``) or a mapping of operators, all of which must
hold (``tolerance.minutes: {at_least: 20, below: 60}``). This module checks
them and turns them into clauses: each clause is one or more tests of which
at least one must hold. The engine module compiles clauses; nothing here
evaluates them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .facts import FIELDS, FactField, count_key

Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "includes"]
Scalar = str | int | bool
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Test:
    """One comparison of a fact with a constant."""

    fact: str
    op: Op
    value: Scalar


@dataclass(frozen=True)
class Clause:
    """Tests of one fact of which at least one must hold."""

    field: str
    tests: tuple[Test, ...]
    needs: str  # what the clause asks for, in words: "'moderate' or 'severe'"
    key_path: KeyPath  # within the rule's ``when``


class ConditionError(Exception):
    """A ``when`` problem, with its key path inside the ``when`` mapping."""

    def __init__(self, message: str, key_path: KeyPath) -> None:
        super().__init__(message)
        self.message = message
        self.key_path = key_path


OPERATORS: dict[str, tuple[str, ...]] = {
    "enum": ("is", "is_not", "in", "not_in"),
    "ordered": ("is", "is_not", "in", "not_in", "at_least", "at_most", "above", "below"),
    "int": ("is", "is_not", "in", "at_least", "at_most", "above", "below"),
    "bool": ("is",),
    "areas": ("includes", "includes_any", "includes_all", "empty"),
}

_INT_OPS: dict[str, Op] = {
    "is": "eq",
    "is_not": "ne",
    "at_least": "ge",
    "at_most": "le",
    "above": "gt",
    "below": "lt",
}
_INT_WORDS = {
    "is": "{}",
    "is_not": "not {}",
    "at_least": "at least {}",
    "at_most": "at most {}",
    "above": "more than {}",
    "below": "less than {}",
}


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """' (did you mean 'x'?)' for a close match, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def compile_when(when: Mapping[str, Any]) -> tuple[Clause, ...]:
    """Check a ``when`` mapping and turn it into clauses (all must hold).

    Raises :class:`ConditionError` for the first problem; use
    :func:`when_problems` to collect all of them.
    """
    clauses: list[Clause] = []
    for name, condition in when.items():
        clauses.extend(_field_clauses(name, condition))
    return tuple(clauses)


def when_problems(when: Mapping[str, Any]) -> list[ConditionError]:
    """Every problem in a ``when`` mapping, one per fact at most."""
    problems = []
    for name, condition in when.items():
        try:
            _field_clauses(name, condition)
        except ConditionError as exc:
            problems.append(exc)
    return problems


def _field_clauses(name: str, condition: Any) -> list[Clause]:
    field = FIELDS.get(name)
    if field is None:
        raise ConditionError(
            f"unknown fact {name!r}{suggest(name, list(FIELDS))}; "
            f"rules can test: {', '.join(FIELDS)}",
            (name,),
        )
    kind = "ordered" if field.ordered else field.kind
    if not isinstance(condition, Mapping):
        if field.kind == "areas":
            raise ConditionError(
                f"{name!r} is a list of areas: use one of {', '.join(OPERATORS['areas'])}",
                (name,),
            )
        # A bare value means "is", reported at the fact itself.
        return _clauses(field, "is", condition, (name,))
    if not condition:
        raise ConditionError(f"empty condition for {name!r}", (name,))
    clauses = []
    for op, value in condition.items():
        if op not in OPERATORS[kind]:
            raise ConditionError(
                f"unknown operator {op!r} for {name!r}{suggest(str(op), OPERATORS[kind])}; "
                f"use one of {', '.join(OPERATORS[kind])}",
                (name, op),
            )
        clauses.extend(_clauses(field, op, value, (name, op)))
    return clauses


def _clauses(  # noqa: PLR0911 - one early return per operator family reads best here
    field: FactField, op: str, value: Any, key_path: KeyPath
) -> list[Clause]:
    if field.kind == "areas":
        return _area_clauses(field, op, value, key_path)
    if op in ("in", "not_in"):
        items = _list(value, key_path)
        checked = list(
            dict.fromkeys(_scalar(field, v, (*key_path, i)) for i, v in enumerate(items))
        )
        if not checked:
            raise ConditionError("an empty list can never match", key_path)
        if op == "in":
            return [_any_of(field, checked, key_path)]
        # "not in" is a conjunction: one single-test clause per excluded value.
        return [_single(field, "ne", v, f"not {_word(field, v)}", key_path) for v in checked]
    checked_value = _scalar(field, value, key_path)
    if field.kind == "enum" and op in ("at_least", "at_most", "above", "below"):
        # Ordered enums compile to the set of values that satisfy the order,
        # because the engine would compare the strings alphabetically.
        index = field.values.index(str(checked_value))
        keep = {
            "at_least": field.values[index:],
            "at_most": field.values[: index + 1],
            "above": field.values[index + 1 :],
            "below": field.values[:index],
        }[op]
        if not keep:
            raise ConditionError(
                f"no {field.name} is {op.replace('_', ' ')} {checked_value!r}", key_path
            )
        return [_any_of(field, list(keep), key_path)]
    if field.kind == "int":
        return [
            _single(
                field, _INT_OPS[op], checked_value, _INT_WORDS[op].format(checked_value), key_path
            )
        ]
    if op == "is_not":
        return [_single(field, "ne", checked_value, f"not {_word(field, checked_value)}", key_path)]
    return [_single(field, "eq", checked_value, _word(field, checked_value), key_path)]


def _word(field: FactField, value: Scalar) -> str:
    if field.kind == "bool":
        return "yes" if value else "no"
    if field.kind == "int":
        return str(value)
    return repr(value)


def _single(field: FactField, op: Op, value: Scalar, needs: str, key_path: KeyPath) -> Clause:
    return Clause(field.name, (Test(field.name, op, value),), needs, key_path)


def _any_of(field: FactField, values: list[Scalar], key_path: KeyPath) -> Clause:
    needs = _either([_word(field, v) for v in values])
    return Clause(field.name, tuple(Test(field.name, "eq", v) for v in values), needs, key_path)


def _either(words: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _area_clauses(field: FactField, op: str, value: Any, key_path: KeyPath) -> list[Clause]:
    if op == "empty":
        if not isinstance(value, bool):
            raise ConditionError(f"'empty' takes true or false, not {value!r}", key_path)
        counted = count_key(field.name)
        if value:
            return [Clause(field.name, (Test(counted, "eq", 0),), "no areas", key_path)]
        return [Clause(field.name, (Test(counted, "gt", 0),), "at least one area", key_path)]
    if op == "includes":
        checked = [str(_scalar(field, value, key_path))]
    else:
        areas = _list(value, key_path)
        checked = list(
            dict.fromkeys(str(_scalar(field, a, (*key_path, i))) for i, a in enumerate(areas))
        )
    if not checked:
        raise ConditionError("an empty list can never match", key_path)
    if op == "includes_all":
        return [
            Clause(field.name, (Test(field.name, "includes", a),), f"to include {a!r}", key_path)
            for a in checked
        ]
    tests = tuple(Test(field.name, "includes", a) for a in checked)
    return [
        Clause(field.name, tests, f"to include {_either([repr(a) for a in checked])}", key_path)
    ]


def _list(value: Any, key_path: KeyPath) -> list[Any]:
    if not isinstance(value, list):
        raise ConditionError(f"expected a list, got {value!r}", key_path)
    return value


def _scalar(field: FactField, value: Any, key_path: KeyPath) -> Scalar:
    if field.kind in ("enum", "areas"):
        if not isinstance(value, str) or value not in field.values:
            hint = suggest(value, field.values) if isinstance(value, str) else ""
            raise ConditionError(
                f"{value!r} is not a {field.name} value{hint}; "
                f"expected one of {', '.join(field.values)}",
                key_path,
            )
        return value
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"{field.name} takes true or false, not {value!r}", key_path)
        return value
    # int: bools are ints in Python and in the engine, so refuse them here.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConditionError(f"{field.name} takes a whole number, not {value!r}", key_path)
    if not field.minimum <= value <= field.maximum:
        raise ConditionError(
            f"{field.name} is between {field.minimum} and {field.maximum}; {value} never occurs",
            key_path,
        )
    return value
