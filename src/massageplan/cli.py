"""The ``massageplan`` command: a thin layer over the library.

Exit codes: 0 success, 1 a finding (lint or verify problems, or a batch with
rejected items), 2 bad input or usage, with one line on stderr naming the
field or file:line; 130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from ._schema import questionnaire_text, schema_text
from ._version import __version__
from .engine.seam import ENGINE_NAME
from .model.errors import MassagePlanError, PlanSafetyError, RulebaseError, validation_message
from .model.limits import MAX_BATCH_BYTES, MAX_PROFILE_BYTES, LimitError, read_bounded, read_stream
from .model.profile import FIELD, LastSession, Reaction
from .model.visits import record_session
from .plan.batch import BatchError, recommend_many
from .plan.course import MAX_GAIN, MAX_WEEKS, project_course
from .plan.explain import explain
from .plan.recommend import as_profile, recommend
from .plan.verify import search_available, verify
from .render.course import course_chart, course_table
from .render.text import render_markdown, render_text
from .rules.conflicts import RulebaseConflictWarning
from .rules.load import load_rulebase
from .rules.rulebase import Rulebase
from .rules.safe_yaml import parse_yaml
from .service.booking import read_booking_csv, read_json_lines
from .service.careplan import care_plan_bundle

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``, for argparse (which names the option)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"{value} is above {high}")
        return value

    return parse


class _UsageError(Exception):
    """Bad input or usage: one line on stderr, exit 2."""


class _Streams:
    def __init__(self, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> None:
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr


def _json(model: BaseModel) -> str:
    return _dumps(model.model_dump(mode="json"))


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _read_text(name: str, io: _Streams, what: str, limit: int) -> str:
    """A file's or standard input's text, within ``limit`` (special files refused)."""
    try:
        if name == "-":
            if _terminal(io.stdin):  # someone may be waiting for the command, not it for them
                io.stderr.write(
                    f"massageplan: reading the {what} from standard input; end with Ctrl-D\n"
                )
            return read_stream(io.stdin, limit, what)
        return read_bounded(Path(name), limit, what).decode("utf-8")
    except LimitError as exc:
        raise _UsageError(f"{name}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise _UsageError(f"{name}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})") from None
    except OSError as exc:
        raise _UsageError(f"{name}: cannot read {what}: {exc.strerror or exc}") from None


def _read_profile(name: str, io: _Streams) -> Any:
    text = _read_text(name, io, "profile", MAX_PROFILE_BYTES)
    try:
        # JSON is YAML, so one reader serves both: the rule files' safe reader,
        # with its limits on nesting and aliases.
        return parse_yaml(text.encode("utf-8"), Path(name)).data
    except RulebaseError as exc:
        problem = exc.problems[0]
        where = f":{problem.line}" if problem.line else ""
        raise _UsageError(f"{name}{where}: not a valid profile file: {problem.message}") from None


def _profile_error(name: str, exc: ValidationError) -> str:
    # Every error, each naming its field, on the one line.
    return f"{name}: {validation_message(exc)}"


def _one_line(error: RulebaseError) -> str:
    more = len(error.problems) - 1
    return str(error.problems[0]) + (
        f" (and {more} more; run 'massageplan lint' to see all)" if more else ""
    )


def _rulebase(paths: list[str]) -> Rulebase | None:
    if not paths:
        return None
    try:
        with warnings.catch_warnings():
            # Conflicts are for 'massageplan lint'; here they would only get in the way.
            warnings.simplefilter("ignore", RulebaseConflictWarning)
            return load_rulebase(*paths, builtin=True)
    except RulebaseError as exc:
        raise _UsageError(_one_line(exc)) from None


def _profile_command(args: argparse.Namespace, io: _Streams, run: Callable[[Any], str]) -> int:
    """Read a profile, run a library call on it, print what it returns."""
    data = _read_profile(args.profile, io)
    try:
        io.stdout.write(run(data))
    except ValidationError as exc:
        raise _UsageError(_profile_error(args.profile, exc)) from None
    return EXIT_OK


def _terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _recommend(args: argparse.Namespace, io: _Streams) -> int:
    rules = _rulebase(args.rules)
    on_terminal = _terminal(io.stdout)
    # The terminal's width when there is one; 80 columns otherwise.
    width = shutil.get_terminal_size((80, 24)).columns if on_terminal else 80
    colour = on_terminal and "NO_COLOR" not in os.environ

    def run(data: Any) -> str:
        profile = as_profile(data)
        plan = recommend(profile, rules)
        if args.format == "json":
            return _json(plan)
        if args.format == "markdown":
            return render_markdown(plan, profile)
        if args.format == "fhir":
            return _dumps(care_plan_bundle(plan))
        return render_text(plan, profile, width=width, audience=args.audience, colour=colour)

    return _profile_command(args, io, run)


def _next(args: argparse.Namespace, io: _Streams) -> int:
    """Record the session in the profile, write it, and print the next plan."""
    out = args.out or args.profile
    if out == "-":
        raise _UsageError(
            "give --out FILE: the updated profile needs a file when it is read from -"
        )
    rules = _rulebase(args.rules)
    data = _read_profile(args.profile, io)
    try:
        session = LastSession(pressure=args.used, minutes=args.minutes, reaction=args.reaction)
        profile = record_session(as_profile(data), session)
        plan = recommend(profile, rules)  # the profile is written only once its plan is made
    except ValidationError as exc:
        raise _UsageError(_profile_error(args.profile, exc)) from None
    saved = profile.model_dump(mode="json", exclude_none=True)
    if out.endswith(".json"):
        text = json.dumps(saved, indent=2, ensure_ascii=False) + "\n"
    else:
        head = f"# Written by 'massageplan next' after session {profile.sessions_completed}.\n"
        text = head + yaml.safe_dump(saved, sort_keys=False, allow_unicode=True)
    target = Path(out)
    partial = target.with_name(f".{target.name}.partial")
    try:  # whole or not at all: a failed write leaves the old profile as it was
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _UsageError(f"{out}: cannot write the updated profile: {exc.strerror}") from None
    io.stderr.write(
        f"{out}: session {profile.sessions_completed} recorded "
        f"(level {args.used}, {args.minutes} minutes, {args.reaction}); the next plan follows\n"
    )
    if args.format == "json":
        io.stdout.write(_json(plan))
    elif args.format == "markdown":
        io.stdout.write(render_markdown(plan, profile))
    elif args.format == "fhir":
        io.stdout.write(_dumps(care_plan_bundle(plan)))
    else:
        io.stdout.write(render_text(plan, profile, audience=args.audience))
    return EXIT_OK


def _letter(args: argparse.Namespace, io: _Streams) -> int:
    rules = _rulebase(args.rules)

    def run(data: Any) -> str:
        from .render.letter import NO_LETTER, doctor_letter, render_letter  # noqa: PLC0415 - on first use

        profile = as_profile(data)
        letter = doctor_letter(recommend(profile, rules), profile)
        if letter is None:
            return NO_LETTER + "\n"
        if args.format == "json":
            return _json(letter)
        return render_letter(letter, markdown=args.format == "markdown")

    return _profile_command(args, io, run)


def _explain(args: argparse.Namespace, io: _Streams) -> int:
    rules = _rulebase(args.rules)
    if args.format == "json":
        return _profile_command(args, io, lambda data: _json(explain(data, rules)))
    return _profile_command(args, io, lambda data: str(explain(data, rules)) + "\n")


def _course(args: argparse.Namespace, io: _Streams) -> int:
    if args.chart and args.format == "json":
        raise _UsageError("--chart draws the course for text and Markdown; JSON has its numbers")
    rules = _rulebase(args.rules)

    def run(data: Any) -> str:
        course = project_course(data, args.weeks, minutes_gain=args.gain, rulebase=rules)
        if args.svg:
            from .render.chart import course_svg  # noqa: PLC0415 - matplotlib loads only to draw

            if args.svg == "-":  # the chart is the output
                return course_svg(course)
            try:
                Path(args.svg).write_text(course_svg(course), encoding="utf-8")
            except OSError as exc:
                raise _UsageError(f"{args.svg}: cannot write the chart: {exc.strerror}") from None
        if args.format == "json":
            return _json(course)
        markdown = args.format == "markdown"
        out = course_table(course, markdown=markdown)
        if not args.chart:
            return out
        chart = course_chart(course)
        return out + "\n" + (f"```text\n{chart}```\n" if markdown else chart)

    return _profile_command(args, io, run)


def _lint(args: argparse.Namespace, io: _Streams) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RulebaseConflictWarning)
        try:
            rulebase = load_rulebase(*args.paths, builtin=args.builtin)
        except RulebaseError as exc:
            for problem in exc.problems:  # problems are errors: stderr, as every error
                io.stderr.write(f"{problem}\n")
            # A file that cannot be read as YAML is bad input; a rule that is wrong, a finding.
            unreadable = any(problem.kind == "file" for problem in exc.problems)
            return EXIT_BAD_INPUT if unreadable else EXIT_FINDING
    conflicts = [w for w in caught if issubclass(w.category, RulebaseConflictWarning)]
    for warning in conflicts:
        io.stderr.write(f"conflict: {warning.message}\n")
    if conflicts:
        return EXIT_FINDING
    io.stdout.write(f"{len(rulebase)} rules, no problems\n")
    return EXIT_OK


def _verify(args: argparse.Namespace, io: _Streams) -> int:
    search = args.search
    if search and not search_available():
        io.stderr.write(
            "massageplan: hypothesis is not installed, so the search was skipped "
            "(pip install 'massageplan[verify]'); the sweep still covers every value "
            "the rules test\n"
        )
        search = 0
    report = verify(
        _rulebase(args.rules), search=search, article=args.article, workers=args.workers
    )
    io.stdout.write(_json(report) if args.format == "json" else str(report) + "\n")
    return EXIT_OK if report.ok else EXIT_FINDING


def _batch(args: argparse.Namespace, io: _Streams) -> int:
    rules = _rulebase(args.rules)
    text = _read_text(args.input, io, "batch", MAX_BATCH_BYTES)
    kind = args.input_format or ("csv" if args.input.lower().endswith(".csv") else "jsonl")
    labels: list[dict[str, Any]]
    if kind == "csv":
        own = ("appointment_id", *args.own_columns)
        try:
            rows, items = read_booking_csv(text, own_columns=own)
        except MassagePlanError as exc:
            raise _UsageError(f"{args.input}: {exc}") from None
        # Row 1 is the header: the first item is row 2, as a spreadsheet shows it.
        labels = [
            {
                "row": n,
                **({"id": r["appointment_id"]} if "appointment_id" in r else {}),
                **(
                    {"columns": {c: r.get(c, "") for c in args.own_columns}}
                    if args.own_columns
                    else {}
                ),
            }
            for n, r in enumerate(rows, start=2)
        ]
    else:
        items = read_json_lines(text)
        labels = [{"line": n} for n in range(1, len(items) + 1)]
    results = recommend_many(items, rulebase=rules, workers=args.workers, progress=args.progress)
    rejected = 0
    for index, (label, result) in enumerate(zip(labels, results, strict=True)):
        record: dict[str, Any] = {"index": index, **label}
        if isinstance(result, BatchError):
            rejected += 1
            record["error"] = {"kind": result.kind, "message": result.message}
        else:
            record["plan"] = result.model_dump(mode="json")
        io.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    io.stderr.write(f"massageplan: {len(results) - rejected} plans, {rejected} rejected\n")
    return EXIT_FINDING if rejected else EXIT_OK


def _serve(args: argparse.Namespace, io: _Streams) -> int:
    try:
        from .service import http as service  # noqa: PLC0415 - the 'serve' extra, only to serve
        from .service.snomed import SnomedCodes  # noqa: PLC0415 - the same extra
        from .service.trust import (  # noqa: PLC0415 - the same extra
            Trust,
            check_bind,
            check_origin,
        )
    except ImportError:
        raise _UsageError("serving needs its extra: pip install 'massageplan[serve]'") from None
    given = [args.issuer, args.jwks, args.base_url]
    if any(given) and not all(given):
        raise _UsageError("--issuer, --jwks and --base-url go together: give all three")
    trust = Trust.from_files(args.issuer, args.jwks, args.base_url) if all(given) else None
    check_bind(args.host, trust)
    for origin in args.cors_origin:
        check_origin(origin)
    rules = _rulebase(args.rules)
    snomed = SnomedCodes.from_file(args.snomed_codes) if args.snomed_codes else None
    io.stderr.write(
        f"massageplan: serving on http://{args.host}:{args.port} "
        f"({'tokens from ' + args.issuer if trust else 'loopback only, no tokens'})\n"
    )
    service.serve(
        args.host,
        args.port,
        rulebase=rules,
        trust=trust,
        cors_origins=args.cors_origin,
        snomed=snomed,
    )
    return EXIT_OK


def _schema(args: argparse.Namespace, io: _Streams) -> int:
    io.stdout.write(
        questionnaire_text() if args.which == "questionnaire" else schema_text(args.which)
    )
    return EXIT_OK


_FORMAT_USES = {
    "text": "text for reading",
    "markdown": "Markdown for documents",
    "json": "JSON for software",
    "fhir": "a FHIR R4 Bundle (CarePlan, ServiceRequest, Questionnaire) for an EHR",
}


def _format_option(sub: argparse.ArgumentParser, *formats: str) -> None:
    sub.add_argument(
        "--format",
        choices=formats,
        default="text",
        help=", ".join(_FORMAT_USES[f] for f in formats) + " (default: text)",
    )


def _verify_options(ver: argparse.ArgumentParser) -> None:
    ver.add_argument(
        "--search",
        type=_whole(0),
        default=200,
        metavar="N",
        help="profiles for hypothesis to search beyond the sweep, 0 or more (default: 200; "
        "0: the sweep alone)",
    )
    ver.add_argument(
        "--article",
        action="store_true",
        help="also report where the rules depart from the article's guidance (exit 1 if they do)",
    )
    ver.add_argument(
        "--workers",
        type=_whole(1),
        default=1,
        metavar="N",
        help="processes to share the sweep, for a large rulebase, 1 or more (default: 1)",
    )


def _plan_options(sub: argparse.ArgumentParser) -> None:
    """How a plan is printed: its format, and for whom."""
    _format_option(sub, "text", "markdown", "json", "fhir")
    sub.add_argument(
        "--for",
        dest="audience",
        choices=("therapist", "client"),
        default="therapist",
        help="who reads the text plan: every item for the therapist, or what to do in "
        "plain words for the client (default: therapist)",
    )


def _next_options(nxt: argparse.ArgumentParser) -> None:
    # The bounds are the profile's own (the field registry), not said again here.
    level, length = FIELD["last_session.pressure"], FIELD["last_session.minutes"]
    nxt.add_argument(
        "--used",
        type=_whole(level.minimum or 1, level.maximum),
        required=True,
        metavar="LEVEL",
        help=f"the firmest pressure level the session used, {level.minimum} to {level.maximum}",
    )
    nxt.add_argument(
        "--minutes",
        type=_whole(length.minimum or 1, length.maximum),
        required=True,
        metavar="N",
        help=f"how long the session was, {length.minimum} to {length.maximum} minutes",
    )
    nxt.add_argument(
        "--reaction",
        choices=[r.value for r in Reaction],
        required=True,
        help="how the client was 24 to 48 hours after it: fine; sore (tender but settled); "
        "flare (neuropathic pain or symptoms worse)",
    )
    nxt.add_argument(
        "--out",
        metavar="FILE",
        help="where to write the updated profile (default: over PROFILE; .json: JSON, else YAML)",
    )


def _course_options(cou: argparse.ArgumentParser) -> None:
    cou.add_argument(
        "--weeks",
        type=_whole(1, MAX_WEEKS),
        required=True,
        metavar="N",
        help=f"weeks to project, 1 to {MAX_WEEKS}",
    )
    cou.add_argument(
        "--gain",
        type=_whole(0, MAX_GAIN),
        default=10,
        metavar="MINUTES",
        help=f"growth of the tolerated session length a week, 0 to {MAX_GAIN} (default: 10)",
    )
    _format_option(cou, "text", "markdown", "json")
    cou.add_argument(
        "--chart", action="store_true", help="add a chart to the text or Markdown table"
    )
    cou.add_argument(
        "--svg",
        metavar="FILE",
        help="also write the chart as an SVG file (-: print only it; the 'chart' extra)",
    )


def _serve_options(srv: argparse.ArgumentParser) -> None:
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; any other needs --issuer)",
    )
    srv.add_argument(
        "--port", type=_whole(1, 65535), default=8000, help="1 to 65535 (default: 8000)"
    )
    srv.add_argument("--issuer", help="the trusted CDS Client's JWT issuer (iss)")
    srv.add_argument("--jwks", metavar="FILE", help="the issuer's public keys, a JWK Set file")
    srv.add_argument(
        "--base-url",
        metavar="URL",
        help="this service's public base URL, which tokens' aud must name",
    )
    srv.add_argument(
        "--cors-origin",
        metavar="ORIGIN",
        action="append",
        default=[],
        help="a web origin (https://ehr.example.org) whose pages may call the service "
        "from a browser; repeat for more (default: none)",
    )
    srv.add_argument(
        "--snomed-codes",
        metavar="FILE",
        help="this site's SNOMED CT concept ids for each neuropathy, from its own release "
        "(YAML or JSON), in place of the library's table of Global Patient Set concepts; "
        "the service reads Conditions by ICD-10-CM, and by these",
    )


def _top_parser(stdout: IO[str], stderr: IO[str]) -> argparse.ArgumentParser:
    """The command's parser, without its subcommands: writes to the given streams."""

    class Parser(argparse.ArgumentParser):
        """Prints help and usage errors to the streams main() was given."""

        def _print_message(self, message: str, file: Any = None) -> None:
            if message:
                (stdout if file is None or file is sys.stdout else stderr).write(message)

        def error(self, message: str) -> NoReturn:
            # One line, as every other error: what was wrong, and where help is.
            stderr.write(f"{self.prog}: {message} (see '{self.prog} --help')\n")
            raise SystemExit(EXIT_BAD_INPUT)

    parser = Parser(
        prog="massageplan",
        description="Massage-therapy session plans for peripheral neuropathy, every item cited.",
        epilog="Exit codes: 0 success, 1 a finding (lint, verify, rejected batch items), "
        "2 bad input or usage, 130 interrupted (Ctrl-C).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"massageplan {__version__} ({ENGINE_NAME}, Python {platform.python_version()})",
    )
    try:  # shell completion where the 'completion' extra is installed
        import shtab  # noqa: PLC0415 - optional, and only the command line needs it
    except ImportError:
        parser.add_argument(
            "--print-completion",
            nargs="?",
            metavar="SHELL",
            action=_NeedsCompletionExtra,
            help="print a shell completion script (needs the 'completion' extra)",
        )
    else:
        shtab.add_argument_to(
            parser, ["--print-completion"], help="print a shell completion script"
        )
    return parser


class _NeedsCompletionExtra(argparse.Action):
    """``--print-completion`` where shtab is missing: say which extra brings it."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        parser.error(
            "--print-completion needs the 'completion' extra: pip install 'massageplan[completion]'"
        )


def _parser(stdout: IO[str], stderr: IO[str]) -> argparse.ArgumentParser:
    parser = _top_parser(stdout, stderr)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary + ".")
        sub.set_defaults(handler=handler)
        return sub

    def rules_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--rules",
            action="append",
            default=[],
            metavar="PATH",
            help="a rule file or folder layered on the built-in rules (repeatable)",
        )

    def profile_and_rules(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("profile", help="profile file (JSON or YAML), or - for standard input")
        rules_option(sub)

    rec = command("recommend", "print the session plan for a client profile", _recommend)
    profile_and_rules(rec)
    _plan_options(rec)

    nxt = command(
        "next",
        "record the session just done in the profile, and print the next session's plan",
        _next,
    )
    profile_and_rules(nxt)
    _next_options(nxt)
    _plan_options(nxt)

    let = command(
        "letter",
        "print a one-page letter to the client's doctor, for a plan that needs one",
        _letter,
    )
    profile_and_rules(let)
    _format_option(let, "text", "markdown", "json")

    exp = command("explain", "say for every rule whether it fired and why (not)", _explain)
    profile_and_rules(exp)
    _format_option(exp, "text", "json")

    lint = command("lint", "check rule files: errors, with file:line, and conflicts", _lint)
    lint.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    lint.add_argument(
        "--builtin", action="store_true", help="layer the files on the built-in rules"
    )

    ver = command("verify", "check the safety invariants across the profile space", _verify)
    rules_option(ver)
    _verify_options(ver)
    _format_option(ver, "text", "json")

    bat = command("batch", "plans for many profiles: CSV or JSON lines in, JSON lines out", _batch)
    bat.add_argument(
        "input", help="a CSV of appointments or a JSON-lines file of profiles, or - for stdin"
    )
    bat.add_argument(
        "--input-format",
        choices=("csv", "jsonl"),
        help="how to read INPUT (default: csv for a .csv name, else jsonl)",
    )
    bat.add_argument(
        "--workers",
        type=_whole(1),
        default=None,
        metavar="N",
        help="processes to share the batch, 1 or more (default: 1)",
    )
    bat.add_argument(
        "--progress", action="store_true", help="show a progress bar (the 'progress' extra)"
    )
    bat.add_argument(
        "--own-column",
        dest="own_columns",
        action="append",
        default=[],
        metavar="NAME",
        help="a CSV column of your own, carried into each record under 'columns' (repeatable); "
        "any other column that is no profile field's is refused",
    )
    rules_option(bat)

    sch = command("schema", "print the JSON Schema of profiles, plans or rule files", _schema)
    sch.add_argument(
        "which",
        choices=("profile", "plan", "rules", "questionnaire"),
        help="a JSON Schema, or the FHIR intake Questionnaire",
    )

    srv = command(
        "serve", "serve plans over HTTP and as a CDS Hooks service (the 'serve' extra)", _serve
    )
    _serve_options(srv)
    rules_option(srv)

    cou = command("course", "project the coming weeks of a course under the rules", _course)
    profile_and_rules(cou)
    _course_options(cou)
    return parser


def main(
    argv: list[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    io = _Streams(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    parser = _parser(io.stdout, io.stderr)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help and on usage errors
        return int(exit_.code or 0)
    try:
        handler: Callable[[argparse.Namespace, _Streams], int] = args.handler
        return handler(args, io)
    except KeyboardInterrupt:
        io.stderr.write("massageplan: interrupted\n")
        return EXIT_INTERRUPTED
    except PlanSafetyError as exc:
        # One line: what is broken, and where to see it all.
        more = len(exc.violations) - 1
        extra = f" (and {more} more)" if more else ""
        io.stderr.write(
            f"massageplan: the rules made an unsafe plan: {exc.violations[0]}{extra}; "
            "run 'massageplan verify --rules ...' to see every such profile\n"
        )
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (``| head``): nothing left to say, and nobody to say it to.
        if io.stdout is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except _UsageError as exc:
        io.stderr.write(f"massageplan: {exc}\n")
    except RulebaseError as exc:
        io.stderr.write(f"massageplan: {_one_line(exc)}\n")
    except MassagePlanError as exc:
        io.stderr.write(f"massageplan: {exc}\n")
    return EXIT_BAD_INPUT
