"""The worker container's health check: exit 0 while a `kanon serve` process runs, else 1.

Docker's check of the worker must check the worker, not the Prefect server
(which has its own). Reads /proc, so it needs nothing installed.
"""

import glob
import sys


def serving(proc: str = "/proc") -> bool:
    for path in glob.glob(f"{proc}/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:  # the process ended while we looked
            continue
        if b"serve" in args and any(a.endswith(b"kanon") for a in args):
            return True
    return False


if __name__ == "__main__":
    sys.exit(0 if serving() else 1)
