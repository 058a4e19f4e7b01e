"""The demo command centre's registry: its shape, its references, the committed file."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from videowall.demo.clips import SCENES
from videowall.demo.registry import (
    FLAKY_CAMERA,
    HTTP_PORT,
    RTSP_PORT,
    SCHEMA_MODELINE,
    build_demo_registry,
    demo_registry_yaml,
    flaky_url,
    write_demo_registry,
)
from videowall.registry.loader import check_registry

COMMITTED = Path(__file__).resolve().parents[2] / "config" / "cameras.yaml"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(demo_registry_yaml())
    return loaded


def test_yaml_matches_the_data(data: dict[str, Any]) -> None:
    assert data == build_demo_registry()


def test_transport_department(data: dict[str, Any]) -> None:
    transport = [c for c in data["cameras"] if c["agency"] == "transport"]
    assert len(transport) == 56
    per_site = Counter(c["site"] for c in transport)
    assert len(per_site) == 16
    assert set(per_site.values()) == {3, 4}
    for site in per_site:
        headings = [c["heading"] for c in transport if c["site"] == site]
        assert len(set(headings)) == len(headings), f"{site}: two cameras face the same way"


def test_ids_and_references(data: dict[str, Any]) -> None:
    ids = [c["id"] for c in data["cameras"]]
    assert len(ids) == len(set(ids))
    for key in [*ids, *data["sites"], *data["agencies"]]:
        assert re.fullmatch(r"[a-z0-9_-]+", key), key
    for cam in data["cameras"]:
        assert cam["site"] in data["sites"], cam["id"]
        assert cam["agency"] in data["agencies"], cam["id"]
        assert 0 <= cam["heading"] < 360
        assert cam["tags"] and cam["name"]
    used_sites = {c["site"] for c in data["cameras"]}
    assert used_sites == set(data["sites"]), "a site without cameras"
    assert {c["agency"] for c in data["cameras"]} == set(data["agencies"])


def test_other_agencies_and_private_sites(data: dict[str, Any]) -> None:
    agencies = data["agencies"]
    for agency in ("police", "fire", "disaster", "water"):
        assert agency in agencies
    private = [key for key, a in agencies.items() if "private" in a["name"].lower()]
    assert len(private) >= 2
    for agency in agencies.values():
        assert re.fullmatch(r"#[0-9a-f]{6}", agency["colour"])
    owners = {c["agency"] for c in data["cameras"] if c["agency"] != "transport"}
    assert len(owners) == len(agencies) - 1


def test_locations_lie_in_one_city(data: dict[str, Any]) -> None:
    points = [s["location"] for s in data["sites"].values()]
    points += [c["location"] for c in data["cameras"]]
    lat0 = sum(p["lat"] for p in points) / len(points)
    lon0 = sum(p["lon"] for p in points) / len(points)
    for p in points:
        km = 111.32 * math.hypot(p["lat"] - lat0, (p["lon"] - lon0) * math.cos(math.radians(lat0)))
        assert km < 15, p
    # each camera stands near its site (within 100 m)
    for cam in data["cameras"]:
        site = data["sites"][cam["site"]]["location"]
        dlat = cam["location"]["lat"] - site["lat"]
        dlon = (cam["location"]["lon"] - site["lon"]) * math.cos(math.radians(site["lat"]))
        assert 111_320 * math.hypot(dlat, dlon) < 100, cam["id"]


def test_urls_point_at_the_simulator(data: dict[str, Any]) -> None:
    sources: Counter[str] = Counter()
    schemes: Counter[str] = Counter()
    for cam in data["cameras"]:
        url = urlsplit(cam["url"])
        assert url.hostname == "127.0.0.1"
        schemes[url.scheme] += 1
        if cam["url"] == flaky_url():
            sources["flaky"] += 1
            continue
        if url.scheme == "rtsp":
            assert url.port == RTSP_PORT
            scene = url.path.lstrip("/")
        else:
            assert url.scheme == "http" and url.port == HTTP_PORT
            assert url.path.endswith(".ts")
            scene = url.path.lstrip("/").removesuffix(".ts")
        assert scene in SCENES, cam["url"]
        sources[scene] += 1
    assert sources["flaky"] == 1
    assert next(c["id"] for c in data["cameras"] if c["url"] == flaky_url()) == FLAKY_CAMERA
    assert set(sources) == {*SCENES, "flaky"}  # every scene is watched
    assert schemes["rtsp"] > 10 and schemes["http"] > 10


def test_deterministic() -> None:
    assert demo_registry_yaml() == demo_registry_yaml()


def test_the_committed_file_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == demo_registry_yaml(), (
        "config/cameras.yaml is out of date: "
        "run python -m videowall.demo.registry config/cameras.yaml"
    )


def test_header(tmp_path: Path) -> None:
    path = write_demo_registry(tmp_path / "sub" / "cameras.yaml")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SCHEMA_MODELINE
    assert all(line.startswith("#") for line in lines[1:10])
    assert list(path.parent.iterdir()) == [path]


def test_the_loader_accepts_it() -> None:
    check = check_registry(demo_registry_yaml(), "cameras.yaml", environ={})
    assert [str(i) for i in check.issues] == []
    registry = check.registry_or_raise()
    assert len(registry.cameras) == len(build_demo_registry()["cameras"])
    cam = registry.get("rp01-n")
    assert cam is not None and cam.location is not None and cam.heading == 0
    assert registry.site_name("rp01").startswith("Bundaran HI")
