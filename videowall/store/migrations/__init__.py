"""The store's Alembic migrations: ``env.py`` and one revision per schema in ``versions/``.

:meth:`videowall.store.Store.create` runs them from code, on the store's own connection
and inside its write transaction, so no ``alembic.ini`` is needed. Revision ``0001`` is
schema 1 (the registry mirror), ``0002`` schema 2 (the health log), ``0003`` schema 3
(the alerts), ``0004`` schema 4 (lane occupancy); the revision id of schema N is
``f"{N:04d}"``. A new schema adds a revision here, written by hand as explicit operations,
and raises :data:`videowall.store.models.SCHEMA_VERSION` to match; the tests
compare the upgraded store with the models.
"""
