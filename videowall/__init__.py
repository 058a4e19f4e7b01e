"""videowall: a desktop video wall for CCTV command centres."""

__version__ = "0.1.0"
