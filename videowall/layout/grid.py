"""Grid geometry: cells with row and column spans, free of widgets.

A layout is plain data so it can be tested as data and stored as JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One tile's place in the grid, in grid units."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class GridLayout:
    """A named arrangement of tiles on a ``rows x cols`` grid."""

    name: str
    rows: int
    cols: int
    cells: tuple[Cell, ...]

    def __len__(self) -> int:
        return len(self.cells)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "rows": self.rows,
            "cols": self.cols,
            "cells": [[c.row, c.col, c.rowspan, c.colspan] for c in self.cells],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> GridLayout:
        cells_raw = data.get("cells", [])
        assert isinstance(cells_raw, list)
        cells = tuple(Cell(*map(int, c)) for c in cells_raw)
        return normalize(str(data.get("name", "")), int(str(data["rows"])),
                         int(str(data["cols"])), cells)


#: Grid presets offered in the menu, in order.
PRESETS = ("1x1", "2x2", "3x3", "4x4", "1+5", "1+7", "2+8", "1+12", "5x5", "6x6")

MAX_SIDE = 8


def _uniform(name: str, rows: int, cols: int) -> GridLayout:
    cells = tuple(Cell(r, c) for r in range(rows) for c in range(cols))
    return GridLayout(name, rows, cols, cells)


def _big_plus_ring(name: str, side: int, big: int) -> GridLayout:
    """One ``big x big`` tile in the top-left corner, small tiles around it."""
    cells = [Cell(0, 0, big, big)]
    cells += [
        Cell(r, c) for r in range(side) for c in range(side) if not (r < big and c < big)
    ]
    return GridLayout(name, side, side, tuple(cells))


def _two_plus_eight() -> GridLayout:
    cells = [Cell(0, 0, 2, 2), Cell(0, 2, 2, 2)]
    cells += [Cell(r, c) for r in (2, 3) for c in range(4)]
    return GridLayout("2+8", 4, 4, tuple(cells))


def _one_plus_twelve() -> GridLayout:
    cells = [Cell(1, 1, 2, 2)]
    cells += [
        Cell(r, c) for r in range(4) for c in range(4) if not (r in (1, 2) and c in (1, 2))
    ]
    return GridLayout("1+12", 4, 4, tuple(cells))


def preset(spec: str) -> GridLayout:
    """The layout named ``spec``: a preset (``1+5``) or any ``RxC`` up to 8x8.

    Raises ValueError with the accepted forms in the message.
    """
    spec = spec.strip().lower()
    if spec == "1+5":
        return _big_plus_ring("1+5", 3, 2)
    if spec == "1+7":
        return _big_plus_ring("1+7", 4, 3)
    if spec == "2+8":
        return _two_plus_eight()
    if spec == "1+12":
        return _one_plus_twelve()
    match = re.fullmatch(r"(\d+)\s*x\s*(\d+)", spec)
    if match:
        rows, cols = int(match.group(1)), int(match.group(2))
        if 1 <= rows <= MAX_SIDE and 1 <= cols <= MAX_SIDE:
            return _uniform(f"{rows}x{cols}", rows, cols)
    raise ValueError(
        f"unknown grid {spec!r}: use one of {', '.join(PRESETS)} or RxC up to "
        f"{MAX_SIDE}x{MAX_SIDE}"
    )


def normalize(name: str, rows: int, cols: int, cells: tuple[Cell, ...]) -> GridLayout:
    """Clamp spans into the grid and drop cells covered by an earlier cell."""
    rows = max(1, min(MAX_SIDE, rows))
    cols = max(1, min(MAX_SIDE, cols))
    taken: set[tuple[int, int]] = set()
    kept: list[Cell] = []
    for cell in cells:
        if not (0 <= cell.row < rows and 0 <= cell.col < cols):
            continue
        rowspan = max(1, min(cell.rowspan, rows - cell.row))
        colspan = max(1, min(cell.colspan, cols - cell.col))
        area = {
            (r, c)
            for r in range(cell.row, cell.row + rowspan)
            for c in range(cell.col, cell.col + colspan)
        }
        if area & taken:
            continue
        taken |= area
        kept.append(Cell(cell.row, cell.col, rowspan, colspan))
    return GridLayout(name, rows, cols, tuple(kept))


def cell_rect(
    cell: Cell, rows: int, cols: int, width: int, height: int, gap: int = 0
) -> tuple[int, int, int, int]:
    """Pixel rectangle ``(x, y, w, h)`` of ``cell`` on a ``width x height`` wall."""
    x0 = cell.col * width // cols
    x1 = (cell.col + cell.colspan) * width // cols
    y0 = cell.row * height // rows
    y1 = (cell.row + cell.rowspan) * height // rows
    return x0 + gap, y0 + gap, max(1, x1 - x0 - 2 * gap), max(1, y1 - y0 - 2 * gap)


def alarm_cell(grid: GridLayout) -> int | None:
    """The tile raised cameras go to: the first of the grid's largest tiles when they are
    larger than the others (the big tile of 1+5, 1+7, 1+12, 2+8), else None."""
    if not grid.cells:
        return None
    areas = [cell.rowspan * cell.colspan for cell in grid.cells]
    largest = max(areas)
    if largest == min(areas):
        return None
    return areas.index(largest)
