"""Alerts: what needs an operator's eyes, from stream health (and later motion).

Qt-free and pure: :class:`AlertEngine` takes :class:`Signal` values and the time, and
answers :class:`AlertEvent` values carrying frozen :class:`~videowall.store.records.Alert`
snapshots; whoever owns it stores, shows and sounds them.
"""

from videowall.alerts.engine import AlertEngine, AlertEvent, ChangeName
from videowall.alerts.health import health_signals
from videowall.alerts.ids import new_ulid, ulid_time
from videowall.alerts.signals import Signal

__all__ = [
    "AlertEngine", "AlertEvent", "ChangeName", "Signal", "health_signals", "new_ulid",
    "ulid_time",
]
