"""Keeps the store in step with the registry the wall shows, off the GUI thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from videowall.registry.model import Registry
from videowall.store.records import StoreError
from videowall.store.store import Store
from videowall.store.sync import sync_registry

log = logging.getLogger(__name__)

Notify = Callable[[str], None]


class RegistryMirror:
    """Mirrors each registry the wall applies into the store, one at a time, on a thread
    of its own. A store that cannot be written (locked, read-only, unreachable) is said
    in words through ``notify``; the wall keeps running on the registry it has.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._store: Store | None = None
        self._jobs: queue.SimpleQueue[tuple[Registry, Notify] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="store-mirror", daemon=True)
        self._thread.start()

    def registry_applied(self, registry: Registry, notify: Notify) -> None:
        """Queue ``registry`` for the store; returns at once."""
        self._jobs.put((registry, notify))

    def close(self, timeout: float = 10.0) -> None:
        """Finish the queued syncs (up to ``timeout``) and close the store."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            registry, notify = job
            try:
                self._sync(registry, notify)
            except Exception as exc:  # never let the mirror thread die silently
                log.exception("mirroring the camera registry failed")
                notify(f"Camera registry not saved to the store: {exc}")
        if self._store is not None:
            self._store.close()

    def _sync(self, registry: Registry, notify: Notify) -> None:
        text: bytes | None = None
        if registry.source and Path(registry.source).is_file():
            text = Path(registry.source).read_bytes()
        try:
            if self._store is None:
                store = Store(self.url)
                store.create()
                self._store = store
            result = sync_registry(self._store, registry, source_text=text)
        except StoreError as exc:
            log.warning("%s", exc)
            notify(f"Store not updated: {exc}")
            return
        log.info("store %s: registry %s", self._store.where, result.summary())
