"""``videowall bench [health | soak | alerts | keyframes | motion | motion-alert]
[options]``: the
benchmark named.

Each benchmark is imported when it runs, so that one does not load what another needs.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Run ``videowall bench`` (decode cost), ``bench health``, ``bench soak``,
    ``bench alerts``, ``bench keyframes`` (background cameras at key frames only),
    ``bench motion`` or ``bench motion-alert`` (live, from motion to its alert)."""
    if argv and argv[0] == "health":
        from videowall.bench import health

        return health.main(argv[1:])
    if argv and argv[0] == "soak":
        from videowall.bench import soak

        return soak.main(argv[1:])
    if argv and argv[0] == "alerts":
        from videowall.bench import alerts

        return alerts.main(argv[1:])
    if argv and argv[0] == "keyframes":
        from videowall.bench import keyframes

        return keyframes.main(argv[1:])
    if argv and argv[0] == "motion-alert":
        from videowall.bench import motion_alert

        return motion_alert.main(argv[1:])
    if argv and argv[0] == "motion":
        from videowall.bench import motion

        return motion.main(argv[1:])
    from videowall.bench import decode

    return decode.main(argv)
