"""Frozen entry point: the same executable opens the app or runs a subcommand."""

import multiprocessing
import sys

from workstation.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
