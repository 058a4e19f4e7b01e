"""The ``with`` protocol for the demo's servers: start on entry, stop on exit."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class StartStop:
    """Mixin for a server with ``start()`` and ``stop()``: ``with Server(...) as s:``."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
