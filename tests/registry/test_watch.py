"""The registry watcher: settled edits are reported, half-written files are not, the last
good registry survives a broken file, and nothing kills the watcher's thread."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from videowall.registry.alerts import AlertRules, KindRule
from videowall.registry.loader import load_registry
from videowall.registry.model import Camera, Registry
from videowall.registry.watch import (
    RegistryDiff,
    RegistryWatcher,
    ReloadResult,
    diff_registries,
)

#: Poll interval of the threaded tests: short, so the suite stays fast.
FAST = 0.05


def registry_text(*cameras: tuple[str, str, str], site_name: str = "Road point 1") -> str:
    """A registry with one site, one agency and ``(id, name, url)`` cameras."""
    lines = [
        "sites:",
        f"  rp01: {{name: {site_name!r}}}",
        "agencies:",
        "  transport: {name: Transport Department, colour: '#3d8bfd'}",
        "cameras:",
    ]
    for camera_id, name, url in cameras:
        lines += [
            f"  - id: {camera_id}",
            f"    name: {name}",
            "    site: rp01",
            "    agency: transport",
            f"    url: {url}",
        ]
    return "\n".join(lines) + "\n"


TWO = registry_text(
    ("north", "North", "rtsp://127.0.0.1/north"),
    ("south", "South", "rtsp://127.0.0.1/south"),
)


class Results:
    """Collects what a watcher reports, from whichever thread it reports on."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[ReloadResult] = queue.SimpleQueue()
        self.threads: list[str] = []

    def __call__(self, result: ReloadResult) -> None:
        self.threads.append(threading.current_thread().name)
        self.queue.put(result)

    def next(self, timeout: float = 3.0) -> ReloadResult:
        return self.queue.get(timeout=timeout)

    def none_within(self, seconds: float) -> bool:
        try:
            result = self.queue.get(timeout=seconds)
        except queue.Empty:
            return True
        pytest.fail(f"unexpected report: {result}")


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "cameras.yaml"
    path.write_text(TWO, encoding="utf-8")
    return path


WatcherMaker = Callable[..., RegistryWatcher]


@pytest.fixture
def make_watcher(registry_file: Path) -> Iterator[WatcherMaker]:
    """``make_watcher(results, start=True)``: a watcher of ``registry_file``, stopped after."""
    watchers: list[RegistryWatcher] = []

    def make(results: Results, *, start: bool = True, interval: float = FAST) -> RegistryWatcher:
        watcher = RegistryWatcher(
            registry_file, results, interval=interval, registry=load_registry(registry_file)
        )
        watchers.append(watcher)
        if start:
            watcher.start()
        return watcher

    yield make
    for watcher in watchers:
        watcher.stop()
    assert not [t for t in threading.enumerate() if t.name == "registry-watch"]


def replace_file(path: Path, text: str) -> None:
    """Save like an editor that writes a new file and renames it over the old one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- the diff ------------------------------------------------------------------------------


def cam(camera_id: str, url: str = "rtsp://h/a", **kw: object) -> Camera:
    return Camera(camera_id, kw.pop("name", camera_id.title()), "rp01", url, **kw)  # type: ignore[arg-type]


def test_diff_names_added_removed_and_changed_cameras_in_registry_order() -> None:
    old = Registry(
        cameras=(cam("a"), cam("b"), cam("c"), cam("d"), cam("e"), cam("f", backend="vlc"))
    )
    new = Registry(
        cameras=(
            cam("z"),
            cam("f", backend="ffmpeg"),  # a backend change restarts the stream too
            cam("e", sub_url="rtsp://h/small"),
            cam("c", "rtsp://h/other"),
            cam("b", name="Renamed"),
            cam("a"),
            cam("y", enabled=False),
        )
    )
    diff = diff_registries(old, new)
    assert diff == RegistryDiff(
        added=("z", "y"),
        removed=("d",),
        changed=("f", "e", "c", "b"),
        url_changed=("f", "e", "c"),
    )
    assert diff.summary() == "2 added, 1 removed, 4 changed"
    assert diff_registries(new, new) == RegistryDiff()
    assert diff_registries(new, new).summary() == "no camera changed"
    assert diff_registries(Registry(), new).added == ("z", "f", "e", "c", "b", "a", "y")


# -- polling, deterministically ------------------------------------------------------------


def test_a_change_is_checked_on_the_second_look_that_finds_it(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    watcher.poll()
    assert results.queue.empty()  # the content it was built with counts as applied
    # A half-written file (cut in the middle of a camera) is seen once ...
    full = TWO + "  - id: east\n    name: East\n    site: rp01\n    url: rtsp://127.0.0.1/east\n"
    registry_file.write_text(full[: len(TWO) + 25], encoding="utf-8")
    watcher.poll()
    # ... and finished before the next look: only the finished file is ever checked.
    registry_file.write_text(full, encoding="utf-8")
    watcher.poll()
    assert results.queue.empty()
    watcher.poll()
    result = results.next(0)
    assert result.ok and result.registry is not None
    assert [c.id for c in result.registry.cameras] == ["north", "south", "east"]
    assert result.diff == RegistryDiff(added=("east",))
    assert watcher.registry is result.registry
    watcher.poll()
    watcher.poll()
    assert results.queue.empty()  # reported once


def test_an_invalid_file_keeps_the_last_good_registry(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    good = watcher.registry
    registry_file.write_text(TWO.replace("rtsp://127.0.0.1/south", "rtps://127.0.0.1/south"))
    watcher.poll()
    watcher.poll()
    result = results.next(0)
    assert result.registry is None and result.diff is None and not result.ok
    assert [str(i) for i in result.errors] == [
        f"{registry_file}:15: cameras[1].url: scheme 'rtps' is not one of rtsp, rtsps, "
        "http, https, udp, rtp, file (did you mean 'rtsp'?)"
    ]
    assert watcher.registry is good
    assert abs(result.at - time.time()) < 5
    # Fixed: the diff is taken against the last good registry, not the broken file.
    registry_file.write_text(TWO.replace("/south", "/south2"))
    watcher.poll()
    watcher.poll()
    fixed = results.next(0)
    assert fixed.ok and fixed.diff == RegistryDiff(changed=("south",), url_changed=("south",))


def test_a_file_that_stays_missing_is_reported_but_a_brief_gap_is_not(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    good = watcher.registry
    # An editor that moves the old file away and writes the new one: gone for one look.
    registry_file.rename(registry_file.with_suffix(".bak"))
    watcher.poll()
    registry_file.write_text(TWO)
    watcher.poll()
    watcher.poll()
    assert results.queue.empty()  # same content as before
    registry_file.unlink()
    watcher.poll()
    watcher.poll()
    result = results.next(0)
    assert [str(i) for i in result.issues] == [
        f"{registry_file}: cannot read the camera registry: No such file or directory"
    ]
    assert result.registry is None and watcher.registry is good


def test_saving_the_same_content_again_reports_nothing(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    replace_file(registry_file, TWO)
    os.utime(registry_file, (time.time() + 10, time.time() + 10))
    for _ in range(3):
        watcher.poll()
    assert results.queue.empty()


def test_warnings_of_a_valid_file_come_with_the_registry(
    make_watcher: WatcherMaker, registry_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_PASSWORD", raising=False)
    results = Results()
    watcher = make_watcher(results, start=False)
    registry_file.write_text(
        TWO.replace("rtsp://127.0.0.1/south", "rtsp://admin:${NO_SUCH_PASSWORD}@127.0.0.1/s")
    )
    watcher.poll()
    watcher.poll()
    result = results.next(0)
    assert result.ok and result.registry is not None
    assert [i.message for i in result.warnings] == [
        "environment variable NO_SUCH_PASSWORD is not set: camera 'south' is loaded disabled"
    ]
    south = result.registry.get("south")
    assert south is not None and not south.enabled
    assert result.diff == RegistryDiff(changed=("south",), url_changed=("south",))


# -- the thread ------------------------------------------------------------------------------


def test_the_thread_reports_a_rename_replace_save_within_two_intervals(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, interval=0.1)
    assert watcher.running
    started = time.monotonic()
    replace_file(registry_file, TWO.replace("name: North", "name: North gate"))
    result = results.next()
    elapsed = time.monotonic() - started
    assert result.diff == RegistryDiff(changed=("north",))
    assert 0.1 <= elapsed < 1.0, elapsed
    assert results.threads == ["registry-watch"]
    watcher.stop()
    assert not watcher.running


def test_a_slow_writer_is_checked_once_it_has_finished(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    make_watcher(results, interval=0.2)
    new = registry_text(*[(f"cam{i}", f"Camera {i}", f"rtsp://127.0.0.1/{i}") for i in range(40)])
    with registry_file.open("w", encoding="utf-8") as out:
        for start in range(0, len(new), 400):  # written in pieces, 20 ms apart
            out.write(new[start : start + 400])
            out.flush()
            time.sleep(0.02)
    result = results.next()
    assert result.ok and result.registry is not None
    assert len(result.registry.cameras) == 40
    assert results.none_within(0.5)


def test_reload_now_reports_the_file_even_when_it_did_not_change(
    make_watcher: WatcherMaker,
) -> None:
    results = Results()
    watcher = make_watcher(results, interval=30.0)  # the thread would not look by itself
    watcher.reload_now()
    result = results.next(2.0)
    assert result.ok and result.diff == RegistryDiff()
    assert results.threads == ["registry-watch"]


def test_reload_now_without_a_thread_checks_on_the_callers_thread(
    make_watcher: WatcherMaker,
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    watcher.reload_now()
    assert results.next(0).ok
    assert results.threads == [threading.current_thread().name]


def test_exceptions_are_logged_and_the_thread_keeps_watching(
    make_watcher: WatcherMaker,
    registry_file: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[ReloadResult] = []
    done = threading.Event()

    def on_result(result: ReloadResult) -> None:
        calls.append(result)
        if len(calls) == 1:
            raise RuntimeError("the receiver went away")
        done.set()

    watcher = RegistryWatcher(registry_file, on_result, interval=FAST)
    try:
        with caplog.at_level(logging.ERROR, logger="videowall.registry.watch"):
            watcher.start()
            registry_file.write_text(TWO.replace("North", "North 1"))
            deadline = time.monotonic() + 3
            while not calls and time.monotonic() < deadline:
                time.sleep(0.01)
            # A bug in the checker: reported as an issue, not as silence.
            import videowall.registry.watch as module

            def broken(*args: object, **kwargs: object) -> None:
                raise ValueError("checker bug")

            monkeypatch.setattr(module, "check_registry", broken)
            registry_file.write_text(TWO.replace("North", "North 2"))
            assert done.wait(3)
            assert watcher.running
    finally:
        watcher.stop()
    assert calls[0].ok
    assert [str(i) for i in calls[1].issues] == [
        f"{registry_file}: the registry could not be checked: ValueError: checker bug"
    ]
    messages = [r.getMessage() for r in caplog.records]
    assert f"handling the reload of the camera registry {registry_file} failed" in messages
    assert f"checking the camera registry {registry_file} failed" in messages


def test_a_watcher_needs_a_positive_interval(registry_file: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        RegistryWatcher(registry_file, Results(), interval=0)


def test_start_twice_is_an_error(make_watcher: WatcherMaker) -> None:
    watcher = make_watcher(Results())
    with pytest.raises(RuntimeError, match="already started"):
        watcher.start()


# -- the alerts section and flags ----------------------------------------------------------


def _edited(watcher: RegistryWatcher, results: Results, text: str) -> ReloadResult:
    """What ``watcher`` reports once the file holds ``text`` (two looks, no thread)."""
    Path(watcher.path).write_text(text, encoding="utf-8")
    watcher.poll()
    watcher.poll()
    return results.next(0)


def test_a_change_of_only_the_alerts_section_is_a_reload(
    make_watcher: WatcherMaker, registry_file: Path
) -> None:
    results = Results()
    watcher = make_watcher(results, start=False)
    before = watcher.registry
    assert before is not None and before.alerts == AlertRules()
    result = _edited(watcher, results, TWO + "alerts:\n  kinds:\n    stalled: {grace_s: 1}\n")
    assert result.ok and result.registry is not None
    assert result.registry.alerts.rule("stalled") == KindRule(grace_s=1.0)
    assert result.registry.alerts != before.alerts
    assert result.diff == RegistryDiff()  # no camera changed: nothing restarts
    assert watcher.registry is result.registry
    # a broken section is not applied: the rules stay as they were
    broken = _edited(watcher, results, TWO + "alerts:\n  kinds:\n    stalld: {grace_s: 1}\n")
    assert not broken.ok
    assert [str(i) for i in broken.errors] == [
        f"{registry_file}:18: alerts.kinds: unknown alert kind 'stalld' "
        "(did you mean 'stalled'?)"
    ]
    assert watcher.registry is result.registry


def test_a_camera_that_stops_raising_alerts_changes_but_keeps_its_stream() -> None:
    old = Registry(cameras=(cam("a"), cam("b")))
    new = Registry(cameras=(cam("a", alerts=False), cam("b")))
    assert diff_registries(old, new) == RegistryDiff(changed=("a",))
