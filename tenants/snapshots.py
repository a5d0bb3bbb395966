"""A schema's tables and rows as SQL that rebuilds it: the *snapshot* new schemas are built from.

`pg_dump --schema` reads the catalog of the whole database (every relation of every schema)
before it looks at the one schema asked for: its cost follows the number of organizations, not
the size of one. `snapshot_from_catalog` starts from the schema instead -- its tables and
sequences through `pg_depend`, indexed by the schema they depend on; their columns, constraints,
indexes and comments through the catalog's indexes keyed by table -- so it costs what the schema
holds, whatever else the database has.

It rebuilds what migrations make: tables (columns, types, collations, defaults, generated and
identity columns, storage options), constraints, indexes, comments, the rows (`django_migrations`,
content types...) and the positions of the identity sequences. Anything else found in the schema
(a view, a function, a trigger, a standalone sequence or type, a partition, row security...) makes
it refuse with `SnapshotUnavailable`, and the caller falls back to `pg_dump_schema`.
"""

import glob
import importlib.util
import os
import re
import shutil
import subprocess
from typing import NamedTuple

from psycopg import sql

from tenants.context import connection


class SnapshotUnavailable(Exception):
    """The snapshot cannot be taken this way (see the message)."""


class _Column(NamedTuple):
    table: int
    number: int
    name: str
    type_name: str
    not_null: bool
    identity: str
    generated: str
    default: str | None
    collation: str | None
    comment: str | None


class _Constraint(NamedTuple):
    table: int
    name: str
    kind: str
    definition: str
    index_oid: int
    validated: bool

    @property
    def inline(self) -> bool:
        """Declared in CREATE TABLE (cheaper than one ALTER TABLE each): all but foreign keys, which
        wait for the tables they reference, and constraints not yet validated."""
        return self.kind != "f" and self.validated


def _ident(name: str) -> str:
    return sql.Identifier(name).as_string(None)


def _literal(value) -> str:
    return sql.Literal(value).as_string(None)


_OBJECTS = """
    SELECT d.classid::regclass::text, d.objid, c.relname, c.relkind, c.relpersistence, c.reloptions,
           c.relrowsecurity, c.relispartition, obj_description(c.oid, 'pg_class')
    FROM pg_depend d LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
    WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %s AND d.refobjsubid = 0
    ORDER BY d.objid
"""
_IDENTITY_SEQUENCES = """
    SELECT d.objid, d.refobjid, d.refobjsubid, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcache, s.seqcycle
    FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
    WHERE d.classid = 'pg_class'::regclass AND d.objid = ANY(%s) AND d.deptype = 'i'
"""
_COLUMNS = """
    SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
           a.attgenerated, pg_get_expr(ad.adbin, ad.adrelid),
           CASE WHEN a.attcollation <> t.typcollation
                THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
           col_description(a.attrelid, a.attnum)
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum
"""
_CONSTRAINTS = """
    SELECT conrelid, conname, contype, pg_get_constraintdef(oid), conindid, convalidated
    FROM pg_constraint WHERE conrelid = ANY(%s)
    ORDER BY conrelid, conname
"""
_INDEXES = "SELECT indexrelid, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s) ORDER BY indexrelid"
# What a table may carry that is not rebuilt: the snapshot refuses rather than leave it out.
_UNSUPPORTED = {
    "a trigger": "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgrelid = ANY(%s) AND NOT tgisinternal",
    "a rule": "SELECT ev_class::regclass::text FROM pg_rewrite WHERE ev_class = ANY(%s)",
    "a policy": "SELECT polrelid::regclass::text FROM pg_policy WHERE polrelid = ANY(%s)",
    "inheritance": "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhrelid = ANY(%s) OR inhparent = ANY(%s)",
    "an index comment": "SELECT objoid::regclass::text FROM pg_description "
    "WHERE classoid = 'pg_class'::regclass AND objoid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(%s))",
    "a constraint comment": "SELECT objoid::text FROM pg_description "
    "WHERE classoid = 'pg_constraint'::regclass AND objoid IN (SELECT oid FROM pg_constraint WHERE conrelid = ANY(%s))",
}


def snapshot_from_catalog(schema_name: str) -> str:
    """SQL that rebuilds `schema_name` (its name written out, for `schemas.snapshot_sql_for` to
    replace), read from the catalog entries of that schema only. Raises SnapshotUnavailable when
    the schema holds something it does not rebuild."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema_name])
        found = cursor.fetchone()
        if found is None:
            raise SnapshotUnavailable(f"no schema {schema_name}")
        cursor.execute(_OBJECTS, [found[0]])
        objects = cursor.fetchall()
        tables = {}
        sequences = {}
        for catalog, oid, name, kind, persistence, options, row_security, partition, comment in objects:
            if catalog != "pg_class" or kind not in ("r", "S") or row_security or partition:
                what = f"{catalog} {name or oid}" + (f" (relkind {kind})" if kind else "")
                raise SnapshotUnavailable(f"{schema_name} holds {what}, which the catalog snapshot does not rebuild")
            if kind == "r":
                tables[oid] = (name, persistence, options, comment)
            else:
                sequences[oid] = name
        oids = list(tables)
        for what, query in _UNSUPPORTED.items():
            cursor.execute(query, [oids] * query.count("%s"))
            offending = cursor.fetchone()
            if offending:
                raise SnapshotUnavailable(f"{schema_name} has {what} ({offending[0]}), not rebuilt by the snapshot")
        cursor.execute(_IDENTITY_SEQUENCES, [list(sequences)])
        identities = {(row[1], row[2]): (sequences[row[0]], *row[3:]) for row in cursor.fetchall()}
        standalone = set(sequences.values()) - {identity[0] for identity in identities.values()}
        if standalone:
            raise SnapshotUnavailable(f"{schema_name} has sequences not owned by an identity column: {standalone}")
        cursor.execute(_COLUMNS, [oids])
        columns = [_Column(*row) for row in cursor.fetchall()]
        cursor.execute(_CONSTRAINTS, [oids])
        constraints = [_Constraint(*row) for row in cursor.fetchall()]
        cursor.execute(_INDEXES, [oids])
        backing = {constraint.index_oid for constraint in constraints if constraint.index_oid}
        indexes = [(oid, definition) for oid, definition in cursor.fetchall() if oid not in backing]
        rows = _rows(cursor, schema_name, tables, columns)
        positions = _positions(cursor, schema_name, [identity[0] for identity in identities.values()])
    return "\n".join(
        [
            f"CREATE SCHEMA {_ident(schema_name)};",
            *_tables(schema_name, tables, columns, identities, [c for c in constraints if c.inline]),
            *rows,
            *positions,
            *_constraints_and_indexes(schema_name, tables, [c for c in constraints if not c.inline], indexes),
            *_comments(schema_name, tables, columns),
        ]
    )


def _qualified(schema_name: str, name: str) -> str:
    return f"{_ident(schema_name)}.{_ident(name)}"


def _tables(schema_name, tables, columns, identities, constraints) -> list[str]:
    definitions: dict[int, list[str]] = {oid: [] for oid in tables}
    for column in columns:
        parts = [_ident(column.name), column.type_name]
        if column.collation:
            parts.append(f"COLLATE {column.collation}")
        if column.generated == "s":
            parts.append(f"GENERATED ALWAYS AS ({column.default}) STORED")
        elif column.default is not None:
            parts.append(f"DEFAULT {column.default}")
        if column.not_null:
            parts.append("NOT NULL")
        if column.identity:
            sequence, _type, start, increment, minimum, maximum, cache, cycle = identities[column.table, column.number]
            parts.append(
                f"GENERATED {'ALWAYS' if column.identity == 'a' else 'BY DEFAULT'} AS IDENTITY "
                f"(SEQUENCE NAME {_qualified(schema_name, sequence)} START WITH {start} INCREMENT BY {increment} "
                f"MINVALUE {minimum} MAXVALUE {maximum} CACHE {cache}{' CYCLE' if cycle else ''})"
            )
        definitions[column.table].append(" ".join(parts))
    for constraint in constraints:
        definitions[constraint.table].append(f"CONSTRAINT {_ident(constraint.name)} {constraint.definition}")
    statements = []
    for oid, (name, persistence, options, _comment) in tables.items():
        unlogged = "UNLOGGED " if persistence == "u" else ""
        storage = f" WITH ({', '.join(options)})" if options else ""
        body = ",\n    ".join(definitions[oid])
        statements.append(f"CREATE {unlogged}TABLE {_qualified(schema_name, name)} (\n    {body}\n){storage};")
    return statements


def _rows(cursor, schema_name, tables, columns) -> list[str]:
    """INSERTs of every row, through JSON: one statement per table, whatever its column types."""
    if not tables:
        return []
    selects = " UNION ALL ".join(
        f"SELECT %s, (SELECT json_agg(t)::text FROM {_qualified(schema_name, name)} t)"  # noqa: S608 (quoted names)
        for name, *_ in tables.values()
    )
    cursor.execute(selects, [name for name, *_ in tables.values()])
    contents = {name: data for name, data in cursor.fetchall() if data is not None}
    insertable: dict[int, list[str]] = {oid: [] for oid in tables}
    for column in columns:
        if column.generated != "s":  # generated columns are computed, not inserted
            insertable[column.table].append(_ident(column.name))
    statements = []
    for oid, (name, *_) in tables.items():
        if name not in contents:
            continue
        names = ", ".join(insertable[oid])
        qualified = _qualified(schema_name, name)
        data = _literal(contents[name])
        statements.append(
            f"INSERT INTO {qualified} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} "  # noqa: S608 (quoted)
            f"FROM json_populate_recordset(NULL::{qualified}, {data});"
        )
    return statements


def _positions(cursor, schema_name, sequences: list[str]) -> list[str]:
    if not sequences:
        return []
    selects = " UNION ALL ".join(
        f"SELECT %s, last_value, is_called FROM {_qualified(schema_name, name)}"  # noqa: S608 (quoted identifiers)
        for name in sequences
    )
    cursor.execute(selects, sequences)
    return [
        f"SELECT pg_catalog.setval({_literal(_qualified(schema_name, name))}, {value}, true);"
        for name, value, called in cursor.fetchall()
        if called  # a sequence never used is as it was created
    ]


def _constraints_and_indexes(schema_name, tables, constraints, indexes) -> list[str]:
    """The indexes no constraint made, then the constraints CREATE TABLE left out: one ALTER TABLE
    per table, after every table exists (foreign keys may point anywhere)."""
    statements = [f"{definition};" for _oid, definition in indexes]
    per_table: dict[int, list[str]] = {}
    for constraint in constraints:
        clause = f"ADD CONSTRAINT {_ident(constraint.name)} {constraint.definition}"
        per_table.setdefault(constraint.table, []).append(clause)
    statements += [
        f"ALTER TABLE {_qualified(schema_name, tables[table][0])} {', '.join(clauses)};"
        for table, clauses in per_table.items()
    ]
    return statements


def _comments(schema_name, tables, columns) -> list[str]:
    statements = [
        f"COMMENT ON TABLE {_qualified(schema_name, name)} IS {_literal(comment)};"
        for name, _persistence, _options, comment in tables.values()
        if comment is not None
    ]
    statements += [
        f"COMMENT ON COLUMN {_qualified(schema_name, tables[c.table][0])}.{_ident(c.name)} IS {_literal(c.comment)};"
        for c in columns
        if c.comment is not None
    ]
    return statements


# -- pg_dump, for schemas the catalog snapshot refuses ------------------------------------------


def pg_dump_path() -> str | None:
    """pg_dump from PATH, the Debian PostgreSQL packages, or the pip-installed `pgserver`."""
    candidates = [os.environ.get("PG_DUMP")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)
    candidates.append(shutil.which("pg_dump"))
    pgserver = importlib.util.find_spec("pgserver")  # found, not imported: importing it has side effects
    if pgserver is not None and pgserver.origin:
        candidates.append(os.path.join(os.path.dirname(pgserver.origin), "pginstall", "bin", "pg_dump"))
    server_major = connection.pg_version // 10000
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _major_version(candidate) >= server_major:
            return candidate
    return None


def _major_version(binary: str) -> int:
    try:
        output = subprocess.run(  # noqa: S603 (our own binary path, no shell)
            [binary, "--version"], capture_output=True, text=True, check=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return pg_dump_major_version(output)


_VERSION_AFTER_PRODUCT = re.compile(r"\(PostgreSQL\)\s+(\d+)")
_FIRST_NUMBER = re.compile(r"\b(\d+)(?:\.\d+)*")


def pg_dump_major_version(output: str) -> int:
    """The major version `pg_dump --version` printed, 0 if none: "pg_dump (PostgreSQL) 16.4",
    "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", "pg_dump (PostgreSQL) 17beta1",
    "pg_dump (PostgreSQL) 9.6.24" (9: servers before 10 report 90624 // 10000 too)."""
    match = _VERSION_AFTER_PRODUCT.search(output) or _FIRST_NUMBER.search(output)
    return int(match.group(1)) if match else 0


_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\(|\\)")


def pg_dump_schema(schema_name: str, *, timeout: float = 300) -> str:
    """`pg_dump --schema` of the schema's DDL and rows, as SQL that can be replayed inside one
    transaction. Its cost follows the whole catalog: minutes at thousands of organizations."""
    connection.ensure_connection()
    binary = pg_dump_path()
    if binary is None:
        raise SnapshotUnavailable("no pg_dump at least as new as the server was found")
    params = connection.get_connection_params()
    env = {**os.environ, "PGPASSWORD": str(params.get("password") or ""), "PGOPTIONS": ""}
    command = [binary, "--schema", schema_name, "--inserts", "--no-owner", "--no-privileges", "--no-comments"]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user"), ("--dbname", "dbname")):
        if params.get(key):
            command += [flag, str(params[key])]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise SnapshotUnavailable(f"pg_dump took longer than {timeout:.0f} s") from exc
    if result.returncode != 0:
        raise SnapshotUnavailable(f"pg_dump failed: {result.stderr.strip()[:500]}")
    lines = [line for line in result.stdout.splitlines() if not line.startswith("--") and not _SESSION_LINE.match(line)]
    return "\n".join(line for line in lines if line.strip())
