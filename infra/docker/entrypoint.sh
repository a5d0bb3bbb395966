#!/bin/sh
# Entry point of the Wirebook image: runs its arguments (gunicorn, celery, manage.py...).
#
# Health checks call /healthz with the container's own address as Host: the load balancer with the
# task's private address (read from ECS's metadata endpoint), the image's HEALTHCHECK with
# 127.0.0.1. Those addresses are added to ALLOWED_HOSTS when it is set.
set -eu

if [ -n "${ALLOWED_HOSTS:-}" ]; then
    hosts="127.0.0.1,localhost"
    if [ -n "${ECS_CONTAINER_METADATA_URI_V4:-}" ]; then
        address="$(python -c '
import json, os, urllib.request
with urllib.request.urlopen(os.environ["ECS_CONTAINER_METADATA_URI_V4"], timeout=2) as response:
    print(json.load(response)["Networks"][0]["IPv4Addresses"][0])
' 2>/dev/null || true)"
        if [ -n "$address" ]; then
            hosts="$hosts,$address"
        fi
    fi
    ALLOWED_HOSTS="$ALLOWED_HOSTS,$hosts"
    export ALLOWED_HOSTS
fi

exec "$@"
