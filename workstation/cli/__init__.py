"""``workstation`` with no arguments opens the desktop app; ``workstation <subcommand>``
runs headless work. Subcommands live one per module in ``workstation/cli/commands``;
each module defines ``register(subparsers)`` and sets ``func(args) -> int`` on its parser.

Exit codes: 0 success, 1 unexpected failure, 2 bad input or unwritable output
(one human line on stderr), 130 cancelled.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workstation import __version__
from workstation.errors import WorkstationError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="London Deployment Workstation. With no subcommand, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    parser.add_argument("--data", help="data pack folder (default: the shipped pack); passed to "
                        "each subcommand's pack loader as args.data")
    sub = parser.add_subparsers(dest="command", metavar="<subcommand>")
    from workstation.cli.commands import COMMAND_MODULES
    for name in COMMAND_MODULES:
        importlib.import_module(f"workstation.cli.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from workstation.app.main import run_app  # Qt is imported only here
        return run_app([sys.argv[0]], data_dir=args.data)
    try:
        return int(args.func(args) or 0)
    except WorkstationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into e.g. `head`: the reader has gone; stop quietly
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
