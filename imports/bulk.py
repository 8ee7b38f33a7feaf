"""Inserting a hundred thousand already-checked rows quickly and in bounded memory.

`bulk_create` builds a model instance per row and, on SQLite, one INSERT per ~60 rows (a query
may carry 999 parameters). The rows an import writes are checked to the last field before they
get here, so they go in as plain tuples through one `executemany` per chunk: the same columns
and values Django would write, prepared by the fields themselves once per column, not per cell.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from django.db import connection, models

CHUNK = 5_000


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, constants: Mapping[str, Any]
) -> int:
    """Insert `rows` (field attname → value) with `constants` (the same for every row: the
    cooperative, the import, timestamps) and each other field's default. Returns the count.

    No signals, no save(): only for rows the import has fully checked."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    fixed = {
        name: field.get_db_prep_save(constants[name], connection)
        for field, name in zip(fields, names, strict=True)
        if name in constants
    }
    defaults = {
        name: field.get_db_prep_save(field.get_default(), connection)
        for field, name in zip(fields, names, strict=True)
        if name not in constants
    }
    # Dates are the only per-row values that need preparing on either database; the fields
    # say how (an ISO string for SQLite, the date itself for PostgreSQL).
    dates = {
        field.attname: field
        for field in fields
        if isinstance(field, models.DateField) and field.attname not in constants
    }
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    count = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, CHUNK):
            values = []
            for row in chunk:
                line = []
                for name in names:
                    if name in fixed:
                        line.append(fixed[name])
                    elif name in row:
                        value = row[name]
                        if name in dates and isinstance(value, datetime.date):
                            value = dates[name].get_db_prep_save(value, connection)
                        line.append(value)
                    else:
                        line.append(defaults[name])
                values.append(line)
            cursor.executemany(sql, values)
            count += len(values)
    return count
