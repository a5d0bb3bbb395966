import json

from django.test import Client, override_settings


def test_health_reports_database_and_redis(db):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_the_same_on_organization_hosts(db):
    assert Client().get("/healthz", HTTP_HOST="org-a.localhost").status_code == 200


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_reports_redis_down_without_details(db):
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "ok", "redis": "down"}
    assert b"127.0.0.1:1" not in response.content


def test_health_reports_the_database_down(db, monkeypatch):
    from django.db import OperationalError, connection

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", unreachable)
        response = Client().get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "down", "redis": "ok"}


def test_error_pages_are_ours_and_leak_nothing(db):
    from django.template.loader import render_to_string

    for name, heading in (("403.html", b"Not allowed"), ("429.html", b"Too many attempts")):
        page = render_to_string(name).encode()
        assert heading in page
        assert b"Traceback" not in page and b"django" not in page.lower()
