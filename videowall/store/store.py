"""The SQL store: where it lives, how to open it, and errors in words.

A :class:`Store` owns one SQLAlchemy engine and a session factory; it holds no session
between calls, so any thread may use it (each call opens and closes its own session, and
objects come back detached with their values loaded). Work on the store belongs off the
UI thread: a write may wait up to ``busy_timeout`` for another writer.

SQLite (the default) is opened in WAL mode, so readers never wait for a writer, with
foreign keys on and a busy timeout. Write transactions start with ``BEGIN IMMEDIATE``:
two writers queue at the start instead of one failing half-way. Any other SQLAlchemy URL
works too (PostgreSQL for several workstations sharing layouts and alerts).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    create_engine,
    event,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from videowall.store import migrate
from videowall.store.models import SCHEMA_VERSION, SchemaVersionRow, utcnow
from videowall.store.records import StoreError
from videowall.util.logs import mask_url

log = logging.getLogger(__name__)

DB_NAME = "videowall.db"
#: Seconds a write waits for another program's write lock before it gives up.
DEFAULT_BUSY_TIMEOUT = 5.0
#: PostgreSQL advisory lock held while the tables are created ("vwll").
_PG_LOCK = 0x76776C6C
#: Execution option that makes the SQLite ``BEGIN`` an ``BEGIN IMMEDIATE``.
_WRITE = "videowall_write"

# SQLite's words (lower case, as the driver says them) -> ours.
_SQLITE_REASONS = (
    ("database is locked", "another program holds a write lock on it"),
    ("database table is locked", "another program holds a write lock on it"),
    ("unable to open database file",
     "the file cannot be opened (its folder is missing or not writable, or it is a folder)"),
    ("readonly database", "the file or its folder is read-only"),
    ("file is not a database", "the file is not a videowall store (not an SQLite database)"),
    ("malformed", "the file is damaged (malformed SQLite database)"),
    ("database or disk is full", "the disk is full"),
    ("disk i/o error", "a disk I/O error"),
    ("no such table", "its tables are missing (the store was not created)"),
)


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the store lives when no URL is given.

    ``$VIDEOWALL_DATA/videowall.db``, else ``$XDG_DATA_HOME/videowall/videowall.db``,
    else ``~/.local/share/videowall/videowall.db``.
    """
    env = os.environ if environ is None else environ
    if env.get("VIDEOWALL_DATA"):
        return Path(env["VIDEOWALL_DATA"]).expanduser() / DB_NAME
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "videowall" / DB_NAME
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".local" / "share" / "videowall" / DB_NAME


class Store:
    """The SQL store of videowall.

    ``url`` is any SQLAlchemy URL (``sqlite:////var/lib/videowall/videowall.db``,
    ``postgresql+psycopg://user:pw@host/videowall``) or a plain file path for SQLite;
    None means the file at :func:`default_path`. Nothing is opened until first use;
    call :meth:`create` once at start-up. Every failure raises :class:`StoreError`.
    """

    def __init__(
        self,
        url: str | os.PathLike[str] | None = None,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.busy_timeout = busy_timeout
        self.url = _parse_url(url, environ)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        database = self.url.database if self.is_sqlite else None
        #: The SQLite file, or None (a server database, or SQLite in memory).
        self.path: Path | None = (
            Path(database).expanduser().absolute()
            if database and database != ":memory:" and not database.startswith("file:")
            else None
        )
        #: The store as people should see it: the file, or the URL with the password masked.
        self.where = (
            str(self.path) if self.path is not None
            else "in memory" if self.is_sqlite and database in (None, "", ":memory:")
            else mask_url(self.url.render_as_string(hide_password=True))
        )
        self._wal_warned = False
        self._checked = False  # _refuse_newer() passed once
        try:
            self.engine = self._make_engine()
        except (SQLAlchemyError, ImportError) as exc:
            reason = f"its database driver is missing or unknown ({mask_url(str(exc))})"
            raise StoreError(self.where, "open", reason) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({self.where!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- life cycle ----------------------------------------------------------------------

    def create(self) -> None:
        """Create the folder and bring the tables to this videowall's schema with the
        Alembic migrations; record the ``schema_version`` row.

        Idempotent: run it at every start. A store of an older videowall is migrated; one
        written before Alembic came is first stamped at the revision of its schema. Raises
        StoreError if the store cannot be made or was written by a newer videowall.
        """
        self._make_folder()
        with self.write("create") as session:
            connection = session.connection()
            if self.url.get_backend_name() == "postgresql":
                # Workstations starting together would race to create the same tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            recorded = self._refuse_newer(connection)
            before = migrate.upgrade(connection, recorded)
            if before != (migrate.head(),):
                self._log_migration(before, recorded)
            self._record_schema(session)
        self._checked = True

    def check(self) -> None:
        """Raise StoreError if the store was written by a newer videowall.

        Every read and write of a :class:`Store` does this once before its first use;
        call it to find out early.
        """
        with self.errors("use"), self.engine.connect() as connection:
            self._refuse_newer(connection)
        self._checked = True

    def schema_version(self) -> int | None:
        """The schema version recorded in the store, or None before :meth:`create`."""
        with self.read() as session:
            return _recorded_schema(session.connection())

    def revision(self) -> str | None:
        """The Alembic revision of the store, or None before :meth:`create`."""
        with self.read() as session:
            revisions = migrate.current(session.connection())
        return revisions[0] if revisions else None

    def _make_folder(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = f"cannot make its folder {self.path.parent}: {exc.strerror or exc}"
            raise StoreError(self.where, "create", reason) from exc

    def _refuse_newer(self, connection: Connection) -> int | None:
        """The schema recorded in the store (None: no row); StoreError if a newer
        videowall wrote it."""
        recorded = _recorded_schema(connection)
        if recorded is not None and recorded > SCHEMA_VERSION:
            raise StoreError(
                self.where, "use",
                f"it was written by a newer videowall (schema {recorded}, this one "
                f"knows schema {SCHEMA_VERSION} and older)",
            )
        newer = migrate.unknown(connection)
        if newer is not None:
            raise StoreError(
                self.where, "use",
                f"it was written by a newer videowall (revision {newer}; this one knows "
                f"up to revision {migrate.head()})",
            )
        return recorded

    def _log_migration(self, before: tuple[str, ...], recorded: int | None) -> None:
        if before:
            was = f"revision {before[0]}"
        elif recorded is not None:
            was = f"schema {recorded}"
        else:
            log.info("store %s: created at revision %s", self.where, migrate.head())
            return
        log.info("store %s: %s migrated to revision %s", self.where, was, migrate.head())

    def _record_schema(self, session: Session) -> None:
        row = session.get(SchemaVersionRow, 1)
        if row is None:
            session.add(SchemaVersionRow(id=1, version=SCHEMA_VERSION))
        elif row.version != SCHEMA_VERSION:
            row.version = SCHEMA_VERSION
            row.updated_at = utcnow()

    def close(self) -> None:
        """Close every pooled connection. The store opens new ones if used again."""
        self.engine.dispose()

    # -- sessions ------------------------------------------------------------------------

    @contextmanager
    def read(self, action: str = "read") -> Iterator[Session]:
        """A session for reading; its transaction is rolled back at the end."""
        with self.errors(action), self._sessions() as session:
            self._check_once(session)
            yield session

    @contextmanager
    def write(self, action: str = "write to") -> Iterator[Session]:
        """A session in one write transaction: committed at the end, rolled back if the
        block raises. On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``)."""
        with self.errors(action), self._sessions() as session, session.begin():
            session.connection(execution_options={_WRITE: True})
            self._check_once(session)
            yield session

    def _check_once(self, session: Session) -> None:
        # A store of a newer videowall may hold tables this one would misread or break.
        if not self._checked:
            self._refuse_newer(session.connection())
            self._checked = True

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Turn database and file errors raised in the block into a StoreError."""
        try:
            yield
        except StoreError:
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError, migrate.MigrationError) as exc:
            raise StoreError(self.where, action, self._reason(exc)) from exc

    def _reason(self, exc: BaseException) -> str:
        if isinstance(exc, OSError):
            name = f" {exc.filename}" if exc.filename else ""
            return f"{exc.strerror or exc}{name}"
        cause: BaseException = exc
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            cause = exc.orig
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        lowered = first.lower()
        if self.is_sqlite:
            for words, reason in _SQLITE_REASONS:
                if words in lowered:
                    if "locked" in words:
                        reason += f" (gave up after waiting {self.busy_timeout:g} s)"
                    return reason
        return mask_url(first)

    # -- engine --------------------------------------------------------------------------

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True)
        engine = create_engine(self.url, connect_args={"timeout": self.busy_timeout})
        event.listen(engine, "connect", self._on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine

    def _on_sqlite_connect(self, dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The driver's own transaction handling is switched off: _on_sqlite_begin emits
        # BEGIN itself, so transactions (and DDL) are real SQLite transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if self.path is not None:
                mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal" and not self._wal_warned:
                    self._wal_warned = True
                    log.warning(
                        "store %s: journal mode is %s, not WAL (the file system does not "
                        "support it?): readers will wait for writers", self.where, mode,
                    )
        finally:
            cursor.close()


def _recorded_schema(connection: Connection) -> int | None:
    if not inspect(connection).has_table(SchemaVersionRow.__tablename__):
        return None
    return connection.scalar(select(SchemaVersionRow.version).where(SchemaVersionRow.id == 1))


def _on_sqlite_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _parse_url(url: str | os.PathLike[str] | None, environ: Mapping[str, str] | None) -> URL:
    if url is None:
        return URL.create("sqlite", database=str(default_path(environ)))
    text = os.fspath(url)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().absolute()))
    try:
        return make_url(text)
    except ArgumentError as exc:
        raise StoreError(mask_url(text), "open", "it is not a database URL") from exc
