"""Map tiles of a deployment that draws maps (`WIREBOOK_MAP_TILES_URL`): where they come from."""

from urllib.parse import urlsplit


def map_tile_source(url: str) -> str | None:
    """The Content-Security-Policy source of a map tile URL template ("https://tile.example.org/{z}/{x}/{y}.png"
    gives "https://tile.example.org"; a `{s}` subdomain: any subdomain), None for no URL. ValueError for a
    template that is no http(s) URL with {z}, {x} and {y}."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or not all(f"{{{c}}}" in url for c in "zxy"):
        raise ValueError(f"an http(s) URL with {{z}}, {{x}} and {{y}} is needed, not {url!r}")
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
