"""Run the workstation CLI (or the offscreen app) with every internet socket blocked.

Used by the reliability tests in a subprocess so the block cannot leak into other tests.
Two layers: an audit hook (PEP 578) that refuses any AF_INET/AF_INET6 socket, connect,
name lookup or sendto made through Python's socket module (including C extensions that
go through it), and replaced ``socket`` functions so an attempt fails even if a caller
swallows the error. Every attempt is recorded; the runner exits 99 if anything tried.
(The test also runs this under strace where available, to catch native code that
bypasses Python, e.g. Qt's own networking.)

Usage: ``python no_network_runner.py <workstation CLI arguments>`` or
``python no_network_runner.py --app`` (start the desktop app offscreen, wait until the
window has loaded, close it) or ``--app-import PATH`` (also import PATH in the app).
Logging is configured at DEBUG into the usual log file (``XDG_STATE_HOME``) so tests can
check what the log would hold.
"""

import os
import socket
import sys

ATTEMPTS: list[str] = []
_INET = {socket.AF_INET, socket.AF_INET6, int(socket.AF_INET), int(socket.AF_INET6)}


def _audit(event: str, args: tuple) -> None:
    if event == "socket.__new__":
        family = args[1] if len(args) > 1 else None
        if family in _INET:
            ATTEMPTS.append(f"{event}(family={family})")
            raise OSError("network access blocked by test")
    elif event in ("socket.connect", "socket.sendto", "socket.bind"):
        sock = args[0]
        if getattr(sock, "family", None) in _INET:
            ATTEMPTS.append(f"{event}({args[1:2]})")
            raise OSError("network access blocked by test")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                   "socket.gethostbyname_ex", "urllib.Request"):
        ATTEMPTS.append(f"{event}({args[:1]})")
        raise OSError("network access blocked by test")


_real_socket = socket.socket


class _BlockedSocket(_real_socket):
    def __init__(self, family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0, fileno=None):
        if family in _INET:
            ATTEMPTS.append(f"socket(family={family})")
            raise OSError("network access blocked by test")
        super().__init__(family, type, proto, fileno)


def _blocked(*args, **kwargs):
    ATTEMPTS.append(f"resolve/connect {args[:1]}")
    raise OSError("network access blocked by test")


def install_block() -> None:
    sys.addaudithook(_audit)
    socket.socket = _BlockedSocket
    socket.create_connection = _blocked
    socket.getaddrinfo = _blocked
    socket.gethostbyname = _blocked


def run_app_briefly() -> int:
    """Start the real app (``run_app``), wait for the window to load, close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    seen: dict[str, str] = {}

    def poll() -> None:
        windows = [w for w in app.topLevelWidgets()
                   if type(w).__name__ == "MainWindow" and w.isVisible()]
        if windows and getattr(windows[0], "loaded", True):
            for _ in range(20):
                app.processEvents()
            seen["title"] = windows[0].windowTitle()
            seen["layers"] = ",".join(layer.key for layer in windows[0].canvas.layers)
            seen["hook"] = type(getattr(sys.excepthook, "__self__", None)).__name__
            windows[0].close()
            app.quit()
        else:
            QTimer.singleShot(100, poll)

    QTimer.singleShot(100, poll)
    QTimer.singleShot(120_000, lambda: app.exit(3))   # never hang the test
    from workstation.app.main import run_app
    code = run_app([sys.argv[0]])
    print(f"APP title={seen.get('title', '')!r} layers={seen.get('layers', '')} "
          f"excepthook={seen.get('hook', '')}", flush=True)
    return code if seen else 4


def run_app_import(path: str) -> int:
    """Start the real app, import ``path`` through File > Import (the import dialog on the
    window's workers), wait for the map's hotspots to be recomputed from it on a worker,
    then close. Prints the rows placed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    state: dict = {"polls": 0}

    def poll() -> None:
        state["polls"] += 1
        if state["polls"] > 1200:                    # two minutes
            app.exit(3)
            return
        windows = [w for w in app.topLevelWidgets()
                   if type(w).__name__ == "MainWindow" and w.isVisible()]
        if not windows or not getattr(windows[0], "loaded", True):
            QTimer.singleShot(100, poll)
            return
        window = windows[0]
        if "task" not in state:
            state["lattice_hotspots"] = window.session.hotspots
            dialog = window.actions.open_import_dialog(path)
            state["task"] = dialog.start_import()
            QTimer.singleShot(100, poll)
            return
        session = window.session
        if (not state["task"].done or session.hotspots is None
                or session.hotspots is state["lattice_hotspots"]):
            QTimer.singleShot(100, poll)
            return
        state["placed"] = getattr(session.incidents, "rows_placed", 0)
        window.actions.ask_unsaved = lambda: "discard"
        window.close()
        app.quit()

    QTimer.singleShot(100, poll)
    from workstation.app.main import run_app
    code = run_app([sys.argv[0]])
    print(f"APP imported rows_placed={state.get('placed', 0)}", flush=True)
    return code if state.get("placed") else 4


def main(argv: list[str]) -> int:
    import logging

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    install_block()
    from workstation.logs import configure_logging
    configure_logging(logging.DEBUG)
    if argv[:1] == ["--app"]:
        code = run_app_briefly()
    elif argv[:1] == ["--app-import"]:
        code = run_app_import(argv[1])
    else:
        from workstation.cli import main as cli_main
        code = cli_main(argv)
    if ATTEMPTS:
        print("NETWORK ATTEMPTS: " + "; ".join(ATTEMPTS), file=sys.stderr)
        return 99
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
