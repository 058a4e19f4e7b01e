"""The top of the command line: --version, usage errors, the entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli import ROOT, VALID
from videowall.cli.app import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from videowall import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"videowall {__version__}\n"


def test_cameras_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras"]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


# -- the entry points as a technician starts them ------------------------------------------------


def test_entry_points_and_no_qt_on_import() -> None:
    code = "import sys, videowall.cli.app; print('PyQt6' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=30, check=True)
    assert run.stdout == "False\n"
    for argv in (["-m", "videowall"], [str(ROOT / "main.py")]):
        run = subprocess.run([sys.executable, *argv, "cameras", "validate", str(VALID)],
                             capture_output=True, text=True, cwd=ROOT, timeout=30,
                             env={"MALL_PASSWORD": "x", "PATH": ""})
        assert run.returncode == 0, run.stderr
        assert run.stdout == f"{VALID}: valid: 4 cameras (1 disabled), 2 sites, 2 agencies\n"
