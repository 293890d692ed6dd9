"""The domain core must import no Qt: import every core module with PySide6 blocked."""

import subprocess
import sys
import textwrap

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

CORE_PACKAGES = ["flows", "maps", "deploy", "loaders", "datapack", "exports", "project"]


def test_core_imports_without_qt():
    script = textwrap.dedent(f"""
        import importlib, pkgutil, sys
        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'):
                    raise ImportError('Qt is blocked in the domain core: ' + name)
        sys.meta_path.insert(0, BlockQt())
        import workstation
        imported = []
        for pkg in {CORE_PACKAGES!r}:
            module = importlib.import_module('workstation.' + pkg)
            imported.append(module.__name__)
            for info in pkgutil.walk_packages(module.__path__, module.__name__ + '.'):
                if info.name.endswith('__main__'):
                    continue
                importlib.import_module(info.name)
                imported.append(info.name)
        import workstation.cli, workstation.domain, workstation.errors, workstation.atomic
        print(len(imported))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= len(CORE_PACKAGES)


def test_cli_help_lists_subcommands():
    result = subprocess.run([sys.executable, "-m", "workstation", "--help"], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "subcommand" in result.stdout


def test_every_cli_command_module_is_registered():
    """The subcommand list is explicit (discovery fails in a frozen Windows bundle): a new
    module in workstation/cli/commands must be added to COMMAND_MODULES."""
    from pathlib import Path

    import workstation.cli.commands as commands

    folder = Path(commands.__file__).parent
    on_disk = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert sorted(commands.COMMAND_MODULES) == on_disk
