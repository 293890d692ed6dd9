"""Help text shared by every subcommand: a description of what it does and examples.

``describe(parser, DESCRIPTION, EXAMPLES)`` right after ``add_parser`` gives
``workstation <name> --help`` a paragraph and an "examples:" block (kept verbatim).
"""

from __future__ import annotations

import argparse


def describe(parser: argparse.ArgumentParser, description: str,
             examples: list[str] | tuple[str, ...]) -> argparse.ArgumentParser:
    """Set the parser's description and an examples epilog (argparse reads both when it
    formats the help, so they can be set after ``add_parser``)."""
    parser.description = " ".join(description.split())
    parser.epilog = "\n".join(["examples:"] + [f"  {example}" for example in examples])
    parser.formatter_class = _Formatter
    return parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Description re-wrapped to the terminal, epilog (examples) kept line by line."""

    def _fill_text(self, text, width, indent):
        if text.startswith("examples:"):
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)
