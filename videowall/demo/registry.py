"""The demo command centre's camera registry (``config/cameras.yaml``).

A city's transport department watches 56 cameras at 16 road points; the police, the fire
and rescue service, the disaster management agency and the water authority run their own;
a mall, a shopping walk and a market share cameras that face public space. Every camera
points at the local demo simulator (:mod:`videowall.demo.simulator`): a handful of scene
clips shared by many cameras, over RTSP and HTTP, and one source that drops out and comes
back on a schedule.

The output is deterministic, so the committed file can be regenerated and compared::

    python -m videowall.demo.registry config/cameras.yaml
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from videowall.registry.model import Registry

#: Ports of the demo simulator.
RTSP_PORT = 18554
HTTP_PORT = 18080
DEMO_HOST = "127.0.0.1"

#: Path of the one source that drops out and comes back (served over HTTP).
FLAKY_PATH = "flaky.ts"

#: Id of the camera that watches the flaky source.
FLAKY_CAMERA = "rp07-s"

SCHEMA_MODELINE = "# yaml-language-server: $schema=../resources/cameras.schema.json"

# heading in degrees of the direction a camera looks, per approach it watches
_APPROACHES: dict[str, tuple[str, int]] = {
    "n": ("North", 0),
    "e": ("East", 90),
    "s": ("South", 180),
    "w": ("West", 270),
}

# metres -> degrees near the equator (good enough for placing cameras around a junction)
_DEG_PER_M = 1 / 111_320


@dataclass(frozen=True)
class _RoadPoint:
    id: str
    name: str
    short: str
    lat: float
    lon: float
    approaches: str  # letters of _APPROACHES, one camera each
    tags: tuple[str, ...] = ()


# 16 road points of central Jakarta: 8 crossroads with 4 cameras, 8 with 3 (56 in all).
_ROAD_POINTS: tuple[_RoadPoint, ...] = (
    _RoadPoint(
        "rp01",
        "Bundaran HI – Thamrin / Sudirman",
        "Bundaran HI",
        -6.19502,
        106.82306,
        "nesw",
        ("roundabout",),
    ),
    _RoadPoint("rp02", "Sarinah – Thamrin / Wahid Hasyim", "Sarinah", -6.18742, 106.82290, "nesw"),
    _RoadPoint(
        "rp03", "Harmoni – Gajah Mada / Hayam Wuruk", "Harmoni", -6.16562, 106.81972, "nesw"
    ),
    _RoadPoint(
        "rp04", "Tugu Tani – Menteng Raya / Kwitang", "Tugu Tani", -6.18263, 106.83354, "nsw"
    ),
    _RoadPoint(
        "rp05",
        "Senen – Kramat Raya / Gunung Sahari",
        "Senen",
        -6.17670,
        106.84130,
        "nesw",
        ("market",),
    ),
    _RoadPoint("rp06", "Cikini – Cikini Raya / Diponegoro", "Cikini", -6.19050, 106.83950, "new"),
    _RoadPoint(
        "rp07",
        "Manggarai – Sultan Agung / Saharjo",
        "Manggarai",
        -6.20980,
        106.85000,
        "nes",
        ("flood-prone",),
    ),
    _RoadPoint(
        "rp08",
        "Semanggi – Sudirman / Gatot Subroto",
        "Semanggi",
        -6.21950,
        106.81430,
        "nesw",
        ("interchange",),
    ),
    _RoadPoint(
        "rp09",
        "Kuningan – Rasuna Said / Gatot Subroto",
        "Kuningan",
        -6.23700,
        106.83000,
        "nesw",
        ("interchange",),
    ),
    _RoadPoint(
        "rp10",
        "Dukuh Atas – Sudirman / Blora",
        "Dukuh Atas",
        -6.20100,
        106.82240,
        "nsw",
        ("transit-hub",),
    ),
    _RoadPoint("rp11", "Karet – Sudirman / Prof. Satrio", "Karet", -6.21420, 106.81880, "nes"),
    _RoadPoint(
        "rp12",
        "Tanah Abang – Jati Baru / K.H. Mas Mansyur",
        "Tanah Abang",
        -6.18670,
        106.81100,
        "nesw",
        ("market",),
    ),
    _RoadPoint("rp13", "Slipi – S. Parman / Gatot Subroto", "Slipi", -6.20100, 106.79900, "esw"),
    _RoadPoint(
        "rp14", "Gambir – Medan Merdeka Timur", "Gambir", -6.17670, 106.83060, "nesw", ("station",)
    ),
    _RoadPoint(
        "rp15", "Pancoran – Gatot Subroto / Pasar Minggu", "Pancoran", -6.24300, 106.84330, "new"
    ),
    _RoadPoint(
        "rp16", "Matraman – Matraman Raya / Pramuka", "Matraman", -6.20200, 106.85900, "nes"
    ),
)


@dataclass(frozen=True)
class _Agency:
    id: str
    name: str
    colour: str
    contact: str


_AGENCIES: tuple[_Agency, ...] = (
    _Agency("transport", "Transport Department", "#3d8bfd", "+62 21 000 0100"),
    _Agency("police", "Metro Police – Traffic Directorate", "#dc3545", "+62 21 000 0110"),
    _Agency("fire", "Fire & Rescue Service", "#fd7e14", "+62 21 000 0113"),
    _Agency("disaster", "Disaster Management Agency", "#ffc107", "+62 21 000 0112"),
    _Agency("water", "Water Authority", "#20c997", "+62 21 000 0120"),
    _Agency("plaza", "Central Plaza Mall (private)", "#d63384", "+62 21 000 0200"),
    _Agency("citywalk", "Kuningan City Walk (private)", "#6f42c1", "+62 21 000 0210"),
    _Agency("markets", "City Markets Company", "#8d6e63", "+62 21 000 0220"),
)


@dataclass(frozen=True)
class _OtherSite:
    id: str
    name: str
    lat: float
    lon: float
    agency: str
    # (suffix, name, scene, heading, tags) per camera
    cameras: tuple[tuple[str, str, str, int, tuple[str, ...]], ...]


_OTHER_SITES: tuple[_OtherSite, ...] = (
    _OtherSite(
        "pol-hq",
        "Metro Police HQ – Semanggi",
        -6.22370,
        106.81080,
        "police",
        (
            ("gate", "Police HQ main gate", "junction", 90, ("gate",)),
            ("plaza", "Police HQ front plaza", "market", 45, ("public-space",)),
        ),
    ),
    _OtherSite(
        "pol-monas",
        "Police post – Medan Merdeka",
        -6.17540,
        106.82720,
        "police",
        (("square", "Merdeka Square east side", "market", 270, ("public-space", "events")),),
    ),
    _OtherSite(
        "fire-gambir",
        "Central Fire Station – Gambir",
        -6.17310,
        106.82570,
        "fire",
        (
            ("bay", "Fire station apparatus bay", "carpark", 180, ("depot",)),
            ("exit", "Fire station exit to street", "junction", 0, ("exit",)),
        ),
    ),
    _OtherSite(
        "bpbd-manggarai",
        "Manggarai Floodgate",
        -6.20860,
        106.84670,
        "disaster",
        (
            ("up", "Floodgate upstream", "bridge", 180, ("river", "water-level")),
            ("down", "Floodgate downstream", "bridge", 0, ("river", "water-level")),
            ("night", "Floodgate access road", "night", 90, ("river",)),
        ),
    ),
    _OtherSite(
        "bpbd-kpmelayu",
        "Ciliwung gauge – Kampung Melayu",
        -6.22410,
        106.86710,
        "disaster",
        (("gauge", "Kampung Melayu river gauge", "bridge", 200, ("river", "water-level")),),
    ),
    _OtherSite(
        "pam-pejompongan",
        "Pejompongan Water Treatment Plant",
        -6.20650,
        106.80470,
        "water",
        (
            ("intake", "Treatment plant intake", "bridge", 270, ("intake",)),
            ("gate", "Treatment plant gate", "night", 90, ("gate",)),
        ),
    ),
    _OtherSite(
        "mall-plaza",
        "Central Plaza Mall",
        -6.19560,
        106.82030,
        "plaza",
        (
            ("atrium", "Central Plaza atrium", "atrium", 0, ("indoor", "crowd")),
            ("park", "Central Plaza car park entry", "lights", 90, ("parking",)),
            ("front", "Central Plaza front on Thamrin", "junction", 90, ("public-space",)),
        ),
    ),
    _OtherSite(
        "mall-citywalk",
        "Kuningan City Walk",
        -6.22470,
        106.83160,
        "citywalk",
        (
            ("atrium", "City Walk atrium", "atrium", 180, ("indoor", "crowd")),
            ("park", "City Walk basement car park", "carpark", 0, ("parking",)),
        ),
    ),
    _OtherSite(
        "mkt-senen",
        "Senen Market",
        -6.17370,
        106.84330,
        "markets",
        (
            ("street", "Senen Market street", "market", 0, ("public-space", "crowd")),
            ("hall", "Senen Market hall", "atrium", 90, ("indoor",)),
            ("park", "Senen Market car park", "carpark", 270, ("parking",)),
            ("gate", "Senen Market gate (closed hours)", "market_night", 180,
             ("market", "after-hours")),
        ),
    ),
)

# Scenes the road cameras rotate through, and the scheme each camera uses in turn.
_ROAD_SCENES = ("junction", "junction", "bridge", "junction", "night", "junction", "market")
_SCHEMES = ("rtsp", "http", "rtsp")

#: Road points whose cameras all watch the junction-queue scene (a lane each to measure).
_QUEUE_ROAD_POINTS = ("rp08",)

# ------------------------------------------------------------------ motion blocks
#: Seconds a lane stays occupied and still before the demo raises congestion.
DEMO_CONGESTION_AFTER_S = 10

Box = tuple[float, float, float, float]


def _polygon(box: Box) -> list[list[float]]:
    """The corners of a box ``(x0, y0, x1, y1)`` in frame coordinates, clockwise."""
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def zone(name: str, kind: str, box: Box) -> Any:
    """One zone (``kind`` "zone") or traffic lane (``kind`` "lane") of a motion block."""
    if kind not in ("zone", "lane"):
        raise ValueError(f"kind must be zone or lane, not {kind!r}")
    return {"name": name, "kind": kind, "polygon": _polygon(box)}


def motion_block(zones: list[Any], masks: tuple[Box, ...] = ()) -> dict[str, Any]:
    """A camera's ``motion:`` block: its zones and lanes (from :func:`zone`) and masks."""
    block: dict[str, Any] = {"zones": zones}
    if masks:
        block["masks"] = [_polygon(m) for m in masks]
    return block


def motion_section() -> dict[str, Any]:
    """The registry's top-level ``motion:`` section."""
    return {"congestion_after_s": DEMO_CONGESTION_AFTER_S}


# Frame boxes of the event scenes (see videowall.demo.clips: 640x360 scene coordinates).
_MARKET_GATE: Box = (0.0, 0.54, 0.16, 0.84)  # the gate in the left wall, and inside it
_MARKET_FLOOR: Box = (0.0, 0.44, 1.0, 0.93)  # the market floor in front of the shutters
_MARKET_TREE: Box = (0.77, 0.0, 1.0, 0.45)  # the flickering leaves, top right
_CAPTIONS: Box = (0.69, 0.8, 1.0, 1.0)  # scene title and clock, bottom right
_QUEUE_APPROACH: Box = (0.519, 0.306, 0.6375, 1.0)  # up the picture to the stop line
_QUEUE_EXIT: Box = (0.35, 0.306, 0.4875, 1.0)  # down the picture, away from the junction
_WHOLE: Box = (0.0, 0.0, 1.0, 1.0)


def _event_motion(scene: str, direction: str) -> dict[str, Any] | None:
    """The motion block of a camera watching ``scene`` (None for scenes without events)."""
    if scene == "market_night":
        return motion_block(
            [zone("gate", "zone", _MARKET_GATE), zone("floor", "zone", _MARKET_FLOOR)],
            (_MARKET_TREE, _CAPTIONS),
        )
    if scene == "junction_queue":
        word = direction.lower()
        return motion_block(
            [zone(f"{word}-approach", "lane", _QUEUE_APPROACH),
             zone(f"{word}-exit", "lane", _QUEUE_EXIT)],
        )
    if scene == "lights":
        return motion_block([zone("forecourt", "zone", _WHOLE)])
    return None


def scene_url(
    scene: str,
    scheme: str,
    *,
    host: str = DEMO_HOST,
    rtsp_port: int = RTSP_PORT,
    http_port: int = HTTP_PORT,
    camera: str | None = None,
) -> str:
    """Where the demo simulator serves ``scene`` over ``scheme`` ("rtsp" or "http").

    Many demo cameras watch one scene; ``camera`` adds ``?camera=ID``, which the servers
    ignore, so that each camera has a URL of its own (the registry warns about two
    cameras with the same stream, a copied entry as a rule).
    """
    query = f"?camera={camera}" if camera else ""
    if scheme == "rtsp":
        return f"rtsp://{host}:{rtsp_port}/{scene}{query}"
    if scheme == "http":
        return f"http://{host}:{http_port}/{scene}.ts{query}"
    raise ValueError(f"scheme must be rtsp or http, not {scheme!r}")


def flaky_url(*, host: str = DEMO_HOST, http_port: int = HTTP_PORT) -> str:
    return f"http://{host}:{http_port}/{FLAKY_PATH}"


def _offset(lat: float, lon: float, bearing: int, metres: float) -> tuple[float, float]:
    """The point ``metres`` from (lat, lon) towards ``bearing`` (degrees from north)."""
    rad = math.radians(bearing)
    dlat = math.cos(rad) * metres * _DEG_PER_M
    dlon = math.sin(rad) * metres * _DEG_PER_M / math.cos(math.radians(lat))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def build_demo_registry() -> dict[str, Any]:
    """The demo registry as plain data (sites, agencies, cameras), in file order."""
    sites: dict[str, dict[str, Any]] = {}
    cameras: list[dict[str, Any]] = []
    index = 0
    for rp in _ROAD_POINTS:
        sites[rp.id] = {"name": rp.name, "location": {"lat": rp.lat, "lon": rp.lon}}
        for letter in rp.approaches:
            direction, heading = _APPROACHES[letter]
            cam_id = f"{rp.id}-{letter}"
            scene = _ROAD_SCENES[index % len(_ROAD_SCENES)]
            if rp.id in _QUEUE_ROAD_POINTS:
                scene = "junction_queue"
            scheme = _SCHEMES[index % len(_SCHEMES)]
            url = flaky_url() if cam_id == FLAKY_CAMERA else scene_url(scene, scheme,
                                                                          camera=cam_id)
            lat, lon = _offset(rp.lat, rp.lon, heading, 25)
            cameras.append(
                {
                    "id": cam_id,
                    "name": f"{rp.short} {direction}",
                    "site": rp.id,
                    "agency": "transport",
                    "url": url,
                    "location": {"lat": lat, "lon": lon},
                    "heading": heading,
                    "tags": ["road", f"approach-{direction.lower()}", *rp.tags],
                }
            )
            if (motion := _event_motion(scene, direction)) is not None:
                cameras[-1]["motion"] = motion
            index += 1
    for other in _OTHER_SITES:
        sites[other.id] = {"name": other.name, "location": {"lat": other.lat, "lon": other.lon}}
        for n, (suffix, name, scene, heading, tags) in enumerate(other.cameras):
            lat, lon = _offset(other.lat, other.lon, heading, 15 + 10 * n)
            cameras.append(
                {
                    "id": f"{other.id}-{suffix}",
                    "name": name,
                    "site": other.id,
                    "agency": other.agency,
                    "url": scene_url(scene, _SCHEMES[index % len(_SCHEMES)],
                                     camera=f"{other.id}-{suffix}"),
                    "location": {"lat": lat, "lon": lon},
                    "heading": heading,
                    "tags": list(tags),
                }
            )
            if (motion := _event_motion(scene, name)) is not None:
                cameras[-1]["motion"] = motion
            index += 1
    agencies = {a.id: {"name": a.name, "colour": a.colour, "contact": a.contact} for a in _AGENCIES}
    data: dict[str, Any] = {"sites": sites, "agencies": agencies, "cameras": cameras}
    if (section := motion_section()) is not None:
        data["motion"] = section
    return data


def _q(value: object) -> str:
    """A YAML scalar: strings double-quoted (JSON escapes are valid YAML), numbers plain."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in mapping.items()) + "}"


_HEADER = """\
{modeline}
#
# Camera registry of the demo command centre (the default configuration).
#
# 16 road points with 56 Transport Department cameras, cameras of other agencies (police,
# fire & rescue, disaster management, water authority) and of private sites that face
# public space. Every stream comes from the local demo simulator, which serves generated
# scene clips on 127.0.0.1: RTSP on port {rtsp} (UDP transport) and MPEG-TS over HTTP on
# port {http}. Camera {flaky} watches {flaky_url},
# a source that drops out for a while every minute, so the failure path shows on the wall.
#
# Generated by `python -m videowall.demo.registry config/cameras.yaml`; edit the generator,
# or replace this file with the cameras of a real site.
"""


def render_registry_yaml(data: dict[str, Any]) -> str:
    """Format registry data as the commented YAML technicians read."""
    sites = data["sites"]
    agencies = data["agencies"]
    cameras = data["cameras"]
    out = [
        _HEADER.format(
            modeline=SCHEMA_MODELINE,
            rtsp=RTSP_PORT,
            http=HTTP_PORT,
            flaky=FLAKY_CAMERA,
            flaky_url=flaky_url(),
        )
    ]
    out.append("agencies:")
    out += [f"  {key}: {_flow(value)}" for key, value in agencies.items()]
    out.append("")
    out.append("sites:")
    for key, site in sites.items():
        loc = _flow(site["location"])
        out.append(f"  {key}: {{name: {_q(site['name'])}, location: {loc}}}")
    out.append("")
    out.append("cameras:")
    current_site = None
    for cam in cameras:
        if cam["site"] != current_site:
            current_site = cam["site"]
            out.append(f"  # {current_site}: {sites[current_site]['name']}")
        out.append(f"  - id: {cam['id']}")
        out.append(f"    name: {_q(cam['name'])}")
        out.append(f"    site: {cam['site']}")
        out.append(f"    agency: {cam['agency']}")
        out.append(f"    url: {_q(cam['url'])}")
        out.append(f"    location: {_flow(cam['location'])}")
        out.append(f"    heading: {cam['heading']}")
        out.append("    tags: [" + ", ".join(cam["tags"]) + "]")
        if "motion" in cam:
            out.append("    motion:")
            for key, items in cam["motion"].items():
                out.append(f"      {key}:")
                out += [f"        - {_json_flow(item)}" for item in items]
    if "motion" in data:
        out.insert(out.index("agencies:"), f"motion: {_flow(data['motion'])}\n")
    return "\n".join(out) + "\n"


def _json_flow(value: Any) -> str:
    """A polygon or zone mapping as one YAML flow line (JSON is valid YAML)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def demo_registry_yaml() -> str:
    return render_registry_yaml(build_demo_registry())


def write_demo_registry(path: Path) -> Path:
    """Write the demo registry YAML to ``path`` (atomically); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(demo_registry_yaml(), encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m videowall.demo.registry OUTPUT.yaml", file=sys.stderr)
        return 2
    print(write_demo_registry(Path(args[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def showcase(registry: Registry, count: int) -> list[str]:
    """Camera ids for a demo wall of ``count`` tiles: every scene once, the flaky camera
    among them, then the rest in registry order."""
    chosen: list[str] = []
    seen_paths: set[str] = set()
    cameras = [c for c in registry.cameras if c.enabled]
    flaky = [c for c in cameras if c.id == FLAKY_CAMERA]
    for cam in flaky + cameras:
        path = urlsplit(cam.url).path.rsplit(".", 1)[0]
        if path not in seen_paths and len(chosen) < count:
            seen_paths.add(path)
            chosen.append(cam.id)
    for cam in cameras:
        if len(chosen) >= count:
            break
        if cam.id not in chosen:
            chosen.append(cam.id)
    # the flaky camera goes last, where an operator's eye ends a sweep of the wall
    if FLAKY_CAMERA in chosen:
        chosen.remove(FLAKY_CAMERA)
        chosen.append(FLAKY_CAMERA)
    return chosen
