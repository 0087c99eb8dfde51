"""Loading rule files: read, checked, layered, and their sources resolved into a Rulebase."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .._gc_pause import collector_paused
from ..engine.conditions import compile_when, suggest, when_problems
from ..model.errors import Problem, RulebaseError
from ..model.limits import MAX_PROBLEMS, MAX_RULEBASE_BYTES, MAX_RULES
from ..model.plan import Reason, Source, SourceKind
from .conflicts import RulebaseConflictWarning, find_conflicts
from .positions import Document, KeyPath
from .pydantic_errors import by_relevance, pydantic_problems
from .quotes import DIGESTS_FILE, is_the_articles, read_digests
from .reading import read_document
from .rule_file import Rule, SourceEntry, SourcesFile, Status
from .rulebase import LoadedRule, Rulebase

SOURCES_FILE = "sources.yaml"
RULE_FILE_SUFFIXES = (".yaml", ".yml")
BUILTIN_DISPLAY = "massageplan/rules"
# The kinds a clinic may declare in its own rule files; the article, its
# references and the project's defaults are the built-in library's alone.
CLINIC_KINDS = frozenset({SourceKind.CLINIC, SourceKind.LITERATURE})
_SOURCE_LIST = TypeAdapter(tuple[SourceEntry, ...])


# ---------------------------------------------------------------- sources


def builtin_rules_dir() -> Path:
    """The packaged rulebase, or the checkout's ``rules/`` in an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "builtin", here.parents[2] / "rules"):
        if (candidate / SOURCES_FILE).is_file():
            return candidate
    raise RulebaseError(
        [Problem("the built-in rulebase is missing from this installation", here / "builtin")]
    )


@dataclass
class _Sources:
    """Declared sources, and the id each one resolves to ("Id." -> the work above)."""

    entries: dict[str, Source] = field(default_factory=dict)
    resolves_to: dict[str, str] = field(default_factory=dict)

    def declare(
        self, doc: Document, at: KeyPath, entries: Sequence[SourceEntry], kinds: frozenset[str]
    ) -> list[Problem]:
        problems = []
        for i, entry in enumerate(entries):
            where = (*at, i)
            if entry.id in self.resolves_to:
                problems.append(
                    doc.problem(
                        f"source id {entry.id!r} is already declared",
                        (*where, "id"),
                        None,
                        kind="reference",
                    )
                )
            elif entry.same_as is not None:
                target = self.resolves_to.get(entry.same_as)
                if target is None:
                    problems.append(
                        doc.problem(
                            f"same_as {entry.same_as!r} names no earlier source",
                            (*where, "same_as"),
                            kind="reference",
                        )
                    )
                else:
                    self.resolves_to[entry.id] = target
            elif entry.kind.value not in kinds:
                problems.append(
                    doc.problem(
                        f"a rule file may declare sources of kind {' or '.join(sorted(kinds))}, "
                        f"not {entry.kind.value!r} (that kind is the built-in library's)",
                        (*where, "kind"),
                        kind="reference",
                    )
                )
            else:
                self.resolves_to[entry.id] = entry.id
                self.entries[entry.id] = Source(
                    id=entry.id,
                    kind=entry.kind,
                    title=entry.title or "",
                    publisher=entry.publisher or "",
                    year=entry.year,
                    url=entry.url,
                )
        return problems


@dataclass(frozen=True)
class _Library:
    """What every rulebase starts from: the built-in sources and the article."""

    sources: _Sources
    article: frozenset[str]  # a digest of each of the article's sentences, for checking quotes


def _load_library(directory: Path) -> _Library:
    doc = read_document(directory / SOURCES_FILE)
    try:
        parsed = SourcesFile.model_validate(doc.data)
    except ValidationError as exc:
        raise RulebaseError(pydantic_problems(doc, exc, ())) from None
    sources = _Sources()
    problems = sources.declare(
        doc, ("sources",), parsed.sources, frozenset(k.value for k in SourceKind)
    )
    if problems:
        raise RulebaseError(problems)
    try:
        article = (directory / DIGESTS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebaseError(
            [Problem(f"cannot read the article's sentences: {exc}", directory / DIGESTS_FILE)]
        ) from None
    return _Library(sources, read_digests(article.splitlines()))


# ---------------------------------------------------------------- rule files


def _rule_files(path: Path, display_root: str) -> list[tuple[Path, str]]:
    """The rule files a path names, each with the name plans show for it."""
    if path.is_dir():
        named = [p for p in path.iterdir() if p.suffix in RULE_FILE_SUFFIXES]
        # A rule file that a link promises and nobody delivers is an error, never
        # a file skipped without a word (and 'lint' saying "no problems").
        dangling = sorted(p for p in named if p.is_symlink() and not p.exists())
        if dangling:
            raise RulebaseError(
                [
                    Problem("a symbolic link to nothing (its target is missing)", p, kind="file")
                    for p in dangling
                ]
            )
        files = sorted(p for p in named if p.name != SOURCES_FILE and p.is_file())
        if not files:
            raise RulebaseError([Problem("folder holds no rule files (*.yaml)", path, kind="file")])
        return [(p, f"{display_root}/{p.name}") for p in files]
    if not path.exists():
        raise RulebaseError([Problem("no such file or folder", path, kind="file")])
    return [(path, path.name)]


@dataclass
class _File:
    doc: Document
    display: str
    layer: int
    items: list[Any]


def _open_rule_file(path: Path, display: str, layer: int, sources: _Sources) -> _File:
    """Read a rule file's shape and declare its sources; rules are checked later,
    once every file's sources are known."""
    doc = read_document(path)
    data = doc.data
    if not isinstance(data, dict) or "rules" not in data:
        raise RulebaseError([doc.problem("a rule file needs a top-level 'rules:' list", ())])
    allowed = ("sources", "rules")
    problems = [
        doc.problem(f"unknown top-level key {k!r}{suggest(k, list(allowed))}", (k,))
        for k in data
        if k not in allowed
    ]
    entries: tuple[SourceEntry, ...] = ()
    if "sources" in data:
        try:
            entries = _SOURCE_LIST.validate_python(data["sources"])
        except ValidationError as exc:
            problems += pydantic_problems(doc, exc, ("sources",))
    problems += sources.declare(
        doc, ("sources",), entries, frozenset(k.value for k in CLINIC_KINDS)
    )
    items = data["rules"]
    if not isinstance(items, list) or not items:
        problems.append(doc.problem("'rules' must be a non-empty list of rules", ("rules",)))
    if problems:
        raise RulebaseError(problems)
    return _File(doc, display, layer, items)


def _load_rule(
    file: _File, index: int, item: Any, library: _Library, sources: _Sources
) -> LoadedRule:
    doc = file.doc
    at: KeyPath = ("rules", index)
    rule_id = item.get("id") if isinstance(item, dict) else None
    rule_id = rule_id if isinstance(rule_id, str) else None
    try:
        rule = Rule.model_validate(item)
    except ValidationError as exc:
        problems = pydantic_problems(doc, exc, at, rule_id)
        if isinstance(item, dict) and isinstance(item.get("when"), dict):
            problems += _when_problems(doc, item["when"], at, rule_id)
        raise RulebaseError(problems) from None
    problems = _when_problems(doc, rule.when, at, rule.id)
    for i, source_id in enumerate(rule.sources):
        if source_id not in sources.resolves_to:
            known = ", ".join(sources.resolves_to)
            problems.append(
                doc.problem(
                    f"unknown source {source_id!r}{suggest(source_id, list(sources.resolves_to))}"
                    f"; declare it under a top-level 'sources:' list, or cite one of: {known}",
                    (*at, "sources", i),
                    rule.id,
                    kind="reference",
                )
            )
    if rule.quote is not None and not is_the_articles(rule.quote, library.article):
        problems.append(
            doc.problem(
                "the quote is not the article's: it must be one or more of the article's "
                "sentences, word for word",
                (*at, "quote"),
                rule.id,
                kind="reference",
            )
        )
    cites_the_article = [
        s
        for s in rule.sources
        if s in sources.resolves_to
        and sources.entries[sources.resolves_to[s]].kind
        in (SourceKind.ARTICLE, SourceKind.REFERENCE)
    ]
    if cites_the_article and rule.quote is None:
        problems.append(
            doc.problem(
                f"the rule cites {', '.join(cites_the_article)} but has no 'quote': give the "
                "article's sentence it rests on (for a reference, the sentence that cites it)",
                at,
                rule.id,
                kind="reference",
            )
        )
    if problems:
        raise RulebaseError(problems)
    reason = Reason(
        rule_id=rule.id,
        text=rule.because,
        severity=rule.severity,
        sources=tuple(dict.fromkeys(sources.resolves_to[s] for s in rule.sources)),
        quote=rule.quote,
    )
    mark = doc.mark(at)
    return LoadedRule(
        rule=rule,
        clauses=compile_when(rule.when),
        reason=reason,
        path=doc.path,
        display=file.display,
        line=mark.line if mark else 0,
        layer=file.layer,
    )


def _when_problems(
    doc: Document, when: Mapping[str, Any], at: KeyPath, rule_id: str | None
) -> list[Problem]:
    return [
        doc.problem(exc.message, (*at, "when", *exc.key_path), rule_id, kind="condition")
        for exc in when_problems(when)
    ]


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
        return [problem(f"duplicate rule id; first defined at {in_layer[item.id].where}")]
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
                f"rule id already defined at {earlier.where}; "
                "add 'replaces: true' to replace that rule"
            )
        ]
    # Replacing keeps the rule's place, so plans list items in the same order.
    rules[item.id] = item
    trace.append(f"rule {item.id!r} from {item.location} replaces the one at {earlier.location}")
    return []


def _check_total_size(layers: list[list[tuple[Path, str]]]) -> None:
    """Refuse, before parsing any, rule files that together are over the limit
    (each file has its own limit as it is read)."""
    total = 0
    for named in layers:
        for path, _ in named:
            try:
                total += path.stat().st_size
            except OSError:
                continue  # reading it says what is wrong, naming it
            if total > MAX_RULEBASE_BYTES:
                message = (
                    f"the rule files up to this one come to more than the limit of "
                    f"{MAX_RULEBASE_BYTES} bytes for one rulebase"
                )
                raise RulebaseError([Problem(message, path, kind="file")])


def _check_rule_count(files: list[_File]) -> None:
    """Refuse a rulebase of more rules than the limit before checking any rule."""
    total = 0
    for file in files:
        total += len(file.items)
        if total > MAX_RULES:
            message = f"the rule files up to this one hold more than the limit of {MAX_RULES} rules"
            raise RulebaseError([file.doc.problem(message, ("rules",), kind="file")])


def _open_rule_files(
    layers: list[list[tuple[Path, str]]], sources: _Sources
) -> tuple[list[_File], list[Problem]]:
    """Every rule file opened, within the limits, and the problems found opening them."""
    _check_total_size(layers)
    problems: list[Problem] = []
    files: list[_File] = []
    for layer, named in enumerate(layers):
        for path, display in named:
            try:
                files.append(_open_rule_file(path, display, layer, sources))
            except RulebaseError as exc:
                problems.extend(exc.problems)
            _check_rule_count(files)  # as each file is opened: stop parsing at once
    return files, problems


def read_rulebase(*paths: str | Path, builtin: bool | None = None) -> Rulebase:
    """Read and check rule files; :func:`load_rulebase` documents the arguments."""
    with collector_paused():
        return _read_rulebase(*paths, builtin=builtin)


def _read_rulebase(*paths: str | Path, builtin: bool | None = None) -> Rulebase:
    include_builtin = (not paths) if builtin is None else builtin
    if not include_builtin and not paths:
        raise RulebaseError([Problem("no rule files given (and builtin=False)")])
    builtin_dir = builtin_rules_dir()
    library = _load_library(builtin_dir)
    sources = _Sources(dict(library.sources.entries), dict(library.sources.resolves_to))
    layers: list[list[tuple[Path, str]]] = []
    if include_builtin:
        layers.append(_rule_files(builtin_dir, BUILTIN_DISPLAY))
    for given in map(Path, paths):
        layers.append(_rule_files(given, given.name))

    files, problems = _open_rule_files(layers, sources)
    rules: dict[str, LoadedRule] = {}
    trace: list[str] = []
    in_layer: dict[str, LoadedRule] = {}
    layer_seen = -1
    for file in files:
        if file.layer != layer_seen:
            in_layer, layer_seen = {}, file.layer
        for index, item in enumerate(file.items):
            if len(problems) >= MAX_PROBLEMS:
                break  # a file that is wrong throughout: say enough to start fixing it
            try:
                loaded = _load_rule(file, index, item, library, sources)
            except RulebaseError as exc:
                problems.extend(exc.problems)
                continue
            if loaded.rule.status is not Status.RETIRED:
                problems.extend(_place(loaded, rules, in_layer, trace))
    if problems:
        raise RulebaseError(by_relevance(problems)[:MAX_PROBLEMS])
    cited = dict.fromkeys(s for rule in rules.values() for s in rule.reason.sources)
    return Rulebase(
        list(rules.values()),
        {s: sources.entries[s] for s in cited},
        trace,
        find_conflicts,
    )


def load_rulebase(
    *paths: str | Path,
    builtin: bool | None = None,
    strict: bool = False,
) -> Rulebase:
    """Load rules from YAML files and folders into a checked :class:`Rulebase`.

    With no paths, loads the built-in rulebase. ``builtin=True`` puts the
    built-in rules first and layers the given files on top: a later rule with
    an earlier rule's id replaces it only if it says ``replaces: true``.
    A rule file may declare its own sources (kind ``clinic`` or
    ``literature``) under a top-level ``sources:`` list. Every problem raises
    :class:`RulebaseError` naming file, line and rule.

    Rules that can fire together but contradict each other are listed in
    ``Rulebase.conflicts`` and reported as a :class:`RulebaseConflictWarning`,
    or raised as a :class:`RulebaseError` when ``strict``.
    """
    with collector_paused():
        rulebase = read_rulebase(*paths, builtin=builtin)
        conflicts = find_conflicts(rulebase)
    if conflicts and strict:
        raise RulebaseError([c.problem() for c in conflicts])
    for conflict in conflicts:
        warnings.warn(str(conflict), RulebaseConflictWarning, stacklevel=2)
    rulebase._conflicts = tuple(str(c) for c in conflicts)
    return rulebase
