"""Mirror the camera registry into the store, and read it back.

:func:`sync_registry` brings the ``cameras``, ``sites`` and ``agencies`` tables in line with
a :class:`~videowall.registry.model.Registry`, in one transaction: rows are added, updated, marked
removed (cameras also disabled) and restored, never deleted, because layouts and alerts
refer to them. Each change is recorded in ``registry_changes`` with the registry fields it
touched, and the sync itself in ``registry_syncs``.

Registry fields without a column of their own (the ``motion`` block, anything added to the
records later) go into the JSON ``attrs`` column, so a new field never breaks the sync; a
field whose name says it holds a secret (password, token, credentials...) is left out.
Every string is stored with :func:`~videowall.util.logs.mask_url` applied: no password reaches
the store. A password-only change of a URL is therefore no change to the store.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from videowall.registry.model import Agency, Camera, Location, Registry, Site
from videowall.store.models import (
    AgencyRow,
    Base,
    CameraRow,
    RegistryChangeRow,
    RegistrySyncRow,
    SchemaVersionRow,
    SiteRow,
    utcnow,
)
from videowall.store.records import (
    CHANGE_KINDS,
    Change,
    ChangeKind,
    Entity,
    StoredCamera,
    StoreError,
    SyncResult,
)
from videowall.store.store import Store
from videowall.util.logs import mask_url

log = logging.getLogger(__name__)

#: Record fields with columns (or no place at all: ``id``); the rest goes into ``attrs``.
_CAMERA_FIELDS = frozenset({
    "id", "name", "site", "agency", "url", "sub_url", "backend", "enabled", "location",
    "heading", "tags", "priority",
})
_SITE_FIELDS = frozenset({"id", "name", "location", "colour", "contact"})
_AGENCY_FIELDS = frozenset({"id", "name", "colour", "contact"})
#: Field and key names that hold secrets: never stored.
_SECRET_RE = re.compile(r"pass(word|wd|phrase)|secret|token|credential|api_?key", re.IGNORECASE)
#: Longest value shown in a change's detail.
_DETAIL_VALUE_MAX = 80

_Values = dict[str, Any]
_KINDS: dict[str, ChangeKind] = {kind: kind for kind in CHANGE_KINDS}


def sync_registry(
    store: Store, registry: Registry, *, source_text: str | bytes | None = None
) -> SyncResult:
    """Bring the store in line with ``registry`` in one transaction; return what changed.

    ``source_text`` is the text of the registry file; its SHA-256 is recorded with the
    sync. A ``registry_syncs`` row is written when anything changed, or when the file text
    differs from the one last recorded for the same file (an edit of comments only): every
    recorded sync names the file text it ran on, and a sync that finds nothing new (every
    start of the wall, every reload that saved the same file) writes nothing, so the table
    holds events, not heartbeats.

    Raises StoreError (nothing written) if the store cannot be written, is locked by
    another program beyond its busy timeout, or was not created. ``registry`` is not
    touched either way.
    """
    sha = None
    if source_text is not None:
        data = source_text.encode("utf-8") if isinstance(source_text, str) else source_text
        sha = hashlib.sha256(data).hexdigest()
    source = registry.source
    sites, agencies, cams = _wanted(registry)
    with store.write("sync the camera registry into") as session:
        # Serialises syncs on servers that lock rows (SQLite already holds the write lock).
        lock = select(SchemaVersionRow).where(SchemaVersionRow.id == 1).with_for_update()
        if session.scalar(lock) is None:
            raise StoreError(store.where, "sync the camera registry into",
                             "it was not created (no schema_version row)")
        plan = _Plan(utcnow(), source)
        plan.sync(session, "site", SiteRow, sites)
        plan.sync(session, "agency", AgencyRow, agencies)
        session.flush()  # sites and agencies exist before the cameras that refer to them
        plan.sync(session, "camera", CameraRow, cams)
        result = SyncResult(
            at=plan.at, source=source, sha256=sha, cameras=len(cams), sites=len(sites),
            agencies=len(agencies), changes=tuple(plan.changes),
        )
        last_sha = session.scalar(
            select(RegistrySyncRow.sha256).where(RegistrySyncRow.source == source)
            .order_by(RegistrySyncRow.id.desc()).limit(1)
        )
        if plan.changes or (sha is not None and sha != last_sha):
            result = dataclasses.replace(
                result, recorded=True, sync_id=_record(session, result),
            )
    if result.changed:
        log.info("camera registry %s synced into the store %s: %s",
                 source or "(unnamed)", store.where, result.summary())
        for change in result.changes:
            log.debug("%s", change)
    return result


def cameras(store: Store, include_removed: bool = False) -> list[StoredCamera]:
    """The cameras in the store, by id; removed ones only if ``include_removed``."""
    stmt = select(CameraRow).order_by(CameraRow.id)
    if not include_removed:
        stmt = stmt.where(CameraRow.removed.is_(False))
    with store.read("read the cameras from") as session:
        return [_stored_camera(row) for row in session.scalars(stmt)]


def site_ids(store: Store, include_removed: bool = True) -> list[str]:
    """The ids of the sites in the store, sorted; removed ones too unless told not to."""
    stmt = select(SiteRow.id).order_by(SiteRow.id)
    if not include_removed:
        stmt = stmt.where(SiteRow.removed.is_(False))
    with store.read("read the sites from") as session:
        return list(session.scalars(stmt))


def changes(
    store: Store,
    camera_id: str | None = None,
    since: datetime | None = None,
    *,
    limit: int | None = None,
) -> list[Change]:
    """Recorded registry changes, oldest first.

    Only those of ``camera_id`` if given, only those at or after ``since`` (a naive time is
    taken as UTC), only the newest ``limit`` if given.
    """
    stmt = select(RegistryChangeRow)
    if camera_id is not None:
        stmt = stmt.where(RegistryChangeRow.camera_id == camera_id)
    if since is not None:
        stmt = stmt.where(RegistryChangeRow.at >= since)
    stmt = stmt.order_by(RegistryChangeRow.at.desc(), RegistryChangeRow.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.read("read the registry changes from") as session:
        rows = list(session.scalars(stmt))
    return [_change(row) for row in reversed(rows)]


# -- the sync -----------------------------------------------------------------------------


class _Plan:
    """The changes of one sync, all stamped with the same time."""

    def __init__(self, at: datetime, source: str) -> None:
        self.at = at
        self.source = source
        self.changes: list[Change] = []

    def note(
        self, kind: ChangeKind, entity: Entity, subject: str, fields: Iterable[str],
        detail: str,
    ) -> None:
        self.changes.append(Change(
            at=self.at, kind=kind, entity=entity, subject=subject, fields=tuple(fields),
            detail=mask_url(detail), source=self.source,
        ))

    def sync(
        self, session: Session, entity: Entity, model: type[Base], wanted: Mapping[str, _Values]
    ) -> None:
        rows: dict[str, Any] = {}
        for found in session.scalars(select(model)):
            stored: Any = found
            rows[stored.id] = stored
        for ident, values in wanted.items():
            row = rows.get(ident)
            if row is None:
                session.add(model(
                    id=ident, **values, removed=False, created_at=self.at, updated_at=self.at,
                ))
                self.note("added", entity, ident, (), _added_detail(entity, values))
                continue
            before = _view(entity, {key: getattr(row, key) for key in values})
            diff = _diff(before, _view(entity, values))
            if not diff and not row.removed:
                continue
            kind: ChangeKind = "updated"
            if row.removed:
                kind = "restored"
            elif "enabled" in diff and not values["enabled"]:
                kind = "disabled"
            for key, value in values.items():
                setattr(row, key, value)
            row.removed = False
            row.updated_at = self.at
            detail = "; ".join(f"{name}: {_fmt(old)} → {_fmt(new)}"
                               for name, (old, new) in diff.items())
            if kind == "restored":
                detail = f"back in {self._source()}" + (f"; {detail}" if detail else "")
            self.note(kind, entity, ident, diff, detail)
        for ident, row in rows.items():
            if ident in wanted or row.removed:
                continue
            row.removed = True
            row.updated_at = self.at
            fields: tuple[str, ...] = ()
            detail = f"no longer in {self._source()}"
            if entity == "camera" and row.enabled:
                row.enabled = False
                fields = ("enabled",)
                detail += "; disabled"
            self.note("removed", entity, ident, fields, detail)

    def _source(self) -> str:
        return self.source or "the registry"


def _record(session: Session, result: SyncResult) -> int:
    sync = RegistrySyncRow(
        at=result.at, source=result.source, sha256=result.sha256, cameras=result.cameras,
        sites=result.sites, agencies=result.agencies, added=result.added,
        updated=result.updated, disabled=result.disabled, removed=result.removed,
        restored=result.restored,
    )
    session.add(sync)
    session.flush()
    for change in result.changes:
        session.add(RegistryChangeRow(
            sync_id=sync.id, at=change.at, camera_id=change.camera_id,
            site_id=change.site_id, agency_id=change.agency_id, kind=change.kind,
            fields=list(change.fields), detail=change.detail, source=change.source,
        ))
    return sync.id


# -- registry records -> column values ------------------------------------------------------


def _wanted(
    registry: Registry,
) -> tuple[dict[str, _Values], dict[str, _Values], dict[str, _Values]]:
    sites = {key: _site_values(site) for key, site in registry.sites.items()}
    agencies = {key: _agency_values(agency) for key, agency in registry.agencies.items()}
    cams: dict[str, _Values] = {}
    for camera in registry.cameras:
        # A camera may name a site or agency the registry does not describe (a registry
        # built in code): it gets a row named by its id, so the reference holds.
        if camera.site and camera.site not in sites:
            sites[camera.site] = _site_values(Site(camera.site, camera.site))
        if camera.agency and camera.agency not in agencies:
            agencies[camera.agency] = _agency_values(Agency(camera.agency, camera.agency))
        cams[camera.id] = _camera_values(camera)
    return sites, agencies, cams


def _camera_values(camera: Camera) -> _Values:
    attrs = _extras(camera, _CAMERA_FIELDS)
    lat, lon = _coords(camera.location)
    heading = camera.heading
    return {
        "name": camera.name,
        "site_id": camera.site or None,
        "agency_id": camera.agency or None,
        "url_masked": mask_url(camera.url),
        "sub_url_masked": mask_url(camera.sub_url) if camera.sub_url else None,
        "backend": camera.backend,
        "enabled": bool(camera.enabled),
        "lat": lat,
        "lon": lon,
        "heading": float(heading) if heading is not None else None,
        "tags": [mask_url(str(tag)) for tag in camera.tags],
        "priority": int(camera.priority),
        "attrs": attrs,
    }


def _site_values(site: Site) -> _Values:
    lat, lon = _coords(site.location)
    return {
        "name": site.name, "lat": lat, "lon": lon,
        "colour": site.colour, "contact": site.contact,
        "attrs": _extras(site, _SITE_FIELDS),
    }


def _agency_values(agency: Agency) -> _Values:
    return {
        "name": agency.name, "colour": agency.colour, "contact": agency.contact,
        "attrs": _extras(agency, _AGENCY_FIELDS),
    }


def _coords(location: Location | None) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    return float(location.lat), float(location.lon)


def _extras(record: object, known: frozenset[str]) -> _Values:
    """The fields of a record dataclass that have no column, as JSON values."""
    if not dataclasses.is_dataclass(record):
        return {}
    return {
        f.name: _jsonable(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if f.name not in known and not _SECRET_RE.search(f.name)
    }


def _jsonable(value: object) -> Any:
    """``value`` as plain JSON data (like ``dataclasses.asdict``, with tuples as lists),
    strings masked, secret-named keys dropped."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return mask_url(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not _SECRET_RE.search(f.name)
        }
    if isinstance(value, Mapping):
        return {
            str(key): _jsonable(item) for key, item in value.items()
            if not _SECRET_RE.search(str(key))
        }
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(item) for item in value), key=repr)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return mask_url(str(value))


# -- diffs and words ----------------------------------------------------------------------


def _view(entity: Entity, values: _Values) -> _Values:
    """Column values under the names the registry file uses, for diffs and details."""
    view: _Values = {}
    for key, value in values.items():
        if key in ("lat", "lon"):
            lat, lon = values.get("lat"), values.get("lon")
            view["location"] = None if lat is None and lon is None else (lat, lon)
        elif key == "attrs":
            continue
        else:
            view[_FIELD_NAMES.get(key, key)] = list(value) if key == "tags" else value
    view.update(values.get("attrs") or {})
    return view


_FIELD_NAMES = {
    "site_id": "site", "agency_id": "agency", "url_masked": "url", "sub_url_masked": "sub_url",
}


def _diff(before: _Values, after: _Values) -> dict[str, tuple[Any, Any]]:
    return {
        name: (before.get(name), after.get(name))
        for name in [*after, *(n for n in before if n not in after)]
        if before.get(name) != after.get(name)
    }


def _fmt(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = f"'{value}'"
    elif isinstance(value, tuple):
        text = ", ".join(_fmt(v) for v in value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if len(text) > _DETAIL_VALUE_MAX:
        text = text[: _DETAIL_VALUE_MAX - 1] + "…"
    return text


def _added_detail(entity: Entity, values: _Values) -> str:
    detail = _fmt(values["name"])
    if entity == "camera":
        detail += f", site {values['site_id'] or 'none'}, agency {values['agency_id'] or 'none'}"
        detail += f", url {values['url_masked']}"
        if not values["enabled"]:
            detail += ", disabled"
    return detail


# -- rows -> records ----------------------------------------------------------------------


def _stored_camera(row: CameraRow) -> StoredCamera:
    return StoredCamera(
        id=row.id, name=row.name, site_id=row.site_id, agency_id=row.agency_id,
        url_masked=row.url_masked, sub_url_masked=row.sub_url_masked, backend=row.backend,
        enabled=row.enabled, lat=row.lat, lon=row.lon, heading=row.heading,
        tags=tuple(row.tags or ()), priority=row.priority, attrs=dict(row.attrs or {}),
        removed=row.removed, created_at=row.created_at, updated_at=row.updated_at,
    )


def _change(row: RegistryChangeRow) -> Change:
    entity: Entity
    if row.camera_id is not None:
        entity, subject = "camera", row.camera_id
    elif row.site_id is not None:
        entity, subject = "site", row.site_id
    else:
        entity, subject = "agency", row.agency_id or ""
    return Change(
        at=row.at, kind=_KINDS.get(row.kind, "updated"), entity=entity, subject=subject,
        fields=tuple(row.fields or ()), detail=row.detail, source=row.source,
    )
