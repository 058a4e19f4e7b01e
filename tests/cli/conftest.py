"""Recording fakes for what the commands import lazily.

The wall, the snapshot, the probe, the simulator and the bench are replaced by recording
fakes here; their own tests drive the real things.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Fakes for the modules the commands import lazily; each records its calls."""
    record: list[tuple[str, Any]] = []

    def run_wall(registry: Any, **kwargs: Any) -> int:
        listener = kwargs.pop("listener")
        assert listener is None or hasattr(listener, "registry_applied")
        record.append(("run_wall", (registry, kwargs)))
        return 0

    def run_snapshot(registry: Any, **kwargs: Any) -> dict[str, Any]:
        record.append(("run_snapshot", (registry, kwargs)))
        return {"tiles": [
            {"index": 0, "camera": "rp01-north", "state": "live", "backend": "ffmpeg",
             "frames": 250, "fps": 24.96, "detail": ""},
            {"index": 1, "camera": None, "state": "empty", "backend": "", "frames": 0,
             "fps": 0.0, "detail": ""},
            {"index": 2, "camera": "mall_a_lobby", "state": "offline", "backend": "vlc",
             "frames": 0, "fps": 0.0,
             "detail": "cannot open rtsp://viewer:pw@10.0.0.5:554/stream1"},
        ], "events": []}

    def probe(url: str, backend: str = "auto", timeout: float = 15.0) -> dict[str, Any]:
        record.append(("probe", (url, backend, timeout)))
        ok = "fail" not in url
        return {"ok": ok, "url": url, "backend": "ffmpeg", "codec": "h264",
                "width": 640, "height": 360, "error": "" if ok else "connection refused"}

    class DemoSimulator:
        def start(self) -> None:
            record.append(("simulator", "start"))

        def stop(self) -> None:
            record.append(("simulator", "stop"))

    class PortTakenError(Exception):
        pass

    def bench_main(argv: list[str]) -> int:
        record.append(("bench", argv))
        return 3

    fakes: dict[str, dict[str, Any]] = {
        "videowall.ui.app": {"run_wall": run_wall},
        "videowall.ui.snapshot": {"run_snapshot": run_snapshot},
        "videowall.streams.probe": {"probe": probe},
        "videowall.demo.simulator": {"DemoSimulator": DemoSimulator,
                                     "PortTakenError": PortTakenError},
        "videowall.bench.main": {"main": bench_main},
    }
    for name, attrs in fakes.items():
        module = types.ModuleType(name)
        for attr, value in attrs.items():
            setattr(module, attr, value)
        monkeypatch.setitem(sys.modules, name, module)
    return record
