"""Loaded with `-p tests.pytest_env`, before Django reads its settings.

Each xdist worker gets its own Redis database, so queues and cache entries of parallel test
processes never mix (and the developer's database 0 is left alone).
"""

import os
import re
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_index = 1 + int(re.sub(r"\D", "", _worker) or 0)
_redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["REDIS_URL"] = re.sub(r"(/\d+)?$", f"/{_index}", _redis.split("?")[0], count=1)

# Connections are not recycled by what they served (tenants.db: CONN_MAX_SCHEMAS, CONN_MAX_MEMORY_MB)
# during the suite: a test's organizations would count towards the limits of the next test's
# connection, closing it at unforeseeable points of tests that pin statements or a server process.
# tests/tenants/test_connection_recycling.py sets the limits it tests.
os.environ.setdefault("DATABASE_CONN_MAX_SCHEMAS", "0")
os.environ.setdefault("DATABASE_CONN_MAX_MEMORY_MB", "0")

# A cheap password hasher (saas_platform/settings.py): hundreds of throwaway users, half a second a PBKDF2 hash.
os.environ.setdefault("WIREBOOK_FAST_PASSWORD_HASHING", "1")

# Files of the default storage (image attachments, exports) go to a directory of this run, never to the
# developer's .data/media; tests that look at the files use the `media_root` fixture (a fresh one).
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="wirebook-test-media-"))
