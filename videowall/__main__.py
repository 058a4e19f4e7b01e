"""``python -m videowall``: the same program as the ``videowall`` command."""

from videowall.cli.app import main

raise SystemExit(main())
