"""URL converters: `<int:...>` limited to what a database id column can hold.

Werkzeug's IntegerConverter accepts any number of digits, so /api/v1/payments/99999999999999999999
reached the database and failed there (SQLite: OverflowError; PostgreSQL: integer out of range),
a 500. Ids are BIGINT, so anything above 2**63 - 1 cannot name a row: the route does not match
and the answer is an ordinary 404. flask-smorest documents the bound (minimum/maximum).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

LARGEST_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:name>`: 1 to 2**63 - 1 unless the rule gives its own min/max."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = LARGEST_DATABASE_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules pick their converter when added."""
    app.url_map.converters["int"] = DatabaseIdConverter
