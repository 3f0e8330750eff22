"""Starts a command, waits until a file has N lines, sends it a signal, and writes
`exit <status>` of the command to a file: signal_run.py SIG FILE N OUT -- CMD..."""
import os
import signal
import subprocess
import sys
import time

sig, watched, lines, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cmd = sys.argv[sys.argv.index("--") + 1:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 20
while time.time() < deadline:
    try:
        if len(open(watched).read().split()) >= lines:
            break
    except FileNotFoundError:
        pass
    time.sleep(0.02)
p.send_signal(getattr(signal, "SIG" + sig))
try:
    rc = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "hung"
with open(out, "w") as f:
    f.write("exit %s\n" % (rc if isinstance(rc, str) or rc >= 0 else 128 - rc))
