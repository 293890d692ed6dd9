"""Run the workstation CLI (or the offscreen app) with every internet socket blocked.

Used by test_no_network.py in a subprocess so the block cannot leak into other tests.
Any attempt to create an AF_INET/AF_INET6 socket or resolve a host raises and is
recorded; the runner exits 99 if anything tried.
"""

import os
import socket
import sys

ATTEMPTS: list[str] = []
_real_socket = socket.socket


class _BlockedSocket(_real_socket):
    def __init__(self, family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0, fileno=None):
        if family in (socket.AF_INET, socket.AF_INET6):
            ATTEMPTS.append(f"socket(family={family})")
            raise OSError("network access blocked by test")
        super().__init__(family, type, proto, fileno)


def _blocked(*args, **kwargs):
    ATTEMPTS.append(f"resolve/connect {args[:1]}")
    raise OSError("network access blocked by test")


socket.socket = _BlockedSocket
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
socket.gethostbyname = _blocked

if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from workstation.cli import main

    code = main(sys.argv[1:])
    if ATTEMPTS:
        print("NETWORK ATTEMPTS: " + "; ".join(ATTEMPTS), file=sys.stderr)
        sys.exit(99)
    sys.exit(code)
