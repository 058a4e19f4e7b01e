"""The house keeps its shape: no import cycle, and the import-linter contracts catch a new
module that breaks the layers (they list packages, not modules, so nothing slips by)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_graph_has_no_cycle() -> None:
    graph = grimp.build_graph("videowall")
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} -> {imported}")
    assert cycles == []


def lint_copy(tmp_path: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run lint-imports over a copy of the package with ``extra`` modules added."""
    shutil.copytree(ROOT / "videowall", tmp_path / "videowall",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for name, text in extra.items():
        (tmp_path / "videowall" / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120,
    )


@pytest.mark.slow
def test_the_contracts_hold_for_the_package_as_it_is(tmp_path: Path) -> None:
    result = lint_copy(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_a_new_module_that_breaks_the_rules_is_caught(tmp_path: Path) -> None:
    result = lint_copy(tmp_path, {
        # placed nowhere: the layers are exhaustive
        "stray.py": "VALUE = 1\n",
        # a core package that reaches up and sideways
        "alerts.py": "import PyQt6\nimport sqlalchemy\nimport vlc\n\nimport videowall.ui\n",
    })
    out = result.stdout
    assert result.returncode != 0
    assert "The following modules are not listed as layers:\n\n- videowall.stray" in out
    assert "videowall.alerts -> PyQt6" in out
    assert "videowall.alerts -> sqlalchemy" in out
    assert "videowall.alerts -> vlc" in out
    assert "videowall.alerts is not allowed to import videowall.ui" in out
