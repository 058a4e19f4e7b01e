"""What the commands share: where the registry and the store are, argument types, the
options several commands take, words for times, and :class:`UsageError`."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from videowall.layout.grid import preset
from videowall.registry import suggest
from videowall.registry.model import Registry
from videowall.registry.settings import CAMERAS_MAX
from videowall.util.logs import mask_url
from videowall.util.text import printable

if TYPE_CHECKING:
    from videowall.store import Store

#: Where the registry lives, relative to the working directory or the repository.
CONFIG_RELATIVE = Path("config") / "cameras.yaml"
LOG_LEVELS = ("debug", "info", "warning", "error")

#: What ``add_subparsers()`` returns: each command group adds its parsers to it.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class UsageError(Exception):
    """A command line that names something that does not exist (exit code 1)."""


# -- where the registry is ---------------------------------------------------------------------


def repository_config_path() -> Path:
    """``config/cameras.yaml`` next to the package: the demo registry of a checkout."""
    return Path(__file__).resolve().parents[2] / CONFIG_RELATIVE


def default_config_path() -> Path:
    """The registry when ``--config`` is not given: ``./config/cameras.yaml``, else the
    one next to the package."""
    if CONFIG_RELATIVE.is_file():
        return CONFIG_RELATIVE
    repo = repository_config_path()
    return repo if repo.is_file() else CONFIG_RELATIVE


def demo_config_path() -> Path:
    """The demo registry: the one next to the package, else ``./config/cameras.yaml``."""
    repo = repository_config_path()
    return repo if repo.is_file() else CONFIG_RELATIVE


# -- argument types ------------------------------------------------------------------------------


def grid_spec(text: str) -> str:
    """A grid preset's name (``3x3``, ``1+5``...)."""
    try:
        return preset(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def id_list(text: str) -> list[str]:
    """Camera ids separated by commas."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("expected camera ids separated by commas")
    return ids


def health_setting(text: str) -> tuple[str, float]:
    """``NAME=NUMBER``, a setting of the registry's health section."""
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        sep = ""
    if not sep:
        raise argparse.ArgumentTypeError("expected NAME=NUMBER, e.g. retry_cap_s=60")
    return name.strip(), number


def pixel_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, 16 or more each."""
    width, sep, height = text.lower().partition("x")
    try:
        pixels = (int(width), int(height))
    except ValueError:
        pixels = (0, 0)
    if not sep or min(pixels) < 16:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 1920x1080, not {text!r}")
    return pixels


def seconds(text: str) -> float:
    """A finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds (a number, 0 or more), not {text!r}")
    return value


_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
#: The earliest time ``--since`` takes (``all`` goes further).
EARLIEST_SINCE = datetime(1970, 1, 1, tzinfo=UTC)
_AGE_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def since_time(text: str) -> datetime | None:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1w`` ago; a local date-time
    (``2024-05-01T08:00``, ``2024-05-01``); or ``all`` (None). Nothing before
    :data:`EARLIEST_SINCE`: ``all`` says that."""
    if text.strip().lower() == "all":
        return None
    problem = "is not one"
    when = None
    match = _AGE_RE.match(text)
    try:
        if match:
            age = float(match.group(1)) * _AGE_UNITS[match.group(2).lower()]
            when = datetime.now(UTC) - timedelta(seconds=age)
        else:  # a time without a zone is local time
            when = datetime.fromisoformat(text.strip()).astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        if match or "out of range" in str(exc):  # beyond what a date-time can hold
            when = datetime.min.replace(tzinfo=UTC)
    if when is not None and when < EARLIEST_SINCE:
        problem = f"goes back before {EARLIEST_SINCE.year}; give a later time, or 'all'"
    elif when is not None:
        return when
    raise argparse.ArgumentTypeError(
        f"expected an age (90s, 30m, 1h, 2d, 1w), a date-time (2024-05-01T08:00) or 'all': "
        f"{shown_value(text)} {problem}"
    )


def shown_value(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message about a bad value: escaped, and cut to ``limit``."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(cut)


#: What JSON text leaves raw that a terminal acts on: DEL, C1 controls, line separators
#: (``json.dumps`` escapes the C0 controls itself).
_JSON_CONTROL_RE = re.compile("[\x7f-\x9f\u2028\u2029]")


def print_line(text: str, file: TextIO | None = None) -> None:
    """Print one line of a command's output: passwords masked, controls escaped."""
    print(printable(mask_url(text)), file=file or sys.stdout)


def print_json(value: object, file: TextIO | None = None) -> None:
    """Print ``value`` as indented JSON: passwords masked, non-ASCII text as it is,
    controls as ``\\uXXXX``."""
    text = mask_url(json.dumps(value, indent=2, default=str, ensure_ascii=False))
    print(_JSON_CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text),
          file=file or sys.stdout)


def log_level(text: str) -> str:
    """One of :data:`LOG_LEVELS`, in any case."""
    if text.lower() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LOG_LEVELS)}")
    return text.lower()


# -- options several commands take ---------------------------------------------------------------


def add_config_option(parser: argparse.ArgumentParser, *, suppress: bool = True,
                      help_text: str = f"camera registry (default {CONFIG_RELATIVE})") -> None:
    """``--config FILE``. Suppressed, a value given before the command is kept."""
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS if suppress else None,
                        metavar="FILE", help=help_text)


def add_log_level_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--log-level LEVEL``. Suppressed, a value given before the command is kept."""
    parser.add_argument("--log-level", type=log_level,
                        default=argparse.SUPPRESS if suppress else "info", metavar="LEVEL",
                        help=f"one of {', '.join(LOG_LEVELS)} (default info)")


def alarm_tile_spec(text: str) -> int | str | None:
    """``--alarm-tile``: a tile number (0 is the first), ``none`` or ``auto``."""
    word = text.strip().lower()
    if word == "auto":
        return "auto"
    if word == "none":
        return None
    if word.isdigit():
        return int(word)
    raise argparse.ArgumentTypeError(
        f"expected a tile number (0 is the first), 'none' or 'auto', not {text!r}"
    )


def add_alarm_tile_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--alarm-tile``: where cameras raised by an alert go."""
    parser.add_argument(
        "--alarm-tile", type=alarm_tile_spec, default=argparse.SUPPRESS if suppress else "auto",
        metavar="N|none|auto",
        help="the tile cameras raised by an alert go to: a tile number (0 is the first), "
             "'none' for a floating alarm window, 'auto' (default) for the grid's large "
             "tile (1+5, 1+7, 1+12, 2+8; the alarm window for other grids)",
    )


def alarm_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``alarm_tile`` for the wall, when the command line gave one."""
    if hasattr(args, "alarm_tile") and args.alarm_tile != "auto":
        return {"alarm_tile": args.alarm_tile}
    return {}


def add_store_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--db URL``: the store the wall mirrors its registry and logs its health into."""
    parser.add_argument("--db", default=argparse.SUPPRESS if suppress else None, metavar="URL",
                        help="store the registry is mirrored into: an SQLAlchemy URL or a "
                             "file, 'none' for no store (default $VIDEOWALL_DB, else "
                             "videowall.db in the user's data folder)")


def add_health_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--health NAME=NUMBER`` (repeatable): a health setting for this run."""
    parser.add_argument("--health", type=health_setting, action="append",
                        default=argparse.SUPPRESS if suppress else None,
                        metavar="NAME=NUMBER",
                        help="change one setting of the registry's health section for this "
                             "run, e.g. stall_min_s=2 or connections_per_host=8 (repeatable)")


def add_watch_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--watch N``: how many cameras on no tile the wall watches at most."""
    parser.add_argument(
        "--watch", type=_watch_count, default=argparse.SUPPRESS if suppress else None,
        metavar="N",
        help="watch at most N cameras that no tile shows, for their health and motion "
             "(default: the registry's motion.watch_max_cameras; 0: none)",
    )


def _watch_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of cameras, not {text!r}") from None
    if not 0 <= count <= CAMERAS_MAX:
        raise argparse.ArgumentTypeError(f"expected 0 to {CAMERAS_MAX} cameras, not {count}")
    return count


def with_watch(registry: Registry, args: argparse.Namespace) -> Registry:
    """``registry`` with the ``--watch`` budget of the command line applied."""
    count = getattr(args, "watch", None)
    if count is None:
        return registry
    from dataclasses import replace

    return replace(registry, motion=replace(registry.motion, watch_max_cameras=count))


def with_health(registry: Registry, args: argparse.Namespace) -> Registry:
    """``registry`` with the ``--health`` settings of the command line applied."""
    settings = dict(getattr(args, "health", None) or ())
    if not settings:
        return registry
    from dataclasses import replace

    from videowall.registry.health import with_settings

    try:
        health = with_settings(registry.health, settings)
    except ValueError as exc:
        raise UsageError(f"--health: {exc}") from None
    return replace(registry, health=health)


def add_since_option(parser: argparse.ArgumentParser, what: str, default: str = "1d") -> None:
    """``--since WHEN`` (default ``default``, one day unless told): how far back ``what``
    goes."""
    parser.add_argument("--since", type=since_time, default=since_time(default), metavar="WHEN",
                        help=f"{what}: an age (90s, 30m, 1h, 2d, 1w), a local date-time "
                             f"(2024-05-01T08:00) or 'all' (default {default})")


def add_read_store_option(parser: argparse.ArgumentParser) -> None:
    """``--db URL`` of the commands that read the store (see :func:`on_store`)."""
    parser.add_argument("--db", metavar="URL",
                        help="the store: an SQLAlchemy URL or a file (default $VIDEOWALL_DB, "
                             "else videowall.db in the user's data folder)")


def store_url(args: argparse.Namespace) -> str | None:
    """The store's URL: ``--db``, else ``$VIDEOWALL_DB``, else None (the default file)."""
    return getattr(args, "db", None) or os.environ.get("VIDEOWALL_DB") or None


# -- the store -------------------------------------------------------------------------------------


def on_store(args: argparse.Namespace, lives: str, work: Callable[[Store], int]) -> int:
    """Run ``work`` on the store the command line names (:func:`store_url`) and return
    its exit code; 2, said on stderr, when that store is missing, holds no videowall
    tables or cannot be read. A store of an older videowall is migrated first.

    ``lives`` says what the command reads there, for ``--db none`` (a UsageError):
    ``the health log lives``.
    """
    from videowall.store import SCHEMA_VERSION, Store, StoreError

    url = store_url(args)
    if url is not None and url.lower() == "none":
        raise UsageError(f"--db none: {lives} in the store; name one")
    try:
        with Store(url) as store:
            if store.path is not None and store.path.is_dir():
                print(f"videowall: cannot use the store {store.where}: it is a folder, not "
                      "a file (see --db)", file=sys.stderr)
                return 2
            if store.path is not None and not store.path.is_file():
                print(f"videowall: no store at {store.where}: the wall creates it when it "
                      "first runs (see --db)", file=sys.stderr)
                return 2
            version = store.schema_version()
            if version is None:
                print(f"videowall: the store {store.where} holds no videowall tables",
                      file=sys.stderr)
                return 2
            if version < SCHEMA_VERSION:
                store.create()  # a store of an older videowall gains the newer tables
            return work(store)
    except StoreError as exc:
        print(f"videowall: {exc}", file=sys.stderr)
        return 2


# -- checks and words ----------------------------------------------------------------------------


def check_camera_ids(registry: Registry, ids: Sequence[str] | None) -> list[str] | None:
    """``ids`` as a list, or :class:`UsageError` naming the first the registry lacks."""
    if ids is None:
        return None
    known = [c.id for c in registry.cameras]
    for camera_id in ids:
        if camera_id not in known:
            raise unknown_name("camera", camera_id, known, str(registry.source))
    return list(ids)


def unknown_name(what: str, name: str, known: Iterable[str], where: str) -> UsageError:
    """``no camera 'rp01-nort' in WHERE (did you mean 'rp01-north'?)``."""
    match = suggest(name, list(known))
    hint = f" (did you mean {match!r}?)" if match else ""
    return UsageError(f"no {what} {name!r} in {where}{hint}")


def utc_iso(when: datetime) -> str:
    """``2024-05-01T11:02:33.120000Z``: a time in UTC, ISO 8601, as the JSON of every
    command writes it."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_time(when: datetime) -> str:
    """``2024-05-01 18:02:33``: a time in the local zone, as the text of the commands
    writes it."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def local_zone() -> str:
    """``local time, UTC+07:00`` (``local time`` where the zone is not known)."""
    zone = datetime.now().astimezone().strftime("%z")
    return f"local time, UTC{zone[:3]}:{zone[3:]}" if zone else "local time"


def duration_words(seconds: float) -> str:
    """``0.4 s``, ``45 s``, ``3 min 12 s``, ``2 h 05 min``, ``3 d 4 h``."""
    if seconds < 10:
        return f"{max(0.0, seconds):.1f} s"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 camera``, ``2 cameras``, ``3 agencies``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """``header`` and ``rows`` as lines of columns two spaces apart; the last column is
    not padded (it holds the long text: a URL, a reason)."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = []
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
