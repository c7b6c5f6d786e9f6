"""Command line: ``python -m lib.cli ingest | dedupe | code ...``.

The same library as the app, without the app. Subcommands, their arguments, output
columns and exit codes are a contract (see `lib.commands.common` for exit codes).
"""

from __future__ import annotations

import argparse
import importlib
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m lib.cli",
        description="Read literature exports, deduplicate them and code the studies.",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue  # a command still being built is simply not offered
        cmd = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
