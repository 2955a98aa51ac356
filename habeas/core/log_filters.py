"""Logging filters that keep secrets out of Django's debug logs (SECURITY.md test 17).

Turned up to DEBUG, two of Django's loggers write what must never reach a log file:
the SQL log writes each statement with its values (session ids, recovery codes, every
plaintext column), and the template log writes a failed variable lookup with the whole
template context (the CSRF token, a new API token, recovery codes shown once). The
filters sit on those loggers in `settings.LOGGING`, so they hold whatever level an
operator sets; the statement and the variable's name stay, for debugging.
"""

from __future__ import annotations

import logging
import re

# A quoted SQL literal as SQLite's QUOTE() or psycopg writes it: 'it''s', E'a\\b', X'00'.
SQL_LITERAL = re.compile(r"E'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'")
WITHHELD = "[withheld]"


def sql_without_values(value: object) -> object:
    if isinstance(value, str):
        return SQL_LITERAL.sub("'…'", value)
    if value is None or isinstance(value, int | float):
        return value
    return WITHHELD  # the statement's parameters, in whatever container


class SqlValuesWithheld(logging.Filter):
    """`django.db.backends`: keep the statement and its timing, withhold its values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(sql_without_values(arg) for arg in record.args)
        for name in ("sql", "params"):
            if hasattr(record, name):
                setattr(record, name, sql_without_values(getattr(record, name)))
        return True


class TemplateContextWithheld(logging.Filter):
    """`django.template`: a failed lookup is logged, without the context its error holds."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
