"""Inside the sandbox: the organization's API over the job's Unix socket (standard library only).

`api()` is a small pynetbox-like client: `api().dcim.devices.filter(site="hq")`, `.get(id)`, `.all()`,
`.create({...})`, and records with attribute access, `.save()` and `.delete()`. The worker on the other
end of the socket authenticates every request as the job's user, in the job's organization only.
"""

import http.client
import json
import socket
import urllib.parse

SOCKET_PATH = "/run/wirebook/api.sock"


class RequestError(Exception):
    """The API answered with an error status; `status` and `error` (the decoded body) tell which."""

    def __init__(self, status, error):
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("wirebook")
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self._path)


def _path_of(url):
    """A path under /api/ from an absolute URL the API returned (`next`, `url`) or from a path."""
    path = urllib.parse.urlsplit(url)
    text = path.path
    index = text.find("/api/")
    text = text[index:] if index >= 0 else text
    return text + ("?" + path.query if path.query else "")


def request(method, path, body=None, params=None):
    path = _path_of(path)
    if params:
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params, doseq=True)
    connection = _UnixConnection(SOCKET_PATH)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    decoded = json.loads(data) if data else None
    if response.status >= 400:
        raise RequestError(response.status, decoded)
    return decoded


class Record:
    """One object of the API, its fields as attributes (nested objects as records too)."""

    def __init__(self, values, endpoint=None):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_changed", {})

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name not in values:
            raise AttributeError(name)
        value = values[name]
        if isinstance(value, dict) and "id" in value:
            return Record(value)
        if isinstance(value, list):
            return [Record(item) if isinstance(item, dict) and "id" in item else item for item in value]
        return value

    def __setattr__(self, name, value):
        self._values[name] = value
        self._changed[name] = value.id if isinstance(value, Record) else value

    def __getitem__(self, name):
        return self._values[name]

    def __eq__(self, other):
        return isinstance(other, Record) and other._values.get("url") == self._values.get("url")

    def __hash__(self):
        return hash(self._values.get("url"))

    def __str__(self):
        return str(self._values.get("display") or self._values.get("name") or self._values.get("id"))

    __repr__ = __str__

    def serialize(self):
        return dict(self._values)

    def save(self):
        if not self._changed:
            return False
        self._values.update(request("PATCH", self._values["url"], self._changed))
        self._changed.clear()
        return True

    def update(self, values):
        for name, value in values.items():
            setattr(self, name, value)
        return self.save()

    def delete(self):
        request("DELETE", self._values["url"])
        return True


class Endpoint:
    def __init__(self, app, name):
        self.path = f"/api/{app}/{name}/"

    def _pages(self, params):
        page = request("GET", self.path, params=params)
        while True:
            for values in page["results"]:
                yield Record(values, self)
            if not page.get("next"):
                return
            page = request("GET", page["next"])

    def all(self, limit=0):
        return list(self._pages({"limit": limit or 1000}))

    def filter(self, *args, **params):
        if args:
            params["q"] = args[0]
        return list(self._pages({"limit": 1000, **params}))

    def get(self, *args, **params):
        if args:
            try:
                return Record(request("GET", f"{self.path}{int(args[0])}/"), self)
            except RequestError as error:
                if error.status == 404:
                    return None
                raise
        found = self.filter(**params)
        if len(found) > 1:
            raise ValueError(f"get() returned more than one result ({len(found)}); use filter()")
        return found[0] if found else None

    def count(self, **params):
        return request("GET", self.path, params={"limit": 1, **params})["count"]

    def create(self, *args, **values):
        body = args[0] if args else values
        created = request("POST", self.path, body)
        if isinstance(created, list):
            return [Record(item, self) for item in created]
        return Record(created, self)


class App:
    def __init__(self, name):
        self.name = name

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Endpoint(self.name, name.replace("_", "-"))


class Api:
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return App(name.replace("_", "-"))

    @property
    def status(self):
        return request("GET", "/api/status/")


def api():
    return Api()
