"""A small registry and made-up times for the alert engine's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from videowall.alerts import AlertEngine, AlertEvent, Signal
from videowall.registry.alerts import AlertRules
from videowall.registry.model import Agency, Camera, Registry, Site

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """``seconds`` after the made-up start of a test."""
    return T0 + timedelta(seconds=seconds)


def camera(camera_id: str, site: str = "rp05", *, host: str = "10.0.0.5", port: int = 554,
           agency: str = "opd", priority: int = 3, alerts: bool = True) -> Camera:
    return Camera(camera_id, camera_id.upper(), site, f"rtsp://u:p@{host}:{port}/{camera_id}",
                  agency=agency, priority=priority, alerts=alerts)


def registry(*cameras: Camera, muted_agency: bool = False) -> Registry:
    return Registry(
        cameras=cameras,
        sites={"rp05": Site("rp05", "RP05 Harbour"), "rp06": Site("rp06", "RP06 Bridge")},
        agencies={"opd": Agency("opd", "OPD"),
                  "fire": Agency("fire", "Fire", alerts=not muted_agency)},
    )


def engine(*cameras: Camera, rules: AlertRules | None = None) -> AlertEngine:
    return AlertEngine(rules or AlertRules(), registry(*cameras))


def down(camera_id: str, seconds: float, kind: str = "offline",
         detail: str = "connection refused") -> Signal:
    return Signal(camera_id, kind, at(seconds), True, detail)


def up(camera_id: str, seconds: float, kind: str = "offline") -> Signal:
    return Signal(camera_id, kind, at(seconds), False, "live")


def changes(events: list[AlertEvent]) -> list[tuple[str, str]]:
    """(change, alert id) of each event, in order."""
    return [(e.change, e.alert.id) for e in events]


def tick_until(eng: AlertEngine, start: float, end: float,
               step: float = 0.25) -> list[tuple[float, AlertEvent]]:
    """Tick from ``start`` to ``end`` (both included) as the wall does, a few times a
    second; each event with the second it came at."""
    out: list[tuple[float, AlertEvent]] = []
    t = start
    while t <= end + 1e-9:
        out += [(t, e) for e in eng.tick(at(t))]
        t += step
    return out
