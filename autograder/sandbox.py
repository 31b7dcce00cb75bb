"""Run a student's kernel in a sandbox, under limits for memory and CPU time.

nbgrader starts kernels from a kernelspec; the grader writes one whose command is this module:

    python -m autograder.sandbox --memory 4096 --cpu 600 -- python -m ipykernel_launcher -f {connection_file}

The kernel runs under bubblewrap (`bwrap`) when the system has it. It sees:

- the system, Python, the virtual environment, `gankit/` and `data/`, all read-only;
- its own working folder (the one autograded notebook) and the folder of its connection file,
  writable;
- an empty `/tmp`, no network (its own network namespace; the kernel talks to nbgrader over
  Unix sockets), no other process (its own PID namespace), as user `nobody`.

Everything else is absent: the gradebook, the hidden tests in `solutions/`, the other lessons,
the other students' submissions and the grader's output. Memory (the heap and anonymous mappings) and CPU
time are limited with `setrlimit`, so a memory bomb gets a `MemoryError` and a runaway loop is killed with
`SIGXCPU`. Where bubblewrap is missing, only the limits apply, and the grader says so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt")
SHARED = (ROOT / "gankit", ROOT / "data")  # what lessons import and load, read-only


def available() -> bool:
    """Whether kernels can be sandboxed here (bubblewrap installed and allowed to run)."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, *_isolation(), "--ro-bind", "/", "/", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _isolation() -> list[str]:
    return ["--unshare-all", "--uid", "65534", "--gid", "65534", "--die-with-parent", "--cap-drop", "ALL"]  # fmt: skip


def _ro(path: Path | str) -> list[str]:
    path = str(path)
    if os.path.islink(path):
        return ["--symlink", os.readlink(path), path]
    return ["--ro-bind", path, path] if os.path.exists(path) else []


def command(argv: list[str], writable: list[Path]) -> list[str]:
    """The bubblewrap command line that runs `argv` with only `writable` open for writing."""
    python = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent}
    cmd = ["bwrap", *_isolation(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in [*SYSTEM, *sorted(python), *SHARED]:
        cmd += _ro(path)
    for path in writable:
        cmd += ["--bind", str(path), str(path)]
    cmd += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib"]
    # The kernel would take bwrap's PID-namespace init for a dead parent; --die-with-parent
    # already ends the sandbox with nbgrader.
    cmd += ["--unsetenv", "JPY_PARENT_PID"]
    return [*cmd, "--remount-ro", "/", "--chdir", os.getcwd(), "--", *argv]


def limit(memory_mb: int, cpu_seconds: int) -> None:
    """Limit this process and its children: data memory in MiB, CPU time in seconds.

    RLIMIT_DATA counts the heap and anonymous mappings (tensors, arrays), not the shared
    libraries; an address-space limit would count torch's gigabytes of mapped libraries.
    """
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def kernelspec(folder: Path, *, memory_mb: int, cpu_seconds: int, isolate: bool) -> Path:
    """Write a `python3` kernelspec under `folder` (put on JUPYTER_PATH) that runs sandboxed."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--memory", str(memory_mb)]
    argv += ["--cpu", str(cpu_seconds), *([] if isolate else ["--no-isolation"])]
    argv += ["--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    spec_file = spec / "kernel.json"
    spec_file.write_text(json.dumps({"argv": argv, "display_name": "Python 3 (graded)", "language": "python", "interrupt_mode": "message"}))  # fmt: skip
    return spec_file


def main(args: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="autograder/sandbox.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--memory", type=int, required=True, help="data-memory limit in MiB")
    parser.add_argument("--cpu", type=int, required=True, help="CPU-time limit in seconds")
    parser.add_argument("--no-isolation", action="store_true", help="limits only, no bubblewrap")
    parser.add_argument("argv", nargs=argparse.REMAINDER)
    opts = parser.parse_args(args)
    argv = opts.argv[1:] if opts.argv[:1] == ["--"] else opts.argv
    if not opts.no_isolation:
        connection = Path(argv[argv.index("-f") + 1]).resolve().parent
        if connection in (Path("/"), Path("/tmp"), Path.home()):  # would open far too much
            sys.exit(f"sandbox: the kernel's connection file needs a folder of its own, not {connection}")  # fmt: skip
        argv = command(argv, writable=[Path.cwd(), connection])
    limit(opts.memory, opts.cpu)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
