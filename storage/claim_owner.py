"""Who holds a claim: a lease token that names its process, so a dead owner's claim frees at once.

A lease alone lets a worker killed with ``kill -9`` hold its posts until the
lease runs out (15 minutes by default), and a rerun in that time finds nothing
to do. So the token carries its owner — host, process id and the process's
start time — and a claim whose owner is on this host and no longer running is
claimable at once. A claim held on another host cannot be checked from here:
it waits for its lease, as before. The start time guards against a process id
that the system has since given to another process.
"""

from __future__ import annotations

import os
import socket
import uuid
from functools import lru_cache

import psutil

TOKEN_MAX = 64  # the width of posts.lease_token
_HOST_MAX = 24


@lru_cache(maxsize=1)
def _host() -> str:
    return socket.gethostname().replace(":", "-").replace("@", "-")[:_HOST_MAX] or "host"


def _started(pid: int) -> int | None:
    """The process's start time in whole seconds, or None when no such process runs."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return int(proc.create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
        return None


def new_token() -> str:
    """A fresh lease token owned by this process: ``<random>@<host>:<pid>:<start>``."""
    pid = os.getpid()
    token = f"{uuid.uuid4().hex[:16]}@{_host()}:{pid}:{_started(pid) or 0}"
    return token[:TOKEN_MAX]


def owner_is_dead(token: str | None) -> bool:
    """True only when the token's owner is known to be gone: same host, process not running.

    A token of another host, or of an older format without an owner, is not
    known to be dead: its lease decides.
    """
    if not token or "@" not in token:
        return False
    try:
        host, pid_s, start_s = token.split("@", 1)[1].rsplit(":", 2)
        pid, start = int(pid_s), int(start_s)
    except ValueError:
        return False
    if host != _host():
        return False
    now_started = _started(pid)
    # a running process with another start time is a reused pid: the owner is gone
    return now_started is None or abs(now_started - start) > 1
