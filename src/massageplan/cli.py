"""The ``massageplan`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import ValidationError

from ._errors import MassagePlanError
from ._load import load_rulebase
from ._recommend import recommend
from ._render import render_text
from ._rules import Rulebase

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    """Bad input or usage: one line on stderr, exit 2."""


def _parser(stdout: IO[str], stderr: IO[str]) -> argparse.ArgumentParser:
    class Parser(argparse.ArgumentParser):
        """Prints help and usage errors to the streams main() was given."""

        def _print_message(self, message: str, file: Any = None) -> None:
            if message:
                (stdout if file is None or file is sys.stdout else stderr).write(message)

    parser = Parser(
        prog="massageplan",
        description="Massage-therapy session plans for peripheral neuropathy, every item cited.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rec = commands.add_parser(
        "recommend",
        help="print the session plan for a client profile",
        description=(
            "Print the session plan for a client profile (JSON or YAML file, or - for stdin)."
        ),
    )
    rec.add_argument("profile", help="profile file (JSON or YAML), or - for standard input")
    rec.add_argument("--format", choices=("text", "json"), default="text")
    rec.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="PATH",
        help="a rule file or folder layered on the built-in rules (repeatable)",
    )
    return parser


def _read_profile(name: str, stdin: IO[str]) -> Any:
    try:
        text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"{name}: cannot read profile: {exc}") from None
    try:
        return yaml.safe_load(text)  # JSON is YAML, so one reader serves both
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise _UsageError(f"{name}{where}: not valid JSON or YAML") from None


def _profile_error(name: str, exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(p) for p in first["loc"]) or "profile"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{name}: {field}: {first['msg']}{more}"


def _rulebase(paths: list[str]) -> Rulebase | None:
    return load_rulebase(*paths, builtin=True) if paths else None


def _recommend(args: argparse.Namespace, stdin: IO[str], stdout: IO[str]) -> int:
    data = _read_profile(args.profile, stdin)
    rules = _rulebase(args.rules)
    try:
        plan = recommend(data, rulebase=rules)
    except ValidationError as exc:
        raise _UsageError(_profile_error(args.profile, exc)) from None
    if args.format == "json":
        stdout.write(json.dumps(plan.model_dump(mode="json"), indent=2) + "\n")
    else:
        stdout.write(render_text(plan))
    return EXIT_OK


def main(
    argv: list[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = _parser(stdout, stderr)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help and on usage errors
        return int(exit_.code or 0)
    try:
        return _recommend(args, stdin, stdout)
    except _UsageError as exc:
        stderr.write(f"massageplan: {exc}\n")
        return EXIT_BAD_INPUT
    except MassagePlanError as exc:
        stderr.write(f"massageplan: {exc}\n")
        return EXIT_BAD_INPUT
