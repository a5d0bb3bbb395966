"""An ORM-like facade over the API for NetBox-style scripts: `Device.objects.filter(site__slug="hq")`,
`.get(name="sw1")`, `.all()`, `.count()`, `.create(name=..., site=site)` and `obj.save()`.

Lookups are translated to NetBox's REST filters: `site__slug=x` and `site=x` both filter by the site's
slug, `site_id=3` and `site__id=3` by its id, `name__icontains` becomes `name__ic`, `__in=[...]` repeats the
parameter. Whatever the REST filters do not offer is not available here either.
"""

from wirebook import Endpoint, Record

LOOKUPS = {
    "icontains": "ic",
    "contains": "ic",
    "iexact": "ie",
    "istartswith": "isw",
    "startswith": "isw",
    "iendswith": "iew",
    "endswith": "iew",
    "lt": "lt",
    "lte": "lte",
    "gt": "gt",
    "gte": "gte",
    "isnull": "empty",
}


def _value(value):
    if isinstance(value, Record):
        return value.id
    if isinstance(value, (list, tuple, set)):
        return [_value(item) for item in value]
    return value


def filters(lookups):
    params = {}
    for key, value in lookups.items():
        parts = key.split("__")
        if parts[-1] in ("in", "exact"):
            parts = parts[:-1]
        suffix = ""
        if len(parts) > 1 and parts[-1] in LOOKUPS:
            suffix = "__" + LOOKUPS[parts.pop()]
        if len(parts) == 2 and parts[1] in ("id", "pk"):
            name = parts[0] + "_id"
        elif len(parts) == 2 and parts[1] in ("slug", "name"):
            name = parts[0]
        elif len(parts) == 1 and isinstance(value, Record):
            name = parts[0] + "_id"
        else:
            name = "__".join(parts)
        params[name + suffix] = _value(value)
    return params


def _body(values):
    return {key: _value(value) for key, value in values.items()}


class QuerySet:
    def __init__(self, endpoint, params=None):
        self._endpoint = endpoint
        self._params = params or {}
        self._cache = None

    def filter(self, **lookups):
        return QuerySet(self._endpoint, {**self._params, **filters(lookups)})

    def all(self):
        return QuerySet(self._endpoint, self._params)

    def _fetch(self):
        if self._cache is None:
            self._cache = self._endpoint.filter(**self._params)
        return self._cache

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __getitem__(self, index):
        return self._fetch()[index]

    def __bool__(self):
        return bool(self._fetch())

    def exists(self):
        return self.count() > 0

    def count(self):
        return self._endpoint.count(**self._params)

    def first(self):
        found = self._fetch()
        return found[0] if found else None

    def get(self, **lookups):
        found = self.filter(**lookups)._fetch()
        if len(found) != 1:
            raise Model.DoesNotExist(len(found)) if not found else Model.MultipleObjectsReturned(len(found))
        return found[0]

    def create(self, **values):
        return self._endpoint.create(_body(values))


class Manager:
    def __get__(self, instance, owner):
        return QuerySet(Endpoint(owner.app, owner.endpoint))


class Model:
    """A NetBox model, as its REST endpoint. `Site(name=..., slug=...).save()` creates it."""

    app = ""
    endpoint = ""
    objects = Manager()

    class DoesNotExist(Exception):
        pass

    class MultipleObjectsReturned(Exception):
        pass

    def __init__(self, **values):
        self._values = values

    def save(self):
        return Endpoint(self.app, self.endpoint).create(_body(self._values))

    def full_clean(self):
        return None


def model(app, endpoint, name):
    return type(name, (Model,), {"app": app, "endpoint": endpoint})
