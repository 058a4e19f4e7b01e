"""Start videowall from a checkout: ``python main.py [command] [options]``."""

from videowall.cli.app import main

raise SystemExit(main())
