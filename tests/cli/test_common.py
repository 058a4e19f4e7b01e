"""Options several commands share: ``--health NAME=NUMBER``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import VALID
from videowall.cli.app import main


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("stall_min=2", "unknown health setting 'stall_min'"),
        ("retry_cap_s=0.5", "retry_first_s (1 s) is more than retry_cap_s (0.5 s)"),
        ("connections_per_host=2.5", "connections_per_host must be a whole number"),
        ("freeze_s=0", "freeze_s must be between 1 and 3600, not 0"),
    ],
)
def test_a_wrong_health_setting_on_the_command_line_is_said_in_words(
    setting: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["snapshot", "--config", str(VALID), "--grid", "1x1", "--duration", "0",
                 "--out", str(tmp_path / "w.png"), "--report", str(tmp_path / "r.json"),
                 "--health", setting])
    assert code == 1
    assert words in capsys.readouterr().err
    assert not (tmp_path / "w.png").exists()


def test_health_settings_on_the_command_line_change_the_registry_s() -> None:
    import argparse

    from videowall.cli.common import with_health
    from videowall.registry.loader import load_registry

    registry = load_registry(VALID)
    args = argparse.Namespace(health=[("retry_cap_s", 60.0), ("connections_per_host", 8.0)])
    changed = with_health(registry, args)
    assert changed.health.retry_cap_s == 60.0 and changed.health.connections_per_host == 8
    assert isinstance(changed.health.connections_per_host, int)
    assert changed.cameras == registry.cameras
    assert with_health(registry, argparse.Namespace()) is registry


def test_a_health_option_needs_a_name_and_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--health", "stall_min_s"]) == 2
    assert "expected NAME=NUMBER" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "expected"), [("auto", "auto"), ("NONE", None), ("0", 0),
                                                ("7", 7)])
def test_alarm_tile_spec(text: str, expected: int | str | None) -> None:
    from videowall.cli.common import alarm_tile_spec

    assert alarm_tile_spec(text) == expected


def test_alarm_tile_spec_refuses_other_words() -> None:
    import argparse

    from videowall.cli.common import alarm_tile_spec

    with pytest.raises(argparse.ArgumentTypeError, match="expected a tile number"):
        alarm_tile_spec("big")
