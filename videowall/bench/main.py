"""``videowall bench [health | soak] [options]``: the benchmark a command line names.

Each benchmark is imported when it runs, so that one does not load what another needs.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Run ``videowall bench`` (decode cost), ``bench health`` or ``bench soak``."""
    if argv and argv[0] == "health":
        from videowall.bench import health

        return health.main(argv[1:])
    if argv and argv[0] == "soak":
        from videowall.bench import soak

        return soak.main(argv[1:])
    from videowall.bench import decode

    return decode.main(argv)
