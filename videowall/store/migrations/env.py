"""Alembic's environment for the store: the migrations run on the connection the store
hands over in ``config.attributes["connection"]``, inside its open write transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from videowall.store.models import Base


def run_migrations() -> None:
    """Run the migrations Alembic asked for on the store's connection."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the store's migrations run from Store.create(), on its connection")
    # The store's write transaction holds every step: on SQLite too, DDL is transactional.
    context.configure(connection=connection, target_metadata=Base.metadata,
                      transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
