"""Alembic run from code on the store's own connection: which revision a store is at, and
bringing it to this videowall's head.

A store written before Alembic came (a ``schema_version`` row, no ``alembic_version``) is
first stamped at the revision of its schema, then upgraded like any other.

Alembic is imported on first use, with its loggers held at WARNING: importing it says each
of its plugins at INFO, and a migration each of its set-up steps; the store logs one line
of its own instead.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The folder of ``env.py`` and ``versions/``, shipped inside the package.
MIGRATIONS = Path(__file__).resolve().with_name("migrations")

# Alembic's commands hand their context over through module globals: one run at a time.
_RUNNING = threading.Lock()
#: Alembic's own table: the revision the store is at.
_VERSIONS = table("alembic_version", column("version_num"))


class MigrationError(Exception):
    """Alembic could not run the migrations (its words in the message)."""


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; the migrations run on ``connection``."""
    with _quiet_alembic():
        from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _scripts() -> ScriptDirectory:
    with _quiet_alembic():
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(config())


def revision_of(schema: int) -> str:
    """The revision id of a schema version (schema 2 is revision ``0002``)."""
    return f"{schema:04d}"


def head() -> str:
    """The newest revision this videowall knows."""
    newest = _scripts().get_current_head()
    assert newest is not None, "the store has no migrations"
    return newest


def known() -> frozenset[str]:
    """Every revision this videowall knows."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def current(connection: Connection) -> tuple[str, ...]:
    """The revisions the store is at: () before Alembic ran on it."""
    # Read directly: Alembic's MigrationContext would log its set-up at every check.
    if not inspect(connection).has_table(_VERSIONS.name):
        return ()
    return tuple(connection.scalars(select(_VERSIONS.c.version_num)))


def unknown(connection: Connection) -> str | None:
    """A revision the store is at that this videowall does not know (a newer one wrote
    it), or None."""
    return next((rev for rev in current(connection) if rev not in known()), None)


def upgrade(connection: Connection, recorded_schema: int | None) -> tuple[str, ...]:
    """Bring the store to :func:`head` inside the connection's open transaction.

    ``recorded_schema`` is the store's ``schema_version`` row (None: no row). Returns the
    revisions the store was at before; nothing is run when it is at the head already.
    Raises MigrationError if Alembic cannot run them.
    """
    before = current(connection)
    if before == (head(),):
        return before
    cfg = config(connection)
    with _RUNNING, _quiet_alembic():
        from alembic import command
        from alembic.util import CommandError

        try:
            if not before and recorded_schema is not None:
                command.stamp(cfg, revision_of(recorded_schema))
            command.upgrade(cfg, "head")
        except CommandError as exc:
            raise MigrationError(str(exc)) from exc
    return before
