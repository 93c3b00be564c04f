"""The C allocator of a process that collects on many threads (issue 10).

glibc's malloc gives each new thread an arena of its own, up to eight per core, and
memory freed in one arena serves no other. A collection's threads (128 by default)
each parse pages of up to 500 server records in theirs, so a process kept memory it no
longer used. Measured in one process reading 50 accounts × 3,000 servers: its resident
set grew 38 MB in a first collection and 43 MB by the third, for 5 MB of live Python
objects; with two arenas, 24 and 30 MB, and no slower. Elsewhere (musl, macOS)
nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
from functools import cache

log = logging.getLogger(__name__)
ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


@cache
def share_arenas_between_threads() -> bool:
    """At most ARENAS malloc arenas in this process from now on (threads started later
    use them): True where glibc took it. Call before a collection's threads start."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # this process's C library, no search
    except (OSError, AttributeError):  # not glibc: its own allocator stays
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    taken = mallopt(_M_ARENA_MAX, ARENAS) == 1
    if not taken:
        log.debug("malloc kept its arenas (mallopt refused M_ARENA_MAX)")
    return taken
