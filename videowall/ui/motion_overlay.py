"""What motion analysis draws over a tile's picture: zones, masks, motion boxes, lanes.

The analysis is the session's (:meth:`~videowall.wall.session.WallSession.overlay`); a
tile asks for it while its motion overlay is on and paints it with :func:`paint_motion`
over the part of the tile its picture covers. Coordinates are shares of the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QPointF, QRect, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF

from videowall.motion.analyser import Overlay

#: Outline of a zone where motion counts; of a traffic lane; of a mask (never counts).
ZONE_COLOUR = QColor("#4fc3f7")
LANE_COLOUR = QColor("#ffca28")
MASK_FILL = QColor(0, 0, 0, 110)
#: A box around what moved.
BOX_COLOUR = QColor("#ff5252")
#: A lane's occupancy bar: flowing, standing still, a queue.
BAR_FLOWING = QColor("#66bb6a")
BAR_STILL = QColor("#ffca28")
BAR_QUEUE = QColor("#ef5350")


def _polygon(points: Sequence[tuple[float, float]], target: QRect) -> QPolygonF:
    return QPolygonF([QPointF(target.x() + x * target.width(), target.y() + y * target.height())
                      for x, y in points])


def paint_motion(p: QPainter, target: QRect, overlay: Overlay, font_px: int) -> None:
    """Paint ``overlay`` over the picture that fills ``target``."""
    p.save()
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(MASK_FILL, Qt.BrushStyle.BDiagPattern))
        for mask in overlay.masks:
            p.drawPolygon(_polygon(mask, target))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for zone in overlay.zones:
            lane = zone.kind == "lane"
            pen = QPen(LANE_COLOUR if lane else ZONE_COLOUR, 1.5,
                       Qt.PenStyle.SolidLine if lane else Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawPolygon(_polygon(zone.polygon, target))
        p.setPen(QPen(BOX_COLOUR, 2.0))
        for _zone, (x, y, w, h) in overlay.boxes:
            p.drawRect(QRectF(target.x() + x * target.width(), target.y() + y * target.height(),
                              w * target.width(), h * target.height()))
        _paint_lanes(p, target, overlay, font_px)
    finally:
        p.restore()


def _paint_lanes(p: QPainter, target: QRect, overlay: Overlay, font_px: int) -> None:
    """A small bar per lane at its lowest point: how full it is, and whether it moves."""
    outlines = {zone.name: zone.polygon for zone in overlay.zones if zone.kind == "lane"}
    font = QFont()
    font.setPixelSize(max(8, font_px - 3))
    font.setBold(True)
    p.setFont(font)
    bar_w = max(36, target.width() // 8)
    bar_h = max(5, font_px // 2)
    for lane in overlay.lanes:
        polygon = outlines.get(lane.name)
        if not polygon:
            continue
        cx = sum(x for x, _ in polygon) / len(polygon)
        bottom = max(y for _, y in polygon)
        x = round(target.x() + cx * target.width() - bar_w / 2)
        y = round(target.y() + min(bottom, 0.97) * target.height()) - bar_h - font_px - 4
        x = max(target.x() + 2, min(x, target.right() - bar_w - 2))
        y = max(target.y() + 2, y)
        colour = BAR_QUEUE if lane.congested else (BAR_FLOWING if lane.moving else BAR_STILL)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRect(QRect(x - 1, y - 1, bar_w + 2, bar_h + font_px + 6))
        p.setBrush(colour)
        p.drawRect(QRect(x, y, round(bar_w * max(0.0, min(1.0, lane.occupancy))), bar_h))
        p.setPen(QColor("#ffffff"))
        words = f"{lane.occupancy:.0%}" + (" queue" if lane.congested else "")
        p.drawText(QRect(x, y + bar_h + 1, bar_w, font_px + 4),
                   int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), words)
