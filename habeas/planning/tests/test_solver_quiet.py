"""`plan --json` and `plan_bench --json` print one JSON object: HiGHS's licence banner,
written from C++ the first time a process makes a solver, must not reach standard output."""

from __future__ import annotations

import json
import subprocess
import sys


def test_it_keeps_the_highs_banner_off_standard_output():
    script = (
        "import json, highspy\n"
        "import habeas.planning.solver\n"
        "highspy.Highs()\n"
        "print(json.dumps({'ok': True}))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == {"ok": True}
    assert "HiGHS" not in done.stdout
