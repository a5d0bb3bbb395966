"""The Dockerfile, docker-compose.yml and the image's two scripts, checked without a Docker daemon:
the compose file parses and runs the commands Wirebook really has, the Dockerfile copies what
exists and every package, and the entry point and the PgBouncer script really work (run here)."""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import hcl2
import psycopg
import pytest
import yaml
from django.core.management import get_commands
from django.db import connection

from saas_platform.devstack import pgbouncer
from saas_platform.devstack.common import DevstackError, free_port
from saas_platform.devstack.postgres import fallback_dir, reachable_state_dir
from saas_platform.devstack.processes import RunAs

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
WIREBOOK_SERVICES = {"web", "worker", "beat", "migrate"}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def assert_real_command(command: list[str]) -> None:
    """A command the image can run: gunicorn on the WSGI app, Celery on our app, manage.py, our scripts."""
    program = command[0]
    if program == "gunicorn":
        module, _, attribute = command[1].partition(":")
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file() and attribute == "application"
    elif program == "celery":
        assert command[1:3] == ["--app", "saas_platform"] and command[3] in {"worker", "beat"}
    elif program == "python":
        assert command[1] == "manage.py" and command[2] in get_commands(), command
    else:
        assert program.startswith("/app/"), command
        script = ROOT / program.removeprefix("/app/")
        assert script.is_file() and os.access(script, os.X_OK), program


def test_compose_runs_web_worker_beat_postgres_and_redis_from_the_image():
    services = COMPOSE["services"]
    assert set(services) == {"web", "worker", "beat", "migrate", "pgbouncer", "postgres", "redis"}
    for name in WIREBOOK_SERVICES | {"pgbouncer"}:
        assert services[name]["build"] == "." and services[name]["image"] == "wirebook:local", name
        assert_real_command(services[name]["command"])
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    # the services start after the migrations, and go through the pooler; migrate goes straight to PostgreSQL
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "@pgbouncer:6432/" in services[name]["environment"]["DATABASE_URL"]
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    # production settings: DEBUG off, so the keys given must be ones the settings accept
    environment = services["web"]["environment"]
    assert environment["DEBUG"] == "false"
    default_key = re.fullmatch(r"\$\{WIREBOOK_ENCRYPTION_KEY:-(.+)\}", environment["WIREBOOK_ENCRYPTION_KEY"])
    from saas_platform.settings import encryption_keys

    assert encryption_keys(default_key.group(1))
    # PostgreSQL's major version is the image's pg_dump's (Debian bookworm: 15)
    assert services["postgres"]["image"].startswith("postgres:15")


def test_the_terraform_services_run_real_commands():
    with (ROOT / "infra/terraform/modules/ecs/main.tf").open() as handle:
        services = next(block["services"] for block in hcl2.load(handle)["locals"] if "services" in block)
    assert set(services) == WIREBOOK_SERVICES
    for service in services.values():
        assert_real_command([part.strip('"') for part in service["command"]])


def test_the_dockerfile_builds_every_package_and_copies_only_what_exists():
    instructions = dockerfile_instructions()
    froms = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert froms and all(re.match(r"python:3\.11\.\d+-slim-bookworm\b", image) for image in froms)
    copied = set()
    for instruction, arguments in instructions:
        if instruction == "COPY" and "--from=" not in arguments:
            *sources, _ = shlex.split(arguments)
            copied |= {source.rstrip("/") for source in sources}
    assert all((ROOT / source).exists() for source in copied), copied
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {pattern.rstrip("*") for pattern in packages["include"]} <= copied, "a package the image would miss"
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    assert not {source for source in copied if source in ignored or source.split("/")[0] in ignored}
    assert ("USER", "wirebook") in instructions
    entrypoint = json.loads(dict(instructions)["ENTRYPOINT"])
    assert_real_command(entrypoint)
    assert_real_command(json.loads(dict(instructions)["CMD"]))


class _Metadata(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.40.8.17"]}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run_entrypoint(env: dict[str, str]) -> str:
    environment = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **env}
    result = subprocess.run(
        [str(ROOT / "infra/docker/entrypoint.sh"), "sh", "-c", 'printf %s "${ALLOWED_HOSTS-unset}"'],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def test_the_entrypoint_admits_the_health_checks_own_address():
    server = HTTPServer(("127.0.0.1", 0), _Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        on_ecs = run_entrypoint(
            {"ALLOWED_HOSTS": "example.com,.example.com", "ECS_CONTAINER_METADATA_URI_V4": server_url(server)}
        )
    finally:
        server.shutdown()

    assert on_ecs == "example.com,.example.com,127.0.0.1,localhost,10.40.8.17"
    assert run_entrypoint({"ALLOWED_HOSTS": "example.com"}) == "example.com,127.0.0.1,localhost"
    assert run_entrypoint({}) == "unset"  # DEBUG's own defaults stay untouched


def server_url(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v4/container"


def test_the_pgbouncer_script_pools_in_transaction_mode(django_db_setup, tmp_path_factory):
    try:
        pgbouncer.find_pgbouncer()
    except DevstackError as exc:
        if pgbouncer.enabled(os.environ.get(pgbouncer.ENABLE_ENV)):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    directory = tmp_path_factory.mktemp("pgbouncer-script")
    runas = RunAs.for_postgres()
    state_dir, locks = reachable_state_dir(directory, runas, "PgBouncer")
    db = connection.settings_dict
    port = free_port()
    environment = {
        "PATH": f"/usr/sbin:/usr/bin:/bin:{os.environ.get('PATH', '')}",
        "TMPDIR": str(state_dir),
        "PGBOUNCER_DATABASE_HOST": db["HOST"] or "127.0.0.1",
        "PGBOUNCER_DATABASE_PORT": str(db["PORT"] or 5432),
        "PGBOUNCER_DATABASE_NAME": db["NAME"],
        "PGBOUNCER_DATABASE_USER": db["USER"] or "postgres",
        "PGBOUNCER_DATABASE_PASSWORD": db["PASSWORD"] or "unused",
        "PGBOUNCER_LISTEN_PORT": str(port),
        "PGBOUNCER_POOL_SIZE": "2",
        "PGBOUNCER_SERVER_TLS_SSLMODE": "disable",
    }
    options = runas.popen_kwargs() if runas else {}
    options["env"] = {**options.get("env", {}), **environment} if runas else environment
    process = subprocess.Popen(
        [str(ROOT / "infra/docker/pgbouncer.sh")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **options
    )
    url = f"postgres://{environment['PGBOUNCER_DATABASE_USER']}@127.0.0.1:{port}/{db['NAME']}"
    try:
        wait_for_port(port, process)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == db["NAME"]
        admin = pgbouncer.pooled_url(url, port, pgbouncer.ADMIN_DATABASE)
        settings = dict((name, value) for name, value, *_ in pgbouncer.admin_command(admin, "SHOW CONFIG"))
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
        for handle in locks:
            handle.close()
        shutil.rmtree(fallback_dir(directory), ignore_errors=True)

    assert settings["pool_mode"] == "transaction", output
    assert settings["default_pool_size"] == "2"
    assert settings["listen_addr"] == "127.0.0.1"
    assert settings["server_reset_query"] == ""


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pgbouncer.sh exited with {process.returncode}: {process.stdout.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("pgbouncer.sh did not listen in time")
