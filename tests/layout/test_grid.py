"""Grid geometry as plain data: presets, normalize, pixel rectangles, JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videowall.layout.grid import (
    MAX_SIDE,
    PRESETS,
    Cell,
    GridLayout,
    alarm_cell,
    cell_rect,
    normalize,
    preset,
)


def _coverage(layout: GridLayout) -> list[tuple[int, int]]:
    """Every grid square a cell covers (a square covered twice appears twice)."""
    return [
        (r, c)
        for cell in layout.cells
        for r in range(cell.row, cell.row + cell.rowspan)
        for c in range(cell.col, cell.col + cell.colspan)
    ]


@pytest.mark.parametrize(
    ("spec", "rows", "cols", "tiles", "first"),
    [
        ("1x1", 1, 1, 1, Cell(0, 0)),
        ("2x2", 2, 2, 4, Cell(0, 0)),
        ("3x3", 3, 3, 9, Cell(0, 0)),
        ("4x4", 4, 4, 16, Cell(0, 0)),
        ("1+5", 3, 3, 6, Cell(0, 0, 2, 2)),
        ("1+7", 4, 4, 8, Cell(0, 0, 3, 3)),
        ("2+8", 4, 4, 10, Cell(0, 0, 2, 2)),
        ("1+12", 4, 4, 13, Cell(1, 1, 2, 2)),
        ("5x5", 5, 5, 25, Cell(0, 0)),
        ("6x6", 6, 6, 36, Cell(0, 0)),
    ],
)
def test_presets(spec: str, rows: int, cols: int, tiles: int, first: Cell) -> None:
    layout = preset(spec)
    assert (layout.name, layout.rows, layout.cols, len(layout)) == (spec, rows, cols, tiles)
    assert layout.cells[0] == first


def test_every_preset_is_listed_and_tiles_its_grid_exactly_once() -> None:
    assert len(PRESETS) == len(set(PRESETS))
    for spec in PRESETS:
        layout = preset(spec)
        squares = _coverage(layout)
        assert sorted(squares) == [(r, c) for r in range(layout.rows) for c in range(layout.cols)]


def test_two_plus_eight_has_two_big_tiles_on_top() -> None:
    cells = preset("2+8").cells
    assert cells[:2] == (Cell(0, 0, 2, 2), Cell(0, 2, 2, 2))
    assert all(c.rowspan == c.colspan == 1 and c.row >= 2 for c in cells[2:])


def test_one_plus_twelve_rings_the_centre() -> None:
    small = preset("1+12").cells[1:]
    assert Cell(0, 0) in small and Cell(3, 3) in small
    assert not any(c.row in (1, 2) and c.col in (1, 2) for c in small)


@pytest.mark.parametrize(("spec", "name"), [("2x3", "2x3"), (" 8X8 ", "8x8"), ("1 x 4", "1x4")])
def test_any_rows_by_cols(spec: str, name: str) -> None:
    layout = preset(spec)
    rows, cols = (int(n) for n in name.split("x"))
    assert (layout.name, layout.rows, layout.cols, len(layout)) == (name, rows, cols, rows * cols)


@pytest.mark.parametrize("spec", ["", "abc", "9x9", "0x2", "2x0", "3x", "1+6", "-1x2", "2x2x2"])
def test_unknown_grids_say_what_is_accepted(spec: str) -> None:
    with pytest.raises(ValueError) as info:
        preset(spec)
    message = str(info.value)
    assert message.startswith(f"unknown grid {spec.strip().lower()!r}")
    assert ", ".join(PRESETS) in message
    assert f"{MAX_SIDE}x{MAX_SIDE}" in message


def test_normalize_clamps_spans_and_drops_covered_cells() -> None:
    layout = normalize(
        "custom", 3, 3,
        (Cell(0, 0, 2, 5), Cell(0, 1), Cell(2, 2, 4, 4), Cell(1, 2), Cell(5, 5), Cell(-1, 0)),
    )
    assert layout == GridLayout("custom", 3, 3, (Cell(0, 0, 2, 3), Cell(2, 2, 1, 1)))


def test_normalize_clamps_the_grid_size() -> None:
    assert (normalize("x", 0, 99, ()).rows, normalize("x", 0, 99, ()).cols) == (1, MAX_SIDE)
    layout = normalize("x", 1, 1, (Cell(0, 0, 0, -3),))
    assert layout.cells == (Cell(0, 0, 1, 1),)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.integers(-2, 12), st.integers(-2, 12),
    st.lists(st.builds(Cell, st.integers(-2, 10), st.integers(-2, 10), st.integers(-2, 10),
                       st.integers(-2, 10)), max_size=30),
)
def test_normalize_never_overlaps_or_leaves_the_grid(rows: int, cols: int,
                                                     cells: list[Cell]) -> None:
    layout = normalize("any", rows, cols, tuple(cells))
    assert 1 <= layout.rows <= MAX_SIDE and 1 <= layout.cols <= MAX_SIDE
    squares = _coverage(layout)
    assert len(squares) == len(set(squares))
    assert all(0 <= r < layout.rows and 0 <= c < layout.cols for r, c in squares)
    assert normalize("any", layout.rows, layout.cols, layout.cells) == layout


def test_cell_rect_pixels() -> None:
    assert cell_rect(Cell(0, 0), 2, 2, 1920, 1080) == (0, 0, 960, 540)
    assert cell_rect(Cell(1, 1), 2, 2, 1920, 1080) == (960, 540, 960, 540)
    assert cell_rect(Cell(0, 0, 2, 2), 3, 3, 900, 600) == (0, 0, 600, 400)
    assert cell_rect(Cell(1, 1), 2, 2, 100, 100, gap=2) == (52, 52, 46, 46)
    assert cell_rect(Cell(0, 0), 4, 4, 4, 4, gap=5) == (5, 5, 1, 1)


@pytest.mark.parametrize("spec", PRESETS)
@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1001, 777)])
def test_cell_rects_tile_the_wall_without_gaps(spec: str, width: int, height: int) -> None:
    layout = preset(spec)
    area = 0
    for cell in layout.cells:
        x, y, w, h = cell_rect(cell, layout.rows, layout.cols, width, height)
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
        area += w * h
    assert area == width * height


@pytest.mark.parametrize("spec", [*PRESETS, "2x5"])
def test_json_round_trip(spec: str) -> None:
    layout = preset(spec)
    data = json.loads(json.dumps(layout.to_json()))
    assert GridLayout.from_json(data) == layout


def test_json_shape_and_normalize_on_load() -> None:
    assert preset("1+5").to_json() == {
        "name": "1+5", "rows": 3, "cols": 3,
        "cells": [[0, 0, 2, 2], [0, 2, 1, 1], [1, 2, 1, 1], [2, 0, 1, 1], [2, 1, 1, 1],
                  [2, 2, 1, 1]],
    }
    loaded = GridLayout.from_json(
        {"name": "odd", "rows": "2", "cols": 2, "cells": [[0, 0, 2, 2], [1, 1, 1, 1]]}
    )
    assert loaded == GridLayout("odd", 2, 2, (Cell(0, 0, 2, 2),))


def test_json_without_rows_fails() -> None:
    with pytest.raises(KeyError):
        GridLayout.from_json({"name": "x", "cols": 2, "cells": []})


@pytest.mark.parametrize(("spec", "expected"), [
    ("1+5", 0), ("1+7", 0), ("1+12", 0), ("2+8", 0), ("3x3", None), ("1x1", None),
    ("6x6", None),
])
def test_the_alarm_tile_is_the_first_large_one(spec: str, expected: int | None) -> None:
    assert alarm_cell(preset(spec)) == expected
