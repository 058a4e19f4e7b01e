"""``videowall bench alerts``: how fast an alert reaches the operator.

Each scenario runs the real window (``MainWindow``, offscreen) against real servers on
127.0.0.1, in a process of its own (:mod:`videowall.ui.alert_bench`, the wall side), and
hands its figures back as JSON:

* ``panel``: a camera on the wall whose server is killed; from the ``offline`` state
  change (its ``t``) to the alert in the panel (the session, the bridge, the desk);
* ``alarm``: a camera watched off the wall whose source freezes (a still picture, so the
  stream keeps delivering); from the ``frozen`` alert being raised to the first picture
  of that camera painted in the alarm tile of a ``1+5`` wall;
* ``host``: 56 cameras without a site behind one host (small streams: 160x90 at 5 fps,
  a key frame every second), all watched, six of them on the wall; every server killed at
  once; the time to one group alert with every camera in it, and the GUI thread's worst
  block meanwhile (a 10 ms timer measuring its own lateness).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SCENARIOS = ("panel", "alarm", "host")
#: The targets of the alerts issue.
TARGETS = {"panel_ms": 200.0, "alarm_s": 1.5, "group_s": 3.0, "gui_block_ms": 100.0}
#: The small stream of the many-camera host: size, frame rate, seconds.
SMALL_SIZE = (160, 90)
SMALL_FPS = 5
#: Seconds a scenario may take before the benchmark gives up on it.
SCENARIO_TIMEOUT_S = 600.0


def small_clip() -> Path:
    """A 160x90 H.264 clip at 5 fps with a key frame every second (the colour probe: a
    small box moves, so no frame repeats): 56 of them decode on two cores beside the
    wall."""
    from videowall.demo.clips import cache_dir, make_probe_clip

    w, h = SMALL_SIZE
    path = cache_dir() / f"bench-probe-{w}x{h}-{SMALL_FPS}.mp4"
    return path if path.exists() else make_probe_clip(path, SMALL_SIZE, SMALL_FPS, 20)


def spread(values: list[float]) -> dict[str, Any]:
    """Median, worst and every value (rounded); NaN for no values."""
    return {
        "median": round(statistics.median(values), 4) if values else float("nan"),
        "worst": round(max(values), 4) if values else float("nan"),
        "runs": len(values),
        "values": [round(v, 4) for v in values],
    }


def main(argv: list[str]) -> int:
    """``videowall bench alerts [--repeat N] [--cameras N] [--only S] [--json FILE]``."""
    parser = argparse.ArgumentParser(prog="videowall bench alerts",
                                     description="time from a fault to the alert the "
                                                 "operator sees")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of the panel and alarm scenarios (default 5)")
    parser.add_argument("--cameras", type=int, default=56,
                        help="cameras behind the host that goes down (default 56)")
    parser.add_argument("--servers", type=int, default=2,
                        help="servers on 127.0.0.1 the host's cameras share (default 2)")
    parser.add_argument("--backend", default="auto", choices=("auto", "vlc", "ffmpeg"))
    parser.add_argument("--only", action="append", choices=SCENARIOS,
                        help="run only this scenario (again for more)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.cameras < 2 or args.servers < 1:
        parser.error("--repeat must be at least 1, --cameras 2, --servers 1")

    figures: dict[str, Any] = {}
    for scenario in args.only or SCENARIOS:
        figures[scenario] = run_scenario(scenario, args)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all("error" not in f for f in figures.values()) else 1


def run_scenario(scenario: str, args: argparse.Namespace) -> dict[str, Any]:
    """One scenario in a process of its own (offscreen Qt, two malloc arenas as the wall
    runs); its figures, or ``{"error": ...}``."""
    with tempfile.TemporaryDirectory(prefix="videowall-bench-alerts-") as tmp:
        out = Path(tmp) / f"{scenario}.json"
        cmd = [sys.executable, "-m", "videowall.ui.alert_bench", scenario, "--out", str(out),
               "--repeat", str(args.repeat), "--cameras", str(args.cameras),
               "--servers", str(args.servers), "--backend", args.backend]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MALLOC_ARENA_MAX="2")
        try:
            proc = subprocess.run(cmd, env=env, timeout=SCENARIO_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return {"error": f"no result within {SCENARIO_TIMEOUT_S:.0f} s"}
        if not out.is_file():
            return {"error": f"the scenario exited with {proc.returncode} and no figures"}
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def _row(name: str, unit: str, figures: dict[str, Any], target: float, scale: float = 1.0
         ) -> str:
    median, worst = figures["median"] * scale, figures["worst"] * scale
    verdict = "ok" if worst < target else "MISSED"
    return (f"{name:<44} {median:>9.1f} {worst:>9.1f} {target:>8.0f} {unit:<3} "
            f"{figures['runs']:>4}  {verdict}")


def print_table(figures: dict[str, Any]) -> None:
    """The figures as a table: median, worst and target of each."""
    print(f"{'figure':<44} {'median':>9} {'worst':>9} {'target':>8}     {'runs':>4}")
    for scenario, result in figures.items():
        if "error" in result:
            print(f"{scenario:<44} failed: {result['error']}")
            continue
        if scenario == "panel":
            print(_row("offline state change -> alert in the panel", "ms",
                       result["state_to_panel_s"], TARGETS["panel_ms"], 1000))
        elif scenario == "alarm":
            print(_row("off-wall alert -> picture in the alarm tile", "ms",
                       result["alert_to_picture_s"], TARGETS["alarm_s"] * 1000, 1000))
        else:
            _print_host(result)


def _print_host(result: dict[str, Any]) -> None:
    n = result["cameras"]
    group = result["group_s"]
    block = result["gui_worst_block_ms"]
    shown = "-" if group is None else f"{group * 1000:.0f}"
    verdict = "ok" if group is not None and group < TARGETS["group_s"] else "MISSED"
    print(f"{f'{n} cameras killed -> one group of {n}':<44} {'':>9} {shown:>9} "
          f"{TARGETS['group_s'] * 1000:>8.0f} ms     1  {verdict}")
    verdict = "ok" if block < TARGETS["gui_block_ms"] else "MISSED"
    print(f"{'  GUI thread worst block meanwhile':<44} {'':>9} {block:>9.1f} "
          f"{TARGETS['gui_block_ms']:>8.0f} ms     1  {verdict}")
    print(f"  open alerts in the panel: {result['open_alerts']} "
          f"({result['members']} members); GUI worst block before the kill "
          f"{result['gui_worst_block_before_ms']:.1f} ms; all live after "
          f"{result['live_after_s']:.1f} s; backend {result['backend']}")
