"""One module per subcommand; see workstation/cli/__init__.py."""
