"""The command line: ``videowall [command] [options]``."""
