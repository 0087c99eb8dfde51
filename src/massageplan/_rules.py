"""Rule files: their pydantic models, and loading them with exact errors."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    Tag,
    ValidationError,
    model_validator,
)

from ._conditions import Clause, compile_when, suggest, when_problems
from ._errors import Problem, RulebaseError
from ._plan import AdviceCode, Reason, Severity, Source, TechniqueName
from ._profile import BodyArea, PressureLevel
from ._render import words
from ._yaml import Document, KeyPath, load_yaml

SOURCES_FILE = "sources.yaml"
ARTICLE_FILE = "article.txt"
RULE_FILE_SUFFIXES = (".yaml", ".yml")

_STRICT = ConfigDict(frozen=True, extra="forbid")

RuleId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        max_length=80,
        description="Lower-case words joined by hyphens, unique in the rulebase.",
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=2000)]

AreaSpec = Annotated[
    Literal["all", "swelling", "fragile_tissue"]
    | Annotated[tuple[BodyArea, ...], Field(min_length=1)],
    Field(
        description="'all' areas, the client's 'swelling' or 'fragile_tissue' areas, "
        "or a list of areas."
    ),
]


def _describe_areas(areas: AreaSpec) -> str:
    if areas == "all":
        return "all areas"
    if isinstance(areas, str):
        return f"the client's {words(areas)} areas"
    return ", ".join(words(a.value) for a in areas)


class TechniqueEffect(BaseModel):
    """Add a technique on some areas, up to a pressure level."""

    model_config = _STRICT

    technique: TechniqueName
    areas: AreaSpec
    max_pressure: PressureLevel

    def describe(self) -> str:
        return (
            f"{words(self.technique.value)} on {_describe_areas(self.areas)}, "
            f"up to level {self.max_pressure}"
        )


class AvoidEffect(BaseModel):
    """Forbid a technique on some areas."""

    model_config = _STRICT

    avoid: TechniqueName
    areas: AreaSpec

    def describe(self) -> str:
        return f"no {words(self.avoid.value)} on {_describe_areas(self.areas)}"


class PressureLimit(BaseModel):
    model_config = _STRICT

    level: PressureLevel | None = Field(default=None, description="An absolute level (1-5).")
    above_tolerated: Annotated[StrictInt, Field(ge=0, le=4)] | None = Field(
        default=None,
        description="Levels above the firmest pressure tolerated so far (taken as 0 when "
        "not yet known, so 1 here means level 1 for a new client).",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> PressureLimit:
        if (self.level is None) == (self.above_tolerated is None):
            raise ValueError("give exactly one of 'level' or 'above_tolerated'")
        return self


class PressureEffect(BaseModel):
    """Cap the session's pressure."""

    model_config = _STRICT

    pressure_at_most: PressureLimit

    def describe(self) -> str:
        limit = self.pressure_at_most
        if limit.level is not None:
            return f"pressure at most level {limit.level}"
        return f"pressure at most {limit.above_tolerated} level(s) above what was tolerated"


class VisitsSpec(BaseModel):
    model_config = _STRICT

    weekly_minutes: Annotated[StrictInt, Field(ge=5, le=60)] = Field(
        default=60, description="Massage minutes a week, at most 60."
    )
    longest_visit: Annotated[StrictInt, Field(ge=5, le=60)] | Literal["tolerance"] = Field(
        default=60,
        description="Longest single visit in minutes, or 'tolerance' for the client's tolerance.",
    )
    at_most_per_week: Annotated[StrictInt, Field(ge=1, le=7)] | None = Field(
        default=None, description="Most visits in one week (one, unless a rule allows more)."
    )


class VisitsEffect(BaseModel):
    """Shape this week's visits."""

    model_config = _STRICT

    visits: VisitsSpec

    def describe(self) -> str:
        spec = self.visits
        longest = (
            "the tolerated length"
            if spec.longest_visit == "tolerance"
            else f"{spec.longest_visit} minutes"
        )
        per_week = f", at most {spec.at_most_per_week} a week" if spec.at_most_per_week else ""
        return f"{spec.weekly_minutes} minutes a week, visits of at most {longest}{per_week}"


class AdviceEffect(BaseModel):
    """Give the client a piece of advice."""

    model_config = _STRICT

    advise: AdviceCode
    text: Text

    def describe(self) -> str:
        return f"advice {self.advise.value!r}"


_EFFECT_KEYS = ("technique", "avoid", "pressure_at_most", "visits", "advise")


def _effect_kind(value: Any) -> str | None:
    if isinstance(value, Mapping):
        present = [k for k in _EFFECT_KEYS if k in value]
        return f"effect:{present[0]}" if len(present) == 1 else None
    if isinstance(value, BaseModel):
        return f"effect:{_EFFECT_KEYS[_EFFECT_MODELS.index(type(value))]}"
    return None


Effect = Annotated[
    Annotated[TechniqueEffect, Tag("effect:technique")]
    | Annotated[AvoidEffect, Tag("effect:avoid")]
    | Annotated[PressureEffect, Tag("effect:pressure_at_most")]
    | Annotated[VisitsEffect, Tag("effect:visits")]
    | Annotated[AdviceEffect, Tag("effect:advise")],
    Discriminator(
        _effect_kind,
        custom_error_type="effect_kind",
        custom_error_message="an effect needs exactly one of: " + ", ".join(_EFFECT_KEYS),
    ),
]
_EFFECT_MODELS: tuple[type[BaseModel], ...] = (
    TechniqueEffect,
    AvoidEffect,
    PressureEffect,
    VisitsEffect,
    AdviceEffect,
)


class Status(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"  # kept in the file for the record; never loaded


class Evidence(str, enum.Enum):
    """Strength of the evidence behind a rule."""

    EXPERT_OPINION = "expert_opinion"
    CASE_REPORT = "case_report"
    OBSERVATIONAL = "observational"
    SYSTEMATIC_REVIEW = "systematic_review"


class Rule(BaseModel):
    """One piece of guidance: when it applies, what it adds, and why."""

    model_config = _STRICT

    id: RuleId
    title: Text
    version: Annotated[StrictInt, Field(ge=1)] = Field(
        default=1, description="Bumped whenever the rule's meaning changes."
    )
    status: Status = Status.ACTIVE
    severity: Severity = Field(
        default=Severity.INFO, description="How much what the rule adds matters."
    )
    evidence: Evidence = Field(
        default=Evidence.EXPERT_OPINION, description="Strength of the evidence behind the rule."
    )
    when: dict[str, Any] = Field(
        default_factory=dict,
        description="Conditions on the profile's facts, all of which must hold; empty: always.",
    )
    then: Annotated[tuple[Effect, ...], Field(min_length=1)]
    because: Text = Field(description="One sentence: why, as the plan will say it.")
    sources: Annotated[tuple[Annotated[str, Field(min_length=1)], ...], Field(min_length=1)] = (
        Field(description="Source ids: 'article' or 'refN' for the article's reference [N].")
    )
    quote: Text | None = Field(
        default=None, description="The article's sentence this rule rests on, word for word."
    )
    replaces: bool = Field(
        default=False, description="Replace an earlier layer's rule with the same id."
    )
    note: Text | None = Field(default=None, description="A note for reviewers; not shown in plans.")


class RuleFile(BaseModel):
    """A YAML file of rules."""

    model_config = ConfigDict(extra="forbid", title="massageplan rule file")

    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]


class SourceEntry(BaseModel):
    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^(article|ref[1-9][0-9]*)$")]
    title: Text | None = None
    publisher: Text | None = None
    # "massageplan:" names a text shipped with the package (the article itself,
    # whose publisher and address the copy we hold does not give).
    url: Annotated[str, Field(pattern=r"^(https?://|massageplan:)\S+$")] | None = None
    same_as: str | None = Field(
        default=None, description="'Id.' in the article: the same source as this earlier id."
    )

    @model_validator(mode="after")
    def _complete_or_same(self) -> SourceEntry:
        given = [self.title, self.publisher, self.url]
        if self.same_as is None and None in given:
            raise ValueError("a source needs title, publisher and url (or same_as)")
        if self.same_as is not None and any(v is not None for v in given):
            raise ValueError("a source with same_as takes no title, publisher or url")
        return self


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: Annotated[tuple[SourceEntry, ...], Field(min_length=1)]


@dataclass(frozen=True, eq=False)
class LoadedRule:
    """A checked rule, its conditions as clauses, and where it came from."""

    rule: Rule
    clauses: tuple[Clause, ...]
    reason: Reason
    path: Path
    line: int
    layer: int

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


class Rulebase:
    """An ordered, checked set of rules. Build one with :func:`load_rulebase`."""

    __slots__ = ("__weakref__", "_by_id", "conflicts", "rules", "sources", "trace")

    def __init__(
        self,
        rules: Sequence[LoadedRule],
        sources: Mapping[str, Source],
        trace: Sequence[str] = (),
    ) -> None:
        self.rules: tuple[LoadedRule, ...] = tuple(rules)
        self.sources: Mapping[str, Source] = dict(sources)
        self.trace: tuple[str, ...] = tuple(trace)
        # Rules that can fire together but contradict each other, in words.
        self.conflicts: tuple[str, ...] = ()
        self._by_id = {r.id: r for r in self.rules}

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[LoadedRule]:
        return iter(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def __getitem__(self, rule_id: str) -> LoadedRule:
        return self._by_id[rule_id]

    def index(self, rule_id: str) -> int:
        return self.rules.index(self._by_id[rule_id])

    def __repr__(self) -> str:
        return f"<Rulebase of {len(self.rules)} rules>"


# ---------------------------------------------------------------- loading


def builtin_rules_dir() -> Path:
    """The packaged rulebase, or the checkout's ``rules/`` in an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parents[1] / "rules"):
        if (candidate / SOURCES_FILE).is_file():
            return candidate
    raise RulebaseError(
        [Problem("the built-in rulebase is missing from this installation", here / "rules")]
    )


_QUOTE_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _fold(text: str) -> str:
    return " ".join(text.translate(_QUOTE_FOLD).split())


@dataclass(frozen=True)
class _Library:
    """The sources every rulebase cites: the article and its references."""

    sources: Mapping[str, Source]
    article: str  # whitespace- and quote-folded text, for checking quotes


def _load_library(directory: Path) -> _Library:
    doc = load_yaml(directory / SOURCES_FILE)
    try:
        parsed = SourcesFile.model_validate(doc.data)
    except ValidationError as exc:
        raise RulebaseError(_pydantic_problems(doc, exc, ())) from None
    sources: dict[str, Source] = {}
    problems = []
    for i, entry in enumerate(parsed.sources):
        if entry.id in sources:
            problems.append(
                doc.problem(
                    f"duplicate source id {entry.id!r}", ("sources", i, "id"), kind="reference"
                )
            )
            continue
        if entry.same_as is not None:
            earlier = sources.get(entry.same_as)
            if earlier is None:
                problems.append(
                    doc.problem(
                        f"same_as {entry.same_as!r} names no earlier source",
                        ("sources", i, "same_as"),
                    )
                )
                continue
            sources[entry.id] = earlier.model_copy(update={"id": entry.id})
        else:
            sources[entry.id] = Source(
                id=entry.id,
                title=entry.title or "",
                publisher=entry.publisher or "",
                url=entry.url or "",
            )
    if problems:
        raise RulebaseError(problems)
    try:
        article = (directory / ARTICLE_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebaseError(
            [Problem(f"cannot read the article: {exc}", directory / ARTICLE_FILE)]
        ) from None
    return _Library(sources, _fold(article))


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix in RULE_FILE_SUFFIXES and p.name != SOURCES_FILE and p.is_file()
        )
        if not files:
            raise RulebaseError([Problem("folder holds no rule files (*.yaml)", path)])
        return files
    if not path.exists():
        raise RulebaseError([Problem("no such file or folder", path)])
    return [path]


def read_rulebase(
    *paths: str | Path,
    builtin: bool | None = None,
) -> Rulebase:
    """Read and check rule files; :func:`load_rulebase` documents the arguments."""
    include_builtin = (not paths) if builtin is None else builtin
    if not include_builtin and not paths:
        raise RulebaseError([Problem("no rule files given (and builtin=False)")])
    builtin_dir = builtin_rules_dir()
    library = _load_library(builtin_dir)
    layers: list[list[Path]] = []
    if include_builtin:
        layers.append(_rule_files(builtin_dir))
    layers.extend(_rule_files(Path(p)) for p in paths)

    rules: dict[str, LoadedRule] = {}
    trace: list[str] = []
    problems: list[Problem] = []
    for layer, files in enumerate(layers):
        in_layer: dict[str, LoadedRule] = {}
        for path in files:
            try:
                loaded = _load_rule_file(path, library, layer)
            except RulebaseError as exc:
                problems.extend(exc.problems)
                continue
            for item in loaded:
                problems.extend(_place(item, rules, in_layer, trace))
    if problems:
        raise RulebaseError(_by_relevance(problems))
    return Rulebase(list(rules.values()), library.sources, trace)


def _place(
    item: LoadedRule,
    rules: dict[str, LoadedRule],
    in_layer: dict[str, LoadedRule],
    trace: list[str],
) -> list[Problem]:
    """Add a rule to the rulebase being built, or say why it cannot go in."""

    def problem(message: str) -> Problem:
        return Problem(message, item.path, item.line, None, "id", item.id, kind="reference")

    if item.id in in_layer:
        return [problem(f"duplicate rule id; first defined at {in_layer[item.id].location}")]
    in_layer[item.id] = item
    earlier = rules.get(item.id)
    if earlier is None:
        if item.rule.replaces:
            return [problem("'replaces: true' but no earlier rule has this id")]
        rules[item.id] = item
        return []
    if not item.rule.replaces:
        return [
            problem(
                f"rule id already defined at {earlier.location}; "
                "add 'replaces: true' to replace that rule"
            )
        ]
    # Replacing keeps the rule's place, so plans list items in the same order.
    rules[item.id] = item
    trace.append(f"rule {item.id!r} from {item.location} replaces the one at {earlier.location}")
    return []


_KINDS = ("file", "structure", "condition", "reference", "conflict")


def _by_relevance(problems: Iterable[Problem]) -> list[Problem]:
    # The file, then its shape, then its meaning: fixing an earlier kind often
    # fixes the later ones. Within a kind, in file order.
    return sorted(problems, key=lambda p: (_KINDS.index(p.kind), str(p.path), p.line or 0))


def _load_rule_file(path: Path, library: _Library, layer: int) -> list[LoadedRule]:
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or "rules" not in data:
        raise RulebaseError([doc.problem("a rule file needs a top-level 'rules:' list", ())])
    extra = [k for k in data if k != "rules"]
    problems = [
        doc.problem(f"unknown top-level key {k!r}{suggest(k, ['rules'])}", (k,)) for k in extra
    ]
    items = data["rules"]
    if not isinstance(items, list) or not items:
        problems.append(doc.problem("'rules' must be a non-empty list of rules", ("rules",)))
        raise RulebaseError(problems)
    loaded = []
    for index, item in enumerate(items):
        try:
            rule = _load_rule(doc, index, item, library, layer)
        except RulebaseError as exc:
            problems.extend(exc.problems)
            continue
        if rule.rule.status is not Status.RETIRED:
            loaded.append(rule)
    if problems:
        raise RulebaseError(problems)
    return loaded


def _load_rule(doc: Document, index: int, item: Any, library: _Library, layer: int) -> LoadedRule:
    at: KeyPath = ("rules", index)
    rule_id = item.get("id") if isinstance(item, dict) else None
    rule_id = rule_id if isinstance(rule_id, str) else None
    try:
        rule = Rule.model_validate(item)
    except ValidationError as exc:
        problems = _pydantic_problems(doc, exc, at, rule_id)
        if isinstance(item, dict) and isinstance(item.get("when"), dict):
            problems += _when_problems(doc, item["when"], at, rule_id)
        raise RulebaseError(problems) from None
    problems = _when_problems(doc, rule.when, at, rule.id)
    for i, source_id in enumerate(rule.sources):
        if source_id not in library.sources:
            problems.append(
                doc.problem(
                    f"unknown source {source_id!r}{suggest(source_id, list(library.sources))}; "
                    f"known: {', '.join(library.sources)}",
                    (*at, "sources", i),
                    rule.id,
                    kind="reference",
                )
            )
    if rule.quote is not None and _fold(rule.quote) not in library.article:
        problems.append(
            doc.problem(
                "the quote is not found word for word in the article",
                (*at, "quote"),
                rule.id,
                kind="reference",
            )
        )
    if problems:
        raise RulebaseError(problems)
    reason = Reason(
        rule_id=rule.id,
        text=rule.because,
        sources=tuple(library.sources[s] for s in dict.fromkeys(rule.sources)),
        quote=rule.quote,
        severity=rule.severity,
    )
    mark = doc.mark(at)
    return LoadedRule(
        rule=rule,
        clauses=compile_when(rule.when),
        reason=reason,
        path=doc.path,
        line=mark.line if mark else 0,
        layer=layer,
    )


def _when_problems(
    doc: Document, when: Mapping[str, Any], at: KeyPath, rule_id: str | None
) -> list[Problem]:
    return [
        doc.problem(exc.message, (*at, "when", *exc.key_path), rule_id, kind="condition")
        for exc in when_problems(when)
    ]


# Every model a rule file can contain, to suggest keys for a misspelt one.
_RULE_FILE_MODELS: tuple[type[BaseModel], ...] = (
    RuleFile,
    Rule,
    PressureLimit,
    VisitsSpec,
    SourceEntry,
    *_EFFECT_MODELS,
)
_KEY_SETS = tuple(frozenset(model.model_fields) for model in _RULE_FILE_MODELS)


def _key_suggestion(doc: Document, parent: KeyPath, key: str) -> str:
    siblings = _at(doc.data, parent)
    present = set(siblings) - {key} if isinstance(siblings, dict) else set()
    best = max(_KEY_SETS, key=lambda keys: len(keys & present))
    if not present & best:
        best = frozenset().union(*_KEY_SETS)
    return suggest(key, sorted(best))


def _at(data: Any, key_path: KeyPath) -> Any:
    for part in key_path:
        data = data[part]
    return data


def _data_path(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """Keep the parts of a pydantic ``loc`` that index the data (drop union tags)."""
    path: list[str | int] = []
    for part in loc:
        indexes_dict = isinstance(data, dict) and part in data
        if indexes_dict or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        ):
            data = data[part]
            path.append(part)
        elif isinstance(data, dict) and isinstance(part, str) and not part.startswith("effect:"):
            # A missing or unknown key: name it, it is not in the data.
            path.append(part)
            data = None
    return tuple(path)


_EXPECTED = re.compile(r"'([^']*)'")


def _pydantic_problems(
    doc: Document, exc: ValidationError, at: KeyPath, rule_id: str | None = None
) -> list[Problem]:
    base = _at(doc.data, at) if at else doc.data
    errors = [(error, _data_path(base, error["loc"])) for error in exc.errors(include_url=False)]
    # A failed item also fails its container ("too short"); the item says more.
    locs = {loc for _, loc in errors}
    errors = [
        (error, loc)
        for error, loc in errors
        if not any(other[: len(loc)] == loc and other != loc for other in locs)
    ]
    # A misspelt key also leaves the key it meant missing: report it once.
    meant: dict[KeyPath, str] = {}
    for error, loc in errors:
        if error["type"] == "extra_forbidden":
            meant[loc] = _key_suggestion(doc, (*at, *loc[:-1]), str(loc[-1]))
    problems = []
    for error, loc in errors:
        key_path = (*at, *loc)
        kind = error["type"]
        message = error["msg"]
        if kind == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}{meant[loc]}"
        elif kind == "missing":
            hint = f" (did you mean {loc[-1]!r}?)"
            if any(k[:-1] == loc[:-1] and hint == v for k, v in meant.items()):
                continue
            message = f"missing required key {loc[-1]!r}" if loc else message
        elif kind in ("enum", "literal_error") and isinstance(error["input"], str):
            expected = _EXPECTED.findall(str(error.get("ctx", {}).get("expected", "")))
            message = f"{error['input']!r} is not allowed here{suggest(error['input'], expected)}; "
            message += f"expected one of {', '.join(expected)}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
            message = "ids are lower-case words joined by hyphens, e.g. 'no-friction-on-swelling'"
        elif kind.startswith("value_error"):
            message = message.removeprefix("Value error, ")
        problems.append(doc.problem(message, key_path, rule_id))
    return problems
