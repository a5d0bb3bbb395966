"""Record NetBox's REST representations of every model Wirebook has, as JSON fixtures.

A developer tool, run by hand when NetBox's shapes are to be re-recorded (a new NetBox version, a
new model in Wirebook): against a NetBox with none of the data set's objects (a fresh install), it
creates the small related data set of `dataset.py` through NetBox's REST API, then writes, for each
endpoint, one object in full and the same object as a brief list item to
`recorded/<app>.<endpoint>.json`. tests/compat/test_netbox_shapes.py compares Wirebook's
representations with them.

    python -m tests.compat.netbox_shapes.record --url http://127.0.0.1:18001 --token nbt_...

Only the standard library: it runs in any Python 3.12, NetBox's own included. Timestamps, the
server's address and secrets are replaced by fixed values of the same type; nothing else changes.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

if __package__:
    from .dataset import STEPS, Lookup, refs, resolve
else:  # run as a file
    sys.path.insert(0, str(Path(__file__).parent))
    from dataset import STEPS, Lookup, refs, resolve  # type: ignore[import-not-found,no-redef]

RECORDED = Path(__file__).parent / "recorded"
PLACEHOLDER_URL = "http://netbox.example"
TIMESTAMP = "2026-01-01T00:00:00.000000Z"
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class NetBox:
    def __init__(self, url: str, token: str):
        if not url.startswith(("http://", "https://")):
            raise SystemExit(f"--url: an http(s) URL, not {url!r}")
        self.url, self.token = url.rstrip("/"), token

    def request(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.url}/api/{path}", data=data, method=method)  # noqa: S310 - checked in __init__
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return json.loads(response.read() or "null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read().decode()[:500]}") from None


def scrub(value: Any, base_url: str) -> Any:
    """Volatile values replaced, their JSON types kept."""
    if isinstance(value, dict):
        return {key: scrub(item, base_url) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, base_url) for item in value]
    if isinstance(value, str):
        if _TIMESTAMP.match(value):
            return TIMESTAMP
        return value.replace(base_url, PLACEHOLDER_URL)
    return value


def record(netbox: NetBox, out: Path) -> list[str]:
    """Create the data set and write one fixture per endpoint; the endpoints that failed, with why."""
    me = netbox.request("GET", "authentication-check/")["id"]
    ids: dict[str, int] = {}
    failed: list[str] = []
    written: set[str] = set()
    out.mkdir(parents=True, exist_ok=True)
    for name, endpoint, payload in STEPS:
        missing = refs(payload) - set(ids)
        if missing:
            failed.append(f"{endpoint} ({name}): needs {sorted(missing)}")
            continue
        try:
            if isinstance(payload, Lookup):
                query = "&".join(f"{key}={value}" for key, value in resolve(payload.query, ids, me).items())
                found = netbox.request("GET", f"{endpoint}/?limit=1&{query}")["results"]
                if not found:
                    raise RuntimeError(f"GET {endpoint}/?{query}: nothing found")
                ids[name] = found[0]["id"]
            else:
                ids[name] = netbox.request("POST", f"{endpoint}/", resolve(payload, ids, me))["id"]
        except RuntimeError as error:
            failed.append(f"{endpoint} ({name}): {error}")
            continue
        if endpoint in written:
            continue
        written.add(endpoint)
        full = netbox.request("GET", f"{endpoint}/{ids[name]}/")
        brief = netbox.request("GET", f"{endpoint}/?brief=1&id={ids[name]}")["results"][0]
        fixture = {"endpoint": endpoint, "step": name, "object": full, "brief": brief}
        path = out / f"{endpoint.replace('/', '.')}.json"
        path.write_text(json.dumps(scrub(fixture, netbox.url), indent=2) + "\n")
        print(f"recorded {endpoint}", file=sys.stderr)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="NetBox's base URL, e.g. http://127.0.0.1:18001")
    parser.add_argument("--token", required=True, help="a write-enabled v2 token (sent as Bearer)")
    parser.add_argument("--out", type=Path, default=RECORDED, help=f"where fixtures are written ({RECORDED})")
    args = parser.parse_args(argv)
    failed = record(NetBox(args.url, args.token), args.out)
    for line in failed:
        print(f"not recorded: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
