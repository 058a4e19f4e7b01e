"""The SQL store: the camera registry mirrored into SQL, and what later refers to it.

Qt-free, and the UI never imports it: the application calls it from a worker thread and
hands plain :mod:`videowall.store.records` values on.

Use::

    store = Store()                      # $VIDEOWALL_DATA/videowall.db or the XDG data folder
    store.create()                       # idempotent, at every start
    result = sync_registry(store, registry, source_text=text)
    log.info("registry: %s", result.summary())
    record_health(store, [HealthEntry("rp01-north", utcnow(), "stalled", "no picture for 2 s")])
    health_history(store, "rp01-north", since=an_hour_ago)
    record_alerts(store, [alert], [AlertChange(alert.id, utcnow(), "raised", alert.state)])
    open_alerts(store)                   # what the wall shows again after a restart
    record_lane_minutes(store, [LaneMinute("rp01-north", "northbound", minute, 0.4, 0.9, 0)])
    lane_minutes(store, site="rp01", since=an_hour_ago)

Every failure raises :class:`StoreError`, whose message names the store and the reason.
The wall writes through :class:`videowall.store.writer.StoreWriter` (one thread, one
store); ``create()`` brings the tables to the current schema with the Alembic migrations
of :mod:`videowall.store.migrations`.
"""

from videowall.store.alerts import (
    STATE_FILTERS,
    AlertLookupError,
    StateFilter,
    acknowledge_alerts,
    alert_cameras,
    alert_history,
    find_alerts,
    list_alerts,
    open_alerts,
    record_alerts,
)
from videowall.store.health import (
    health_before,
    health_camera_ids,
    health_history,
    record_health,
)
from videowall.store.lanes import (
    check_lane_minute,
    lane_camera_ids,
    lane_minutes,
    record_lane_minutes,
)
from videowall.store.models import SCHEMA_VERSION
from videowall.store.records import (
    Alert,
    AlertChange,
    AlertState,
    Change,
    ChangeKind,
    Entity,
    HealthEntry,
    LaneMinute,
    StoredCamera,
    StoreError,
    SyncResult,
)
from videowall.store.store import Store, default_path
from videowall.store.sync import cameras, changes, site_ids, sync_registry

__all__ = [
    "SCHEMA_VERSION",
    "STATE_FILTERS",
    "Alert",
    "AlertChange",
    "AlertLookupError",
    "AlertState",
    "Change",
    "ChangeKind",
    "Entity",
    "HealthEntry",
    "LaneMinute",
    "StateFilter",
    "Store",
    "StoreError",
    "StoredCamera",
    "SyncResult",
    "acknowledge_alerts",
    "alert_cameras",
    "alert_history",
    "cameras",
    "changes",
    "check_lane_minute",
    "default_path",
    "find_alerts",
    "health_before",
    "health_camera_ids",
    "health_history",
    "lane_camera_ids",
    "lane_minutes",
    "list_alerts",
    "open_alerts",
    "record_alerts",
    "record_health",
    "record_lane_minutes",
    "site_ids",
    "sync_registry",
]
