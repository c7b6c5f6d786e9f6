"""Command line: ``python -m lib.cli ingest | dedupe | code ...``.

The same library as the app, without the app. Subcommands, their arguments, output
columns and exit codes are a contract (see `lib.commands.common` for exit codes).

Only the command being run is imported (with what it needs): the others would cost their
libraries' start-up on every run. ``python -m lib.cli --help`` imports them all to list
them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

__all__ = ["main"]

# name -> module in lib.commands defining `add_arguments(parser)` and `run(args) -> int`
COMMANDS: dict[str, str] = {
    "ingest": "lib.commands.ingest",
    "dedupe": "lib.commands.dedupe",
    "code": "lib.commands.code",
    "simulate": "lib.commands.simulate",
}


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, because exit 2 means "a file could not be read"."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(1)


def _chosen(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs (its first word that is not an option), if a known one;
    None when the main help is asked for first (it lists every command)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
        if arg in ("-h", "--help"):
            return None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with every command when ``argv`` names none, else with the one it
    names in full and the others by name only (their modules are not imported)."""
    parser = _Parser(
        prog="python -m lib.cli",
        description="Read literature exports, deduplicate them and code the studies.",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    chosen = _chosen(argv) if argv is not None else None
    for name, module_name in COMMANDS.items():
        if importlib.util.find_spec(module_name) is None:
            continue  # a command still being built is simply not offered
        if chosen and name != chosen:
            sub.add_parser(name)
            continue
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
