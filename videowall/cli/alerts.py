"""``videowall alerts list | ack | show``: the alerts the wall keeps in the store, listed,
acknowledged and shown with their history, from any shell."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from videowall.cli.common import (
    Commands,
    UsageError,
    add_read_store_option,
    add_since_option,
    aligned,
    duration_words,
    local_time,
    local_zone,
    on_store,
    plural,
    print_json,
    print_line,
    unknown_name,
    utc_iso,
)

if TYPE_CHECKING:
    from videowall.store import Alert, AlertChange, Store

#: ``--state``: as :data:`videowall.store.STATE_FILTERS` (not imported: the store loads
#: SQLAlchemy, which ``--help`` does not need).
STATES = ("new", "acknowledged", "resolved", "open", "unacknowledged")
#: How much of an id the text shows; any unambiguous prefix names the alert.
SHORT_ID = 8
_LIVES = "the alerts live"


# -- the parsers ----------------------------------------------------------------------------------


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``alerts`` and its subcommands."""
    alerts = commands.add_parser(
        "alerts", parents=[common], help="list, acknowledge and show the alerts in the store",
        description="The alerts the wall raised, as the store keeps them. Exit 1 for an "
                    "alert id (or prefix) that names no alert or several, 2 for bad "
                    "arguments or when the store cannot be read.",
    )
    alert_commands = alerts.add_subparsers(dest="alerts_command", metavar="COMMAND",
                                           required=True)
    listing = alert_commands.add_parser(
        "list", parents=[common], help="list the alerts, newest first",
        description="One line per alert, newest first: its id (the first 8 characters: any "
                    "unambiguous prefix names it), age, priority, kind, camera or group, "
                    "state, count and detail.",
    )
    listing.add_argument("--state", choices=STATES,
                         help="only these: new, acknowledged, resolved, open (not resolved) "
                              "or unacknowledged (someone must still acknowledge it)")
    add_since_option(listing, "the alerts open at any time since then")
    listing.add_argument("--camera", metavar="ID",
                         help="only this camera's alerts (groups it is in included)")
    listing.add_argument("--limit", type=_positive, metavar="N", help="the newest N only")
    _add_output_options(listing, "print a JSON list of alerts")
    listing.set_defaults(handler=_cmd_list)

    ack = alert_commands.add_parser(
        "ack", parents=[common], help="acknowledge alerts",
        description="Acknowledge the alerts named by their ids (or unambiguous prefixes, in "
                    "any case), recording the time, who and the note. An alert acknowledged "
                    "already keeps its first acknowledgement. When one id names no alert "
                    "or several, none is acknowledged (exit 1).",
    )
    ack.add_argument("ids", nargs="+", metavar="ID", help="an alert id or its prefix")
    ack.add_argument("--note", default="", metavar="TEXT", help="what was done, for the log")
    ack.add_argument("--user", type=_user_name, metavar="NAME",
                     help="who acknowledges (default: the operating-system account)")
    _add_output_options(ack, "print a JSON list of the alerts afterwards")
    ack.set_defaults(handler=_cmd_ack)

    show = alert_commands.add_parser(
        "show", parents=[common], help="show one alert and its history",
        description="Every field of one alert and each step of its history (raised, "
                    "updated, acknowledged, resolved), in local time.",
    )
    show.add_argument("id", metavar="ID", help="the alert's id or its prefix")
    _add_output_options(show, "print the alert as JSON, with its history")
    show.set_defaults(handler=_cmd_show)


def _add_output_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    add_read_store_option(parser)
    parser.add_argument("--json", action="store_true", help=json_help)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, 1 or more, not {text!r}")
    return value


def _user_name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a name")
    return text.strip()


# -- the commands ---------------------------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    return on_store(args, _LIVES, lambda store: _list(store, args))


def _list(store: Store, args: argparse.Namespace) -> int:
    from videowall.store import alert_cameras, cameras, list_alerts

    if args.camera is not None:
        known = {c.id for c in cameras(store, include_removed=True)}
        known.update(alert_cameras(store))
        if args.camera not in known:
            raise unknown_name("camera", args.camera, sorted(known), f"the store {store.where}")
    alerts = list_alerts(store, state=args.state, since=args.since, camera=args.camera,
                         limit=args.limit)
    if args.json:
        _print_json([alert_record(alert) for alert in alerts])
    else:
        _print_lines(alert_lines(alerts, state=args.state, since=args.since,
                                 camera=args.camera))
    return 0


def _cmd_ack(args: argparse.Namespace) -> int:
    user = args.user or _os_user()
    return on_store(args, _LIVES, lambda store: _ack(store, args, user))


def _ack(store: Store, args: argparse.Namespace, user: str) -> int:
    from videowall.store import acknowledge_alerts

    found = _find(store, args.ids)
    before = list({alert.id: alert for alert in found.values()}.values())
    after = acknowledge_alerts(store, [alert.id for alert in before], user, args.note,
                               datetime.now(UTC))
    if args.json:
        _print_json([alert_record(alert) for alert in after])
    else:
        _print_lines(ack_lines(before, after))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    return on_store(args, _LIVES, lambda store: _show(store, args))


def _show(store: Store, args: argparse.Namespace) -> int:
    from videowall.store import alert_history

    alert = _find(store, [args.id])[args.id]
    history = alert_history(store, alert.id)
    if args.json:
        _print_json(alert_record(alert, history))
    else:
        _print_lines(show_lines(alert, history))
    return 0


def _find(store: Store, prefixes: Sequence[str]) -> dict[str, Alert]:
    from videowall.store import AlertLookupError, find_alerts

    try:
        return find_alerts(store, prefixes)
    except AlertLookupError as exc:
        raise UsageError(str(exc)) from None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in the passwd file
        raise UsageError("cannot tell who is acknowledging: give --user NAME") from None


def _print_json(value: object) -> None:
    print_json(value)


def _print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print_line(line)


# -- what they print ------------------------------------------------------------------------------


def alert_record(alert: Alert, history: Sequence[AlertChange] | None = None) -> dict[str, Any]:
    """An alert as ``videowall alerts list --json`` prints it (times in UTC, ISO 8601;
    null when not set); with ``history``, as ``show --json`` prints it."""
    record: dict[str, Any] = {
        "id": alert.id,
        "kind": alert.kind,
        "camera": alert.camera,
        "site": alert.site,
        "agency": alert.agency,
        "group": alert.group,
        "members": list(alert.members),
        "state": str(alert.state),
        "priority": alert.priority,
        "count": alert.count,
        "first_at": utc_iso(alert.first_at),
        "last_at": utc_iso(alert.last_at),
        "resolved_at": _maybe_iso(alert.resolved_at),
        "detail": alert.detail,
        "note": alert.note,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": _maybe_iso(alert.acknowledged_at),
        "needs_ack": alert.needs_ack,
        "unacknowledged": alert.unacknowledged,
    }
    if history is not None:
        record["history"] = [change_record(change) for change in history]
    return record


def change_record(change: AlertChange) -> dict[str, Any]:
    """A step of an alert's history as ``show --json`` prints it."""
    return {"at": utc_iso(change.at), "change": change.change, "state": str(change.state),
            "count": change.count, "by": change.by, "note": change.note,
            "detail": change.detail}


def alert_lines(alerts: Sequence[Alert], *, state: str | None = None,
                since: datetime | None = None, camera: str | None = None) -> list[str]:
    """``videowall alerts list`` as text: a title, then one line per alert."""
    what = plural(len(alerts), f"{state} alert" if state else "alert")
    of = f" of {camera}" if camera else ""
    window = f"since {local_time(since)}" if since is not None else "all recorded"
    lines = [f"{what}{of} {window} ({local_zone()}), newest first"]
    if not alerts:
        return lines
    now = datetime.now(UTC)
    rows = [(alert.id[:SHORT_ID], duration_words((now - alert.first_at).total_seconds()),
             str(alert.priority), alert.kind, _subject(alert), _state_words(alert),
             str(alert.count), alert.detail) for alert in alerts]
    return lines + aligned(
        ("ID", "AGE", "PRI", "KIND", "CAMERA", "STATE", "COUNT", "DETAIL"), rows)


def ack_lines(before: Sequence[Alert], after: Sequence[Alert]) -> list[str]:
    """``videowall alerts ack`` as text: one line per alert."""
    lines = []
    for old, new in zip(before, after, strict=True):
        name = f"{new.id[:SHORT_ID]} ({new.kind}, {_subject(new)})"
        if old.acknowledged_at is not None:
            lines.append(f"{name} was acknowledged already by {old.acknowledged_by} at "
                         f"{local_time(old.acknowledged_at)}")
        else:
            lines.append(f"acknowledged {name} as {new.acknowledged_by}")
    return lines


def show_lines(alert: Alert, history: Sequence[AlertChange]) -> list[str]:
    """``videowall alerts show`` as text: the alert's fields, then its history."""
    now = datetime.now(UTC)
    fields = [
        ("alert", f"{alert.id} — {alert.kind}, priority {alert.priority}"),
        ("camera" if alert.camera else "group", _subject(alert)),
        ("members", ", ".join(alert.members) or "—"),
        ("site", alert.site or "—"),
        ("agency", alert.agency or "—"),
        ("state", _state_words(alert)),
        ("count", str(alert.count)),
        ("first", f"{local_time(alert.first_at)} "
                  f"({duration_words((now - alert.first_at).total_seconds())} ago)"),
        ("last", local_time(alert.last_at)),
        ("resolved", _resolved_words(alert)),
        ("acknowledged", _ack_words(alert)),
        ("note", alert.note or "—"),
        ("detail", alert.detail or "—"),
    ]
    lines = [f"{name + ':':<14}{value}" for name, value in fields]
    lines.append(f"history ({local_zone()}):")
    rows = [(local_time(step.at), step.change, str(step.state), str(step.count),
             step.by or "—", _step_words(step)) for step in history]
    return lines + aligned(("TIME", "CHANGE", "STATE", "COUNT", "BY", "DETAIL"), rows)


def _subject(alert: Alert) -> str:
    """The camera, or the group and how many cameras it holds."""
    if alert.camera:
        return alert.camera
    name = alert.group or ",".join(alert.members)
    return f"{name} ({plural(len(alert.members), 'camera')})"


def _state_words(alert: Alert) -> str:
    if str(alert.state) == "resolved" and alert.unacknowledged:
        return "resolved, unacknowledged"
    return str(alert.state)


def _resolved_words(alert: Alert) -> str:
    if alert.resolved_at is None:
        return "not yet"
    lasted = duration_words((alert.resolved_at - alert.first_at).total_seconds())
    return f"{local_time(alert.resolved_at)} (lasted {lasted})"


def _ack_words(alert: Alert) -> str:
    if alert.acknowledged_at is not None:
        return f"by {alert.acknowledged_by} at {local_time(alert.acknowledged_at)}"
    return "not yet" if alert.unacknowledged else "not needed"


def _step_words(step: AlertChange) -> str:
    parts = [step.detail] if step.detail else []
    if step.note:
        parts.append(f"note: {step.note}")
    return " — ".join(parts)


def _maybe_iso(when: datetime | None) -> str | None:
    return None if when is None else utc_iso(when)
