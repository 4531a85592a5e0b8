"""A worker process of the web server: ``python -m matcalc.web.worker``.

It loads matcalc, answers one warm-up request, writes ``"ready"``, then reads one job a line
from its standard input — JSON ``[command, {argument: value}]`` — and writes the answer a line
to its standard output — JSON ``[status, body]`` (``matcalc.web.protocol.run``).  Nothing it
reads is executed: the job's arguments are strings, numbers and booleans.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

from .protocol import read_request, run


def main() -> None:
    """Answer jobs until standard input closes."""
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but the answers goes to the server
    run("grad", read_request("grad", {"expr": "aᵀXb", "wrt": "X"}))
    out.write('"ready"\n')
    out.flush()
    for line in sys.stdin:
        command, args = json.loads(line)
        out.write(json.dumps(run(command, SimpleNamespace(**args))) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
