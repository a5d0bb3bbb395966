# syntax=docker/dockerfile:1
# The Wirebook image. One image runs every part (infra/terraform/ and docker-compose.yml):
#   web      gunicorn saas_platform.wsgi:application --bind 0.0.0.0:8000   (the default command)
#   worker   celery --app saas_platform worker
#   beat     celery --app saas_platform beat
#   migrate  python manage.py migrate                                      (once per release)
#   pgbouncer  /app/infra/docker/pgbouncer.sh  (as user postgres, beside web and worker)
# Build: docker build -t wirebook .

FROM python:3.11.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
WORKDIR /src
COPY pyproject.toml constraints.txt manage.py ./
COPY saas_platform/ saas_platform/
COPY tenants/ tenants/
COPY core/ core/
COPY inventory/ inventory/
COPY addressing/ addressing/
COPY automation/ automation/
COPY circuits/ circuits/
COPY frontend/ frontend/
RUN /venv/bin/pip install --constraint constraints.txt .

FROM python:3.11.11-slim-bookworm

# pg_dump snapshots the organization schema template (PG_DUMP); it must be at least as new as the
# server, so the RDS major version follows Debian's (15). pgbouncer pools the tasks' connections.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client pgbouncer bubblewrap \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin wirebook \
    && install --directory --owner wirebook /data/media

ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=saas_platform.settings \
    STATIC_ROOT=/app/staticfiles

COPY --from=build /venv /venv
WORKDIR /app
COPY manage.py ./
COPY infra/docker/entrypoint.sh infra/docker/pgbouncer.sh infra/docker/

# Static files are collected once, into the image (whitenoise serves them); the keys exist for
# this command only and are thrown away with its layer's environment.
RUN DEBUG=false \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    WIREBOOK_ENCRYPTION_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput --verbosity 0

USER wirebook
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["/app/infra/docker/entrypoint.sh"]
CMD ["gunicorn", "saas_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8", "--worker-tmp-dir", "/tmp", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
