"""One tile of the wall: a camera's latest picture with a status overlay on top.

The tile never pulls frames by itself: the wall's repaint timer asks :meth:`TileWidget.
needs_repaint` and calls ``update()``; the paint event then takes the slot's newest frame.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QMimeData, QPoint, QRect, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QKeySequence,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PyQt6.QtWidgets import QApplication, QMenu, QWidget

from videowall.motion.analyser import Overlay
from videowall.registry.model import Camera
from videowall.store.records import Alert
from videowall.streams.base import StreamState
from videowall.streams.frame import Frame, FrameSlot, Image
from videowall.ui import theme
from videowall.ui.motion_overlay import paint_motion
from videowall.wall.status import (
    TileStatus,
)

log = logging.getLogger(__name__)

#: MIME type of a dragged camera: the camera id as UTF-8.
CAMERA_MIME = "application/x-videowall-camera"
#: MIME type added when the drag started on a tile: the source tile index.
TILE_MIME = "application/x-videowall-tile"

#: How much a tile that is not live darkens its last good frame (0-255).
DIM_ALPHA = 150
def camera_mime(camera_id: str, source_tile: int = -1) -> QMimeData:
    """Drag data for ``camera_id`` (plain text too, so other programs can take it)."""
    mime = QMimeData()
    mime.setData(CAMERA_MIME, camera_id.encode("utf-8"))
    mime.setText(camera_id)
    if source_tile >= 0:
        mime.setData(TILE_MIME, str(source_tile).encode("ascii"))
    return mime


def camera_id_from_mime(mime: QMimeData | None) -> str | None:
    """The camera id a drag carries, or None when it carries none."""
    if mime is None:
        return None
    if mime.hasFormat(CAMERA_MIME):
        text = bytes(mime.data(CAMERA_MIME).data()).decode("utf-8", "replace")
    elif mime.hasText():
        text = mime.text()
    else:
        return None
    text = text.strip()
    if not text or len(text) > 200 or any(ch.isspace() for ch in text):
        return None
    return text


def source_tile_from_mime(mime: QMimeData | None) -> int:
    """The tile a drag started on, or -1 (camera list, another program)."""
    if mime is None or not mime.hasFormat(TILE_MIME):
        return -1
    try:
        return int(bytes(mime.data(TILE_MIME).data()).decode("ascii"))
    except ValueError:
        return -1


def painted_parts(image: QImage) -> list[QRect]:
    """Bounding boxes of the horizontal bands of ``image`` that hold any non-transparent
    pixel: blending a mostly empty overlay over every frame would cost a full-tile pass."""
    w, h = image.width(), image.height()
    if w == 0 or h == 0:
        return []
    bits = image.constBits()
    if bits is None:
        return [image.rect()]
    bits.setsize(image.sizeInBytes())
    buffer = cast(bytes, bits)  # sip.voidptr has the buffer protocol
    pixels = np.frombuffer(buffer, np.uint8).reshape(h, image.bytesPerLine() // 4, 4)
    alpha: npt.NDArray[np.bool_] = np.asarray(pixels[:, :w, 3] > 0)
    rows: npt.NDArray[np.bool_] = np.asarray(alpha.any(axis=1))
    parts: list[QRect] = []
    y = 0
    while y < h:
        if not rows[y]:
            y += 1
            continue
        end = y
        while end < h and rows[end]:
            end += 1
        cols = np.flatnonzero(alpha[y:end].any(axis=0))
        parts.append(QRect(int(cols[0]), y, int(cols[-1] - cols[0] + 1), end - y))
        y = end
    return parts


def bars_around(outer: QRect, inner: QRect) -> list[QRect]:
    """The parts of ``outer`` that ``inner`` does not cover (letterbox bars)."""
    inner = inner.intersected(outer)
    if inner.isEmpty():
        return [outer]
    bars = [
        QRect(outer.left(), outer.top(), outer.width(), inner.top() - outer.top()),
        QRect(outer.left(), inner.bottom() + 1, outer.width(), outer.bottom() - inner.bottom()),
        QRect(outer.left(), inner.top(), inner.left() - outer.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), outer.right() - inner.right(), inner.height()),
    ]
    return [b for b in bars if b.width() > 0 and b.height() > 0]


def letterbox(width: int, height: int, aspect: float) -> QRect:
    """The largest rectangle of display ``aspect`` centred in ``width x height``."""
    if aspect <= 0 or width <= 0 or height <= 0:
        return QRect(0, 0, max(0, width), max(0, height))
    w = float(width)
    h = w / aspect
    if h > height:
        h = float(height)
        w = h * aspect
    iw, ih = round(w), round(h)
    return QRect((width - iw) // 2, (height - ih) // 2, iw, ih)


def frame_to_qimage(image: Image) -> tuple[QImage, Image]:
    """A ``Format_RGB32`` view of a BGRX array, without copying when the array allows it.

    Returns the image and the array it reads: keep both alive together.
    """
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        raise ValueError(f"expected an HxWx4 uint8 frame, got {image.shape} {image.dtype}")
    if not image.flags["C_CONTIGUOUS"]:
        image = np.ascontiguousarray(image)
    height, width = int(image.shape[0]), int(image.shape[1])
    # PyQt reads any buffer here (its stub says bytes); the QImage then points into the
    # array, which is why the caller keeps the array for as long as the image.
    data = cast(bytes, image.data)
    qimage = QImage(data, width, height, int(image.strides[0]), QImage.Format.Format_RGB32)
    return qimage, image


class TileWidget(QWidget):
    """One tile: the picture of a camera, letterboxed, with name, site, state and clock.

    A tile that is not live keeps its last good frame, dimmed, with the state and a
    running timer in the middle (``STALLED 00:42``: how long since the camera was last
    live), the reason below it and when the next retry is. A live tile shows, on demand,
    a small box with the stream's fps, resolution, bitrate and backend. An empty tile
    invites a drop.

    Signals:
        camera_dropped: a camera was dropped on this tile.
        maximise_requested: the operator double-clicked this tile.
        clicked: the operator clicked this tile (the wall selects it).
        clear_requested: the operator asked to empty this tile.
        retry_requested: the operator asked to connect this tile's camera again now.
        acknowledge_requested: the operator asked to acknowledge this tile's alert.
        alarm_pinned: the operator pinned (True) or unpinned the raised camera of the
            alarm tile.
        alarm_skipped: the operator asked for the next raised camera.
    """

    #: (tile index, camera id, source tile index or -1 when not dragged from a tile)
    camera_dropped = pyqtSignal(int, str, int)
    #: (tile index) maximise this tile, or restore the grid when it is maximised
    maximise_requested = pyqtSignal(int)
    #: (tile index)
    clicked = pyqtSignal(int)
    #: (tile index)
    clear_requested = pyqtSignal(int)
    #: (tile index)
    retry_requested = pyqtSignal(int)
    #: (tile index)
    acknowledge_requested = pyqtSignal(int)
    #: (pinned)
    alarm_pinned = pyqtSignal(bool)
    #: ()
    alarm_skipped = pyqtSignal()

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        #: What the tile knows of its camera and says about it (decided in the core).
        self.status = TileStatus()
        #: The tile shows a camera raised by an alert (it is the alarm tile), and whether
        #: the operator pinned it there.
        self.alarm_raised = False
        self.alarm_pinned_now = False
        self.site = ""
        self.agency_colour = ""
        #: Whether the operator asked for the stream info box on this tile.
        self.show_info = False
        self._info_all = False
        #: Whether the operator asked for motion boxes and zone outlines on this tile.
        self.show_motion = False
        self._motion_all = False
        #: What motion analysis draws over the picture (the wall hands it over).
        self._motion: Overlay | None = None
        self._picture_rect = QRect()
        #: Frames painted whose sequence number differed from the one painted before.
        self.frames_rendered = 0
        #: ``time.monotonic()`` of the first and of the latest rendered frame.
        self.first_frame_t: float | None = None
        self.last_frame_t: float | None = None
        self._slot: FrameSlot | None = None
        self._frame: Frame | None = None
        self._image: QImage | None = None
        self._image_array: Image | None = None  # the buffer self._image points into
        self._painted_seq = 0
        self._clock = ""
        self._selected = False
        self._maximised = False
        self._drop_hover = False
        self._press_pos: QPoint | None = None
        self._overlay_image: QImage | None = None
        self._overlay_key: object = None
        #: The parts of the overlay that hold anything, drawn instead of the whole layer.
        self._overlay_parts: list[QRect] = []
        self.setAcceptDrops(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(QSize(16, 12))

    # -- the status, as the wall and the report read it ------------------------------------

    @property
    def camera(self) -> Camera | None:
        return self.status.camera

    @property
    def state(self) -> StreamState | None:
        return self.status.state

    @property
    def detail(self) -> str:
        return self.status.detail

    @property
    def state_since(self) -> float:
        """Wall-clock time the camera was last live, or went live (the timer counts from
        here; "since 14:02:11")."""
        return self.status.state_since

    @property
    def stats(self) -> dict[str, Any]:
        """The stream's statistics as the wall last handed them over (see
        :meth:`videowall.streams.base.Decoder.stats_dict`); empty without a stream."""
        return self.status.stats

    @property
    def retry_at(self) -> float:
        """``time.monotonic()`` of the stream's next connection attempt, or 0."""
        return self.status.retry_at

    @retry_at.setter
    def retry_at(self, value: float) -> None:
        self.status.retry_at = value

    # -- what the wall sets -------------------------------------------------------------

    def set_camera(
        self,
        camera: Camera,
        slot: FrameSlot | None,
        *,
        site: str = "",
        agency_colour: str = "",
    ) -> None:
        """Show ``camera`` from ``slot`` (None: a camera that streams nothing, e.g. disabled)."""
        self.site = site
        self.agency_colour = agency_colour
        if self.status.show(camera):
            # Another camera: its state and timer come with it (set_state follows).
            self._slot = slot
            self._reset_frames()
        elif slot is not self._slot:
            # The same camera from a restarted decoder: keep its last picture on screen
            # until the new decoder delivers one.
            self._slot = slot
            self._painted_seq = 0
        self._update_tooltip()
        self.update()

    def clear_camera(self) -> None:
        """Empty the tile."""
        self.status.clear()
        self._slot = None
        self._reset_frames()
        self.setToolTip("")
        self.update()

    def set_state(self, state: StreamState, detail: str = "", since: float | None = None) -> None:
        """Show ``state`` with ``detail`` (the reason in words).

        ``since`` is the wall-clock time the camera was last live (or went live), when
        the caller knows it from the stream's history; otherwise the tile keeps its own:
        retries that go from offline to reconnecting and back do not move it.
        """
        if not self.status.set_state(state, detail, since):
            return
        self._update_tooltip()
        self.update()

    @property
    def bucket(self) -> str:
        """The status-bar bucket of the camera (see :attr:`TileStatus.bucket`)."""
        return self.status.bucket

    def set_stats(self, stats: Mapping[str, Any], now: float | None = None) -> None:
        """Take the stream's statistics (the wall hands them over once a second)."""
        self.status.set_stats(stats, now)

    def set_info_all(self, shown: bool) -> None:
        """Show the stream info box on this tile whatever its own choice (the View menu)."""
        if shown != self._info_all:
            self._info_all = shown
            self.update()

    def set_show_info(self, shown: bool) -> None:
        """Show or hide this tile's stream info box (context menu, key I)."""
        if shown != self.show_info:
            self.show_info = shown
            self.update()

    def set_motion_all(self, shown: bool) -> None:
        """Show motion boxes and zone outlines on this tile whatever its own choice."""
        if shown != self._motion_all:
            self._motion_all = shown
            self.update()

    def set_show_motion(self, shown: bool) -> None:
        """Show or hide this tile's motion boxes and zone outlines (context menu, key M)."""
        if shown != self.show_motion:
            self.show_motion = shown
            self.update()

    @property
    def motion_visible(self) -> bool:
        """Whether the tile draws motion boxes, zones and lanes over its picture."""
        return (self.show_motion or self._motion_all) and self.camera is not None

    def set_motion_overlay(self, overlay: Overlay | None) -> None:
        """What motion analysis found in the newest picture (the wall, on each tick)."""
        if overlay != self._motion:
            self._motion = overlay
            if self.motion_visible:
                self.update()

    def set_clock(self, text: str) -> None:
        if text != self._clock:
            self._clock = text
            if self.camera is not None:
                self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    def set_maximised(self, maximised: bool) -> None:
        self._maximised = maximised

    # -- what the wall and the report read ---------------------------------------------------

    @property
    def slot(self) -> FrameSlot | None:
        return self._slot

    @property
    def selected(self) -> bool:
        return self._selected

    @property
    def is_live(self) -> bool:
        return self.status.is_live

    @property
    def info_visible(self) -> bool:
        """Whether the stream info box shows (it shows on live tiles only)."""
        return (self.show_info or self._info_all) and self.is_live

    @property
    def can_retry(self) -> bool:
        """Whether "Retry now" makes sense: a streamed camera that is not live."""
        return self.status.can_retry

    def needs_repaint(self) -> bool:
        """True when the slot holds a frame this tile has not painted yet."""
        return self._slot is not None and self._slot.seq != self._painted_seq

    @property
    def frame_size(self) -> tuple[int, int]:
        """Width and height of the last frame painted, (0, 0) before the first."""
        if self._frame is None:
            return 0, 0
        return self._frame.width, self._frame.height

    def fps(self, now: float | None = None) -> float:
        """Frames rendered per second since this tile's first frame."""
        if self.first_frame_t is None:
            return 0.0
        now = time.monotonic() if now is None else now
        elapsed = now - self.first_frame_t
        return self.frames_rendered / elapsed if elapsed > 0 else 0.0

    def status_text(self) -> str:
        """The state in words on one line: ``OFFLINE — connection refused``."""
        return self.status.status_text()

    def status_lines(
        self, now: float | None = None, now_monotonic: float | None = None
    ) -> tuple[str, str, str]:
        """What the tile says, line by line (see :meth:`TileStatus.status_lines`)."""
        return self.status.status_lines(now, now_monotonic, has_picture=self._frame is not None)

    def info_lines(self) -> tuple[str, str]:
        """The stream info box: ``25.0 fps · 640×360`` and ``1.2 Mb/s · ffmpeg``."""
        return self.status.info_lines(self.frame_size)

    # -- painting --------------------------------------------------------------------------

    def _reset_frames(self) -> None:
        self._frame = None
        self._image = None
        self._image_array = None
        self._painted_seq = 0
        self.frames_rendered = 0
        self.first_frame_t = None
        self.last_frame_t = None

    def _take_latest_frame(self) -> None:
        slot = self._slot
        if slot is None or slot.seq == self._painted_seq:
            return
        frame = slot.latest()
        if frame is None:  # the decoder cleared its slot: keep the last good frame
            self._painted_seq = slot.seq
            return
        self._painted_seq = frame.seq
        try:
            self._image, self._image_array = frame_to_qimage(frame.image)
        except ValueError:
            log.exception("tile %d: cannot paint a frame of %s", self.index, self._camera_id)
            return
        self._frame = frame
        now = time.monotonic()
        self.frames_rendered += 1
        if self.first_frame_t is None:
            self.first_frame_t = now
        self.last_frame_t = now

    @property
    def _camera_id(self) -> str:
        return self.camera.id if self.camera else "-"

    def _font_px(self) -> int:
        return max(9, min(15, self.height() // 16, self.width() // 26))

    def paintEvent(self, a0: QPaintEvent | None) -> None:
        painter = QPainter(self)
        try:
            rect = self.rect()
            # A partial repaint (a menu closing above the tile) must not swallow a new
            # frame that the rest of the tile would then never show.
            if a0 is None or a0.rect().contains(rect):
                self._take_latest_frame()
            if self.camera is None:
                self._paint_empty(painter, rect)
            else:
                self._paint_picture(painter, rect)
                if self.motion_visible and self._motion is not None:
                    paint_motion(painter, self._picture_rect, self._motion, self._font_px())
                overlay = self._overlay(rect)
                for part in self._overlay_parts:
                    painter.drawImage(part.topLeft(), overlay, part)
            self._paint_frame_border(painter, rect)
            if self.status.alert is not None and self.camera is not None:
                self._paint_alert_mark(painter, rect, self.status.alert)
        finally:
            painter.end()

    def _paint_picture(self, p: QPainter, rect: QRect) -> None:
        if self._image is None or self._frame is None:
            p.fillRect(rect, QColor("#000000"))
            return
        target = letterbox(rect.width(), rect.height(), self._frame.aspect)
        image = self._image
        dw, dh = image.width() - target.width(), image.height() - target.height()
        if self.devicePixelRatioF() == 1.0 and -2 <= dw <= image.width() // 16 and (
            -2 <= dh <= image.height() // 16
        ):
            # Decoders scale to the tile's size; a picture a little off (a decoder that
            # is about to be resized, a shared camera) is centred, or its edges cropped,
            # rather than smoothly rescaled on the GUI thread for every frame.
            crop_w, crop_h = max(0, dw), max(0, dh)
            source = QRect(crop_w // 2, crop_h // 2,
                           image.width() - crop_w, image.height() - crop_h)
            placed = QRect(QPoint(0, 0), source.size())
            placed.moveCenter(target.center())
            p.drawImage(placed.topLeft(), image, source)
            target = placed
        else:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, image)
        self._picture_rect = target
        # black bars only: the picture covers the rest
        for bar in bars_around(rect, target):
            p.fillRect(bar, QColor("#000000"))
        if not self.is_live:
            p.fillRect(target, QColor(0, 0, 0, DIM_ALPHA))

    def _paint_empty(self, p: QPainter, rect: QRect) -> None:
        fs = self._font_px()
        m = max(4, fs // 2)
        p.fillRect(rect, QColor(theme.EMPTY_TILE))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#2c333b"), 1.0, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRoundedRect(rect.adjusted(m, m, -m - 1, -m - 1), 6, 6)
        p.setPen(QColor(theme.MUTED))
        p.setFont(self._font(fs))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Drop a camera here")
        p.setPen(QColor(theme.DISABLED_TEXT))
        p.setFont(self._font(max(8, fs - 2)))
        p.drawText(
            rect.adjusted(2 * m, 2 * m, 0, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            str(self.index + 1),
        )

    def _overlay(self, rect: QRect) -> QImage:
        """The text layer, drawn again only when its words, clock or size change."""
        lines = self.status_lines()
        info = self.info_lines() if self.info_visible else None
        key = (
            rect.size(),
            self.camera,
            self.site,
            self.agency_colour,
            self.state,
            lines,
            info,
            self._clock,
        )
        if self._overlay_image is None or key != self._overlay_key:
            ratio = self.devicePixelRatioF()
            image = QImage(
                round(rect.width() * ratio),
                round(rect.height() * ratio),
                QImage.Format.Format_ARGB32_Premultiplied,
            )
            image.setDevicePixelRatio(ratio)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            try:
                self._paint_overlay(painter, rect, lines, info)
            finally:
                painter.end()
            self._overlay_image, self._overlay_key = image, key
            self._overlay_parts = (
                painted_parts(image) if ratio == 1.0 else [QRect(0, 0, rect.width(),
                                                                 rect.height())]
            )
        return self._overlay_image

    def _paint_overlay(
        self,
        p: QPainter,
        rect: QRect,
        lines: tuple[str, str, str],
        info: tuple[str, str] | None,
    ) -> None:
        assert self.camera is not None
        fs = self._font_px()
        m = max(4, fs // 2)
        w = rect.width()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)

        self._paint_header(p, w, fs, m)

        state = self.state or StreamState.CONNECTING
        headline, reason, note = lines
        if state == StreamState.LIVE:
            self._paint_pill(p, rect, headline, state, max(8, fs - 2), centred=False)
            if info is not None:
                self._paint_info(p, rect, info)
            return
        pill = self._paint_pill(p, rect, headline, state, fs, centred=True)
        y = pill.bottom() + max(3, fs // 3)
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        if reason:
            font = self._font(max(8, fs - 1), bold=True)
            p.setFont(font)
            text = QFontMetrics(font).elidedText(reason, Qt.TextElideMode.ElideRight, w - 2 * m)
            box = QRect(m, y, w - 2 * m, fs + 4)
            self._shadowed_text(p, box, centre, text, QColor(theme.TEXT))
            y = box.bottom() + 2
        if note and y + fs < rect.height():
            font = self._font(max(8, fs - 2))
            p.setFont(font)
            text = QFontMetrics(font).elidedText(note, Qt.TextElideMode.ElideRight, w - 2 * m)
            self._shadowed_text(p, QRect(m, y, w - 2 * m, fs + 4), centre, text,
                                QColor("#c3cad1"))

    def _paint_header(self, p: QPainter, w: int, fs: int, m: int) -> None:
        """The top of the tile: the camera's name and site on a dark band, the clock."""
        assert self.camera is not None
        # A dark band behind the text so it reads on any picture.
        band = int(fs * 3.2) + m
        grad = QLinearGradient(0, 0, 0, band)
        grad.setColorAt(0.0, QColor(0, 0, 0, 200))
        grad.setColorAt(0.6, QColor(0, 0, 0, 150))
        grad.setColorAt(1.0, QColor(0, 0, 0, 0))
        p.fillRect(QRect(0, 0, w, band), grad)

        # Clock, top right.
        clock_font = self._font(max(8, fs - 1), mono=True)
        clock_w = QFontMetrics(clock_font).horizontalAdvance(self._clock) if self._clock else 0
        if self._clock and w > clock_w + 6 * m:
            p.setFont(clock_font)
            self._shadowed_text(
                p,
                QRect(w - m - clock_w, m, clock_w, fs + 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._clock,
                QColor(theme.TEXT),
            )
        else:
            clock_w = 0

        # Name and site, top left, with the owner agency's colour as a stripe.
        x = m
        name_font = self._font(fs, bold=True)
        site_font = self._font(max(8, fs - 2))
        line2 = int(fs * 1.35)
        if self.agency_colour:
            p.fillRect(QRect(x, m + 1, 3, line2 + fs), QColor(self.agency_colour))
            x += 3 + max(3, m // 2)
        text_w = max(0, w - x - m - (clock_w + m if clock_w else 0))
        p.setFont(name_font)
        name = QFontMetrics(name_font).elidedText(
            self.camera.name, Qt.TextElideMode.ElideRight, text_w
        )
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self._shadowed_text(p, QRect(x, m, text_w, fs + 4), left, name, QColor("#ffffff"))
        if self.site:
            p.setFont(site_font)
            site_w = max(0, w - x - m)
            site = QFontMetrics(site_font).elidedText(
                self.site, Qt.TextElideMode.ElideRight, site_w
            )
            self._shadowed_text(
                p, QRect(x, m + line2, site_w, fs + 2), left, site, QColor("#c3cad1")
            )

    def _paint_info(self, p: QPainter, rect: QRect, info: tuple[str, str]) -> None:
        """The stream info box in the bottom right corner, beside the LIVE pill."""
        fs = max(8, self._font_px() - 2)
        m = max(4, self._font_px() // 2)
        font = self._font(fs, mono=True)
        fm = QFontMetrics(font)
        rows = [line for line in info if line]
        if not rows:
            return
        pad = max(3, fs // 3)
        text_w = max(fm.horizontalAdvance(line) for line in rows)
        box_w = min(text_w + 2 * pad, rect.width() // 2 + m)
        box_h = len(rows) * fm.height() + 2 * pad
        if box_h + 2 * m > rect.height() // 2:
            return  # too small a tile for figures anyone could read
        box = QRect(rect.width() - m - box_w, rect.height() - m - box_h, box_w, box_h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 215))  # figures must read on a white picture too
        p.drawRoundedRect(QRectF(box), 4, 4)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setFont(font)
        p.setPen(QColor(theme.TEXT))
        y = box.top() + pad
        for line in rows:
            text = fm.elidedText(line, Qt.TextElideMode.ElideRight, box_w - 2 * pad)
            p.drawText(QRect(box.left() + pad, y, box_w - 2 * pad, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            y += fm.height()

    def _paint_pill(
        self, p: QPainter, rect: QRect, text: str, state: StreamState, px: int, *, centred: bool
    ) -> QRect:
        """The state's coloured pill with ``text``; returns where it went."""
        style = theme.state_style(state)
        font = self._font(px, bold=True)
        fm = QFontMetrics(font)
        pad = max(4, px // 2)
        m = max(4, self._font_px() // 2)
        max_text_w = max(0, rect.width() - 2 * m - 2 * pad)
        text = fm.elidedText(text, Qt.TextElideMode.ElideRight, max_text_w)
        pill_w = fm.horizontalAdvance(text) + 2 * pad
        pill_h = fm.height() + pad // 2 + 2
        if centred:
            x = (rect.width() - pill_w) // 2
            # A little above the middle: the reason and the retry go below it.
            y = rect.height() // 2 - pill_h // 2 - 2 - px // 2
        else:
            x = m
            y = rect.height() - m - pill_h
        pill = QRect(x, y, pill_w, pill_h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(style.background))
        p.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
        p.setFont(font)
        p.setPen(QColor(style.foreground))
        p.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        p.setBrush(Qt.BrushStyle.NoBrush)
        return pill

    def _paint_alert_mark(self, p: QPainter, rect: QRect, alert: Alert) -> None:
        """A border in the alert's priority colour and, bottom right, what the alert is."""
        colour = theme.priority_colour(alert.priority)
        width = max(3, self._font_px() // 4)
        p.setPen(QPen(colour, float(width)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        half = width // 2
        p.drawRect(rect.adjusted(half, half, -half - 1, -half - 1))
        px = max(8, self._font_px() - 2)
        font = self._font(px, bold=True)
        fm = QFontMetrics(font)
        m = max(4, self._font_px() // 2) + width
        text = fm.elidedText(self.status.alert_label, Qt.TextElideMode.ElideRight,
                             max(0, rect.width() // 2))
        pad = max(3, px // 3)
        box = QRect(rect.width() - m - fm.horizontalAdvance(text) - 2 * pad,
                    m + int(self._font_px() * 3.2), fm.horizontalAdvance(text) + 2 * pad,
                    fm.height() + pad)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(box, 3, 3)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def set_alert(self, alert: Alert | None) -> None:
        """Mark the tile with ``alert`` (None: no mark)."""
        if alert != self.status.alert:
            self.status.alert = alert
            self._update_tooltip()
            self.update()

    def _paint_frame_border(self, p: QPainter, rect: QRect) -> None:
        if self._drop_hover:
            p.fillRect(rect, QColor(61, 139, 253, 60))
            p.setPen(QPen(QColor(theme.HIGHLIGHT), 3.0))
            p.drawRect(rect.adjusted(1, 1, -2, -2))
        elif self._selected:
            p.setPen(QPen(QColor(theme.HIGHLIGHT), 2.0))
            p.drawRect(rect.adjusted(1, 1, -1, -1))

    @staticmethod
    def _shadowed_text(
        p: QPainter, rect: QRect, flags: Qt.AlignmentFlag, text: str, colour: QColor
    ) -> None:
        """Text with a dark drop shadow, readable on a white picture too."""
        p.setPen(QColor(0, 0, 0, 200))
        p.drawText(rect.translated(1, 1), flags, text)
        p.setPen(colour)
        p.drawText(rect, flags, text)

    @staticmethod
    def _font(px: int, *, bold: bool = False, mono: bool = False) -> QFont:
        if mono:
            font = QFont("DejaVu Sans Mono")
            font.setStyleHint(QFont.StyleHint.Monospace)
        else:
            font = QFont()  # the application's font
        font.setPixelSize(px)
        font.setBold(bold)
        return font

    def _update_tooltip(self) -> None:
        if self.camera is None:
            self.setToolTip("")
            return
        lines = [f"{self.camera.name} ({self.camera.id})"]
        if self.site:
            lines.append(self.site)
        lines.append(self.status_text())
        if self.status.alert is not None:
            detail = self.status.alert.detail
            lines.append(self.status.alert_label + (f": {detail}" if detail else ""))
        self.setToolTip("\n".join(lines))

    # -- operator input --------------------------------------------------------------------

    def mousePressEvent(self, a0: QMouseEvent | None) -> None:
        if a0 is not None and a0.button() == Qt.MouseButton.LeftButton:
            self._press_pos = a0.position().toPoint()
            self.clicked.emit(self.index)
        super().mousePressEvent(a0)

    def mouseReleaseEvent(self, a0: QMouseEvent | None) -> None:
        self._press_pos = None
        super().mouseReleaseEvent(a0)

    def mouseMoveEvent(self, a0: QMouseEvent | None) -> None:
        if (
            a0 is None
            or self._press_pos is None
            or self.camera is None
            or not a0.buttons() & Qt.MouseButton.LeftButton
        ):
            return
        moved = (a0.position().toPoint() - self._press_pos).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self._press_pos = None
        drag = QDrag(self)
        drag.setMimeData(camera_mime(self.camera.id, self.index))
        drag.setPixmap(
            self.grab().scaled(
                160,
                90,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction)

    def mouseDoubleClickEvent(self, a0: QMouseEvent | None) -> None:
        if a0 is not None and a0.button() == Qt.MouseButton.LeftButton:
            self.maximise_requested.emit(self.index)
            a0.accept()

    def context_menu(self) -> QMenu:
        """The tile's context menu, its actions connected (the caller shows it)."""
        menu = QMenu(self)
        toggle = menu.addAction("Restore the grid" if self._maximised else "Maximise")
        if toggle is not None:
            toggle.triggered.connect(self._on_maximise_action_triggered)
        menu.addSeparator()
        if self.status.alert is not None:
            ack = menu.addAction(f"Acknowledge: {self.status.alert_label.title()}")
            if ack is not None:
                ack.triggered.connect(self._on_acknowledge_action_triggered)
        if self.alarm_raised:
            pin = menu.addAction("Pin this alarm here")
            if pin is not None:
                pin.setCheckable(True)
                pin.setChecked(self.alarm_pinned_now)
                pin.setToolTip("Keep this camera in the alarm tile until it is acknowledged")
                pin.triggered.connect(self.alarm_pinned.emit)
            skip = menu.addAction("Next alarm")
            if skip is not None:
                skip.setToolTip("Show the next raised camera now (this one waits its turn)")
                skip.triggered.connect(self._on_skip_action_triggered)
        retry = menu.addAction("Retry now")
        if retry is not None:
            retry.setEnabled(self.can_retry)
            retry.setToolTip("Connect to the camera again now, without waiting for the retry")
            retry.triggered.connect(self._on_retry_action_triggered)
        info = menu.addAction("Show stream info")
        if info is not None:
            info.setCheckable(True)
            info.setChecked(self.show_info or self._info_all)
            info.setEnabled(self.camera is not None and not self._info_all)
            info.setShortcut(QKeySequence("I"))
            info.triggered.connect(self._on_info_action_triggered)
        motion = menu.addAction("Show motion and zones")
        if motion is not None:
            motion.setCheckable(True)
            motion.setChecked(self.show_motion or self._motion_all)
            motion.setEnabled(self.camera is not None and not self._motion_all)
            motion.setShortcut(QKeySequence("M"))
            motion.triggered.connect(self.set_show_motion)
        menu.addSeparator()
        clear = menu.addAction("Clear tile")
        if clear is not None:
            clear.setEnabled(self.camera is not None)
            clear.triggered.connect(self._on_clear_action_triggered)
        return menu

    def contextMenuEvent(self, a0: QContextMenuEvent | None) -> None:
        if a0 is None:
            return
        menu = self.context_menu()
        try:
            menu.exec(a0.globalPos())
        finally:
            menu.deleteLater()

    def _on_maximise_action_triggered(self) -> None:
        self.maximise_requested.emit(self.index)

    def _on_skip_action_triggered(self) -> None:
        self.alarm_skipped.emit()

    def _on_acknowledge_action_triggered(self) -> None:
        self.acknowledge_requested.emit(self.index)

    def _on_retry_action_triggered(self) -> None:
        if self.can_retry:
            self.retry_requested.emit(self.index)

    def _on_info_action_triggered(self, checked: bool) -> None:
        self.set_show_info(checked)

    def _on_clear_action_triggered(self) -> None:
        self.clear_requested.emit(self.index)

    def dragEnterEvent(self, a0: QDragEnterEvent | None) -> None:
        if a0 is not None and camera_id_from_mime(a0.mimeData()):
            a0.acceptProposedAction()
            self._drop_hover = True
            self.update()
        elif a0 is not None:
            a0.ignore()

    def dragMoveEvent(self, a0: QDragMoveEvent | None) -> None:
        if a0 is not None and camera_id_from_mime(a0.mimeData()):
            a0.acceptProposedAction()

    def dragLeaveEvent(self, a0: QDragLeaveEvent | None) -> None:
        self._drop_hover = False
        self.update()

    def dropEvent(self, a0: QDropEvent | None) -> None:
        self._drop_hover = False
        self.update()
        if a0 is None:
            return
        camera_id = camera_id_from_mime(a0.mimeData())
        if not camera_id:
            a0.ignore()
            return
        a0.acceptProposedAction()
        self.camera_dropped.emit(self.index, camera_id, source_tile_from_mime(a0.mimeData()))
