"""Watch the camera registry file and report each edit as a checked registry.

The watcher polls: on its own thread it reads the file every ``interval`` seconds and
hashes the content. Polling works on every filesystem (network shares, bind mounts,
containers, where change notifications are missing or late), it sees an editor that saves
by writing a new file and renaming it over the old one, and reading the content instead
of trusting the modification time catches two quick same-size saves within the coarse
timestamps of some filesystems. The registry is small, so a read twice a second costs
nothing.

A change is checked only once two polls in a row saw the same content, so a file caught
half-written (or briefly missing while an editor swaps it) is not reported as broken.
An edit therefore applies within two intervals plus the time to check it.

A valid edit becomes the new "last good" registry and is reported with a
:class:`RegistryDiff` against the previous one; an invalid edit is reported with its
issues and leaves the last good registry as it was. The watcher never imports Qt: the UI
hands its callback to the GUI thread itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from videowall.registry.issues import ConfigIssue, IssueList
from videowall.registry.loader import check_registry, read_capped
from videowall.registry.model import Camera, Registry
from videowall.registry.settings import REGISTRY_MAX_BYTES
from videowall.util.logs import mask_url

log = logging.getLogger(__name__)

#: Seconds between two looks at the file.
DEFAULT_INTERVAL = 0.5
#: How long :meth:`RegistryWatcher.stop` waits for the thread.
STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class RegistryDiff:
    """What a reload changed, as camera ids (each tuple in registry order).

    ``changed`` holds every camera present before and after whose record differs in any
    field; ``url_changed`` is the part of it whose stream must restart: the main or sub
    URL or the backend changed.
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    url_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        """``2 added, 1 removed, 3 changed`` (``no camera changed`` when empty)."""
        if self.empty:
            return "no camera changed"
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


@dataclass(frozen=True)
class ReloadResult(IssueList):
    """The outcome of one look at an edited registry file.

    ``registry`` is the new registry, or None when the file is invalid or unreadable (then
    the last good registry stays in force and ``diff`` is None). ``diff`` compares the new
    registry with the last good one (with an empty one when there was none). ``issues`` holds the
    errors and warnings found, in line order. ``at`` is ``time.time()`` of the check.
    """

    registry: Registry | None
    issues: list[ConfigIssue] = field(default_factory=list)
    diff: RegistryDiff | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.registry is not None


def _stream_changed(old: Camera, new: Camera) -> bool:
    return (old.url, old.sub_url, old.backend) != (new.url, new.sub_url, new.backend)


def diff_registries(old: Registry, new: Registry) -> RegistryDiff:
    """The cameras ``new`` adds to, removes from and changes in ``old``."""
    before = {cam.id: cam for cam in old.cameras}
    after = {cam.id: cam for cam in new.cameras}
    changed = [cam.id for cam in new.cameras if cam.id in before and before[cam.id] != cam]
    return RegistryDiff(
        added=tuple(cam.id for cam in new.cameras if cam.id not in before),
        removed=tuple(cam.id for cam in old.cameras if cam.id not in after),
        changed=tuple(changed),
        url_changed=tuple(cid for cid in changed if _stream_changed(before[cid], after[cid])),
    )


@dataclass(frozen=True)
class _Snapshot:
    """The file as one poll saw it: a digest of its content, or why it could not be read."""

    digest: str
    data: bytes | None
    error: str = ""


class RegistryWatcher:
    """Polls a registry file on its own thread and reports every settled edit.

    ``on_result`` is called on the watcher's thread with a :class:`ReloadResult`: hand it
    over to your own thread and return. ``registry`` is the registry already loaded from
    the file (the first diff is taken against it); the content the file has when the
    watcher is built counts as already applied. ``environ`` fills ``${NAME}`` in URLs
    (default: ``os.environ``).

    Nothing that happens on the thread stops it: an exception is logged and the next poll
    runs as usual.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        on_result: Callable[[ReloadResult], None],
        *,
        interval: float = DEFAULT_INTERVAL,
        registry: Registry | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"the poll interval must be positive, not {interval}")
        self.path = os.fspath(path)
        self.interval = interval
        self._on_result = on_result
        self._environ = environ
        self._last_good = registry
        self._applied = self._read().digest  # the content last checked (or taken as is)
        self._pending: str | None = None  # content seen once, waiting for a second look
        self._force = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_failure = ""

    # -- control -----------------------------------------------------------------------------

    @property
    def registry(self) -> Registry | None:
        """The last good registry (None before the first valid one when none was given)."""
        return self._last_good

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start polling on the watcher's thread."""
        if self._thread is not None:
            raise RuntimeError("the registry watcher was already started")
        self._thread = threading.Thread(target=self._run, name="registry-watch", daemon=True)
        self._thread.start()
        log.info("watching the camera registry %s (every %.1f s)", self.path, self.interval)

    def stop(self) -> None:
        """Stop polling and wait for the thread (a no-op when it never started)."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("the registry watcher did not stop within %.0f s", STOP_TIMEOUT)

    def reload_now(self) -> None:
        """Check the file at once and report it, changed or not.

        While the watcher runs, the check happens on its thread right away; before
        :meth:`start` (or after :meth:`stop`) it happens on the caller's thread.
        """
        if self.running and not self._stopping.is_set():
            with self._lock:
                self._force = True
            self._wake.set()
        else:
            self.poll(force=True)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                break
            with self._lock:
                force, self._force = self._force, False
            try:
                self.poll(force=force)
            except Exception as exc:  # the watcher must outlive any one bad poll
                text = repr(exc)
                if text != self._last_failure:
                    log.exception("watching the camera registry %s failed", self.path)
                self._last_failure = text
            else:
                self._last_failure = ""

    def poll(self, *, force: bool = False) -> None:
        """Look at the file once, as the thread does every interval.

        A new content is reported on the second look that still finds it; ``force``
        reports the file as it is now. Call it from one thread at a time: the watcher's
        own, or the caller's when the watcher is not started.
        """
        snapshot = self._read()
        if force:
            self._report(snapshot)
        elif snapshot.digest == self._applied:
            self._pending = None
        elif snapshot.digest != self._pending:
            self._pending = snapshot.digest  # look again before believing it
        else:
            self._report(snapshot)

    def _read(self) -> _Snapshot:
        try:
            data = read_capped(self.path, REGISTRY_MAX_BYTES)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return _Snapshot(f"unreadable:{reason}", None, reason)
        return _Snapshot(hashlib.blake2b(data, digest_size=16).hexdigest(), data)

    def _report(self, snapshot: _Snapshot) -> None:
        self._applied, self._pending = snapshot.digest, None
        try:
            result = self._check(snapshot)
        except Exception as exc:  # a bug in the checker: say so instead of going quiet
            log.exception("checking the camera registry %s failed", self.path)
            reason = mask_url(f"{type(exc).__name__}: {exc}")
            issue = ConfigIssue(self.path, None, "", f"the registry could not be checked: {reason}")
            result = ReloadResult(None, [issue], None, time.time())
        try:
            self._on_result(result)
        except Exception:
            log.exception("handling the reload of the camera registry %s failed", self.path)

    def _check(self, snapshot: _Snapshot) -> ReloadResult:
        now = time.time()
        if snapshot.data is None:
            issue = ConfigIssue(
                self.path, None, "", f"cannot read the camera registry: {snapshot.error}"
            )
            log.warning("%s; keeping the last good registry", issue)
            return ReloadResult(None, [issue], None, now)
        check = check_registry(snapshot.data, self.path, environ=self._environ)
        issues = list(check.issues)
        if check.registry is None:
            count = len(check.errors)
            log.warning(
                "camera registry %s not reloaded (%d error%s); keeping the last good registry",
                self.path,
                count,
                "" if count == 1 else "s",
            )
            for issue in issues:
                log.warning("%s", issue)
            return ReloadResult(None, issues, None, now)
        for issue in check.warnings:
            log.warning("%s", issue)
        diff = diff_registries(self._last_good or Registry(), check.registry)
        self._last_good = check.registry
        log.info(
            "camera registry %s reloaded: %d cameras, %s",
            self.path,
            len(check.registry.cameras),
            diff.summary(),
        )
        return ReloadResult(check.registry, issues, diff, now)
