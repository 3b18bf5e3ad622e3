"""A process for the harness's own tests of how services are started: it writes its arguments
and `XKLD_ECHO` to its output, then exits with the code its first argument gives, or waits for
a signal when that argument is `wait`."""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__":
    print(f"args={sys.argv[1:]} echo={os.environ.get('XKLD_ECHO')}", flush=True)
    if sys.argv[1] == "wait":
        signal.pause()
    sys.exit(int(sys.argv[1]))
