"""The first code run inside the sandbox (standard library only): it lowers the resource limits, which
no code after it can raise again, then runs the entry module named by its first argument.

Process count is limited here rather than by the worker because the kernel counts RLIMIT_NPROC per user
and per user namespace: set inside the sandbox's own namespace it counts only the sandbox's processes.
"""

import json
import resource
import runpy
import sys

LIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "memory": resource.RLIMIT_AS,
    "file": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}


def main() -> None:
    limits = json.loads(sys.argv[1])
    for name, value in limits.items():
        # CPU: SIGXCPU at the soft limit (catchable), SIGKILL one second later.
        hard = value + 1 if name == "cpu" else value
        resource.setrlimit(LIMITS[name], (value, hard))
    entry = sys.argv[2]
    sys.argv = sys.argv[2:]
    runpy.run_path(entry, run_name="__main__")


main()
