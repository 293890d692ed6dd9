"""One module per subcommand; see workstation/cli/__init__.py.

The list is explicit rather than discovered with ``pkgutil``: a frozen Windows bundle
(PyInstaller under Wine) found no modules by discovery and offered no subcommands at all.
``tests/test_architecture.py`` checks that every module in this folder is listed.
"""

COMMAND_MODULES = (
    "backtest",
    "commuting",
    "hotspot_accuracy",
    "hotspots",
    "import_",
    "info",
    "plan",
    "population",
    "report",
    "safety_index",
    "selftest",
)
