"""Every limit of the script sandbox, tried by code that means to break it: each attempt fails, and the
run ends with a result the job can report (never a hang, never a crash of the worker)."""

import json
import textwrap
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from automation.scripting import sandbox
from automation.scripting.sandbox import Limits, SandboxUnavailable, sandbox_run


def run(code: str, **limits) -> sandbox.SandboxResult:
    defaults = {"cpu_seconds": 2, "wall_seconds": 10, "processes": 16, "memory_bytes": 256 * 1024 * 1024}
    return sandbox_run(
        entry="main.py", files={"main.py": textwrap.dedent(code)}, limits=Limits.from_settings(**defaults | limits)
    )


def output(result) -> dict:
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_a_script_runs_and_its_output_comes_back():
    result = run("print('hello from the sandbox')")
    assert result.returncode == 0 and result.failure() is None
    assert result.stdout == b"hello from the sandbox\n"


def test_no_server_secret_in_the_environment_or_in_proc():
    # given a script that reads every environment it can see
    result = run(
        """
        import json, os
        seen = {"environ": dict(os.environ), "uid": os.getuid(), "proc": {}}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    seen["proc"][pid] = open(f"/proc/{pid}/environ", "rb").read().decode()
                except OSError as exc:
                    seen["proc"][pid] = str(exc)
        print(json.dumps(seen))
        """
    )
    seen = output(result)
    # then it sees an environment of four harmless variables, its own processes only, and no secret
    assert set(seen["environ"]) <= {"PATH", "HOME", "LANG", "PYTHONDONTWRITEBYTECODE", "PWD"}
    assert seen["uid"] != 0
    assert set(seen["proc"]) <= {"1", "2"}
    for environ in seen["proc"].values():
        names = {item.split("=", 1)[0] for item in environ.split("\x00") if item}
        assert environ.startswith("[Errno") or names <= set(seen["environ"]), environ
    text = result.stdout.decode()
    assert settings.SECRET_KEY not in text
    assert "DATABASE" not in text and "REDIS" not in text


def test_the_server_code_and_settings_are_not_there():
    seen = output(
        run(
            f"""
            import json, os, sys
            paths = [{str(settings.BASE_DIR)!r}, "/root", "/home", "/etc", "/var", "/run/postgresql", "/work"]
            try:
                import saas_platform
                imported = True
            except ImportError:
                imported = False
            print(json.dumps({{"exists": [p for p in paths if os.path.exists(p)], "imported": imported,
                             "root": sorted(os.listdir("/"))}}))
            """
        )
    )
    assert seen["exists"] == []
    assert seen["imported"] is False
    assert seen["root"] == ["bin", "dev", "lib", "lib64", "proc", "sbin", "tmp", "usr", "wirebook"] or set(
        seen["root"]
    ) <= {"bin", "dev", "lib", "lib64", "proc", "sbin", "tmp", "usr", "wirebook"}


def _addresses() -> list[tuple[str, int]]:
    database = connection.settings_dict
    redis = urlsplit(settings.REDIS_URL)
    found = [("127.0.0.1", 5432), ("127.0.0.1", 6379), ("1.1.1.1", 443), ("8.8.8.8", 53)]
    if database.get("HOST") and not str(database["HOST"]).startswith("/"):
        found.append((database["HOST"], int(database.get("PORT") or 5432)))
    if redis.hostname:
        found.append((redis.hostname, redis.port or 6379))
    return found


def test_no_network_neither_the_database_nor_redis_nor_the_internet():
    # given the real addresses of this server's PostgreSQL and Redis, and two on the internet
    addresses = _addresses()
    # when the script tries each, and a name lookup
    seen = output(
        run(
            f"""
            import json, socket
            results = {{}}
            for host, port in {addresses!r}:
                try:
                    socket.create_connection((host, port), timeout=2).close()
                    results[f"{{host}}:{{port}}"] = "connected"
                except OSError as exc:
                    results[f"{{host}}:{{port}}"] = type(exc).__name__
            try:
                socket.getaddrinfo("example.com", 443)
                results["dns"] = "resolved"
            except OSError as exc:
                results["dns"] = type(exc).__name__
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.sendto(b"x", ("8.8.8.8", 53))
                results["udp"] = "sent"
            except OSError as exc:
                results["udp"] = type(exc).__name__
            print(json.dumps(results))
            """
        )
    )
    # then every attempt fails
    assert "connected" not in seen.values() and seen["dns"] != "resolved" and seen["udp"] != "sent", seen
    assert len(seen) == len(addresses) + 2


def test_a_fork_bomb_hits_the_process_limit():
    result = run(
        """
        import os, time
        forked = 0
        try:
            while True:
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
                forked += 1
        except OSError as exc:
            print(forked, exc.errno)
        """,
        processes=8,
    )
    forked, errno = result.stdout.split()
    assert int(forked) < 8 and int(errno) == 11  # EAGAIN
    # and the sleeping children die with the sandbox rather than keep the run (or the worker) waiting
    assert result.elapsed < 10


def test_threads_count_as_processes():
    result = run(
        """
        import threading, time
        started = 0
        try:
            for _ in range(100):
                threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
                started += 1
        except RuntimeError:
            pass
        print(started)
        """,
        processes=8,
    )
    assert int(result.stdout) < 8


def test_allocating_4_gb_fails():
    result = run("data = bytearray(4 * 1024 ** 3)")
    assert result.returncode != 0 and b"MemoryError" in result.stderr


def test_an_endless_loop_is_stopped_by_the_cpu_limit():
    result = run("while True: pass", cpu_seconds=1)
    assert result.failure() == "The script was stopped: it used more than 1 seconds of CPU time."
    assert result.elapsed < 8


def test_a_sleeping_script_is_stopped_by_the_wall_time_limit():
    result = run("import time\nprint('started', flush=True)\ntime.sleep(60)", wall_seconds=1.5)
    assert result.timed_out and result.stdout == b"started\n"
    assert result.failure() == "The script ran longer than 1.5 seconds and was stopped."
    assert result.elapsed < 5


def test_a_huge_file_is_refused():
    result = run(
        """
        with open("/tmp/huge", "wb") as huge:
            huge.write(b"x" * (8 * 1024 * 1024))
        """,
        file_bytes=1024 * 1024,
    )
    assert result.returncode != 0 and b"File too large" in result.stderr


def test_the_private_tmp_is_bounded_too():
    result = run(
        """
        for index in range(10):
            with open(f"/tmp/part{index}", "wb") as part:
                part.write(b"x" * (900 * 1024))
        """,
        file_bytes=1024 * 1024,
    )
    assert result.returncode != 0 and b"No space left on device" in result.stderr


def test_a_flood_of_output_is_cut():
    result = run("import sys\nfor _ in range(10000): sys.stdout.write('x' * 1000)", output_bytes=10_000)
    assert result.truncated and len(result.stdout) == 10_000


def test_ctypes_and_os_escapes_fail():
    seen = output(
        run(
            """
            import ctypes, json, os
            libc = ctypes.CDLL(None, use_errno=True)
            results = {
                "setuid": libc.setuid(0),
                "unshare_user": libc.unshare(0x10000000),
                "unshare_net": libc.unshare(0x40000000),
                "mount": libc.mount(b"none", b"/usr", b"tmpfs", 0, None),
                "chroot": libc.chroot(b"/tmp"),
                "ptrace_attach_1": libc.ptrace(16, 1, None, None),
                "ptrace_traceme": libc.ptrace(0, 0, None, None),
                "bpf": libc.syscall(321, 0, None, 0),
                "keyctl": libc.syscall(250, 0, 0, 0, 0, 0),
                "x32_getpid": libc.syscall(0x40000000 + 39),
            }
            for path in ("/usr/evil", "/wirebook/evil", "/proc/sys/kernel/hostname"):
                try:
                    open(path, "w").write("x")
                    results[path] = 0
                except OSError:
                    results[path] = -1
            try:
                os.setuid(0)
                results["os.setuid"] = 0
            except OSError:
                results["os.setuid"] = -1
            try:
                os.kill(1, 9)  # the sandbox's init ignores signals from inside
            except OSError:
                pass
            results["init_killed"] = -1 if os.path.exists("/proc/1/status") else 0
            print(json.dumps(results))
            """
        )
    )
    assert all(value == -1 for value in seen.values()), seen


def test_without_bwrap_nothing_runs(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        run("print('never')")


def test_a_sandbox_that_cannot_start_is_refused(settings):
    settings.SCRIPTS_PYTHON = "/usr/bin/no-such-python"
    with pytest.raises(SandboxUnavailable, match="failed to start"):
        run("print('never')")
