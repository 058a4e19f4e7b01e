"""The command line, run in-process: exit codes, messages, and what each command hands on."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
VALID = DATA / "valid.yaml"
COMMITTED = ROOT / "config" / "cameras.yaml"
