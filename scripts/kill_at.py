#!/usr/bin/env python3
"""Runs a topics command that changes an index and kills it with SIGKILL at a chosen moment.

    kill_at.py INDEX DELAY [--after staging|swap] -- COMMAND [ARG...]

scripts/kill.sh's helper. Starts COMMAND five steps nicer than itself (so that the killer is on
time on a busy machine; its stdout and stderr both go to this script's stderr) and sends it
SIGKILL DELAY seconds after it started, or after an event of its save of the index INDEX:

    staging  a new staging directory `.NAME.staging-*` appears beside INDEX (the save began);
    swap     INDEX is another directory than at the start (the new index was put in place).

A negative DELAY never kills: the command runs to its end. Both events are watched, polling
every 0.2 ms, whatever the moment of the kill.

Prints one line on stdout:

    OUTCOME RC ELAPSED STAGED SWAPPED

OUTCOME is `killed` when SIGKILL ended the command and `exited` when it ended first, RC its exit
status (137 when killed), ELAPSED the seconds from its start to its end, and STAGED and SWAPPED
the seconds from its start to each event, or `-` where it was not seen. Only the Python standard
library is used.
"""

import os
import signal
import subprocess
import sys
import time

POLL = 0.0002


def staging_dirs(folder, prefix):
    """The names in folder that start with prefix."""
    try:
        return {n for n in os.listdir(folder) if n.startswith(prefix)}
    except FileNotFoundError:
        return set()


def identity(path):
    """The device and inode of path, or None where nothing is there."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def parse(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    after = "start"
    if len(options) == 4 and options[2] == "--after" and options[3] in ("staging", "swap"):
        after = options[3]
    elif len(options) != 2 or not command:
        sys.exit(__doc__)
    return options[0], float(options[1]), after, command


def main(argv):
    index, delay, after, command = parse(argv)
    folder = os.path.dirname(os.path.abspath(index))
    prefix = "." + os.path.basename(os.path.normpath(index)) + ".staging-"

    old_staging, old_identity = staging_dirs(folder, prefix), identity(index)
    start = time.monotonic()
    process = subprocess.Popen(["nice", "-n", "5", *command], stdout=sys.stderr.fileno())
    seen = {"staging": None, "swap": None}
    deadline = start + delay if after == "start" and delay >= 0 else None
    while process.poll() is None:
        now = time.monotonic()
        if seen["staging"] is None and staging_dirs(folder, prefix) - old_staging:
            seen["staging"] = now - start
        if seen["swap"] is None and identity(index) != old_identity:
            seen["swap"] = now - start
        if deadline is None and after != "start" and delay >= 0 and seen[after] is not None:
            deadline = now + delay
        if deadline is not None and now >= deadline:
            # A command that ended a moment ago is a zombie until waited for: the signal
            # then does nothing, and its own exit status is kept.
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(POLL)
    rc = process.wait()
    elapsed = time.monotonic() - start
    killed = rc == -signal.SIGKILL
    shown = ["-" if seen[e] is None else f"{seen[e]:.4f}" for e in ("staging", "swap")]
    print(
        "killed" if killed else "exited",
        128 + signal.SIGKILL if killed else rc,
        f"{elapsed:.4f}",
        *shown,
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
