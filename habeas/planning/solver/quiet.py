"""HiGHS prints a licence banner on standard output the first time a process makes a
solver, from C++ and so past Python's `sys.stdout`. That would break `manage.py plan
--json` and `plan_bench --json`, whose standard output must be one JSON object. The first
solver is therefore made here, once, at import time (before any solver thread starts),
with the process's standard output pointed at /dev/null for that moment only."""

from __future__ import annotations

import os
import sys

import highspy


def _swallow_banner() -> None:
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real standard output (some test runners): nothing to hide
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_swallow_banner()
