"""The camera list: cameras grouped by site, a filter box, drag a camera onto a tile."""

from __future__ import annotations

from collections.abc import Iterable

from PyQt6.QtCore import QMimeData, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from videowall.camera import Camera, Registry
from videowall.streams.base import StreamState
from videowall.ui import theme
from videowall.ui.tile import CAMERA_MIME, camera_mime

#: Item data role holding a camera id (on camera rows only).
CAMERA_ID_ROLE = Qt.ItemDataRole.UserRole + 1

COL_NAME, COL_ID, COL_AGENCY = range(3)


def camera_haystack(camera: Camera, registry: Registry) -> str:
    """Everything the filter box matches a camera on, lower case."""
    agency = registry.agencies.get(camera.agency)
    parts = [
        camera.name,
        camera.id,
        camera.site,
        registry.site_name(camera.site),
        camera.agency,
        agency.name if agency else "",
        *camera.tags,
    ]
    return "\n".join(parts).lower()


def _dot_icon(colour: str | None, size: int = 12) -> QIcon:
    """A dot in ``colour``; None gives a blank icon of the same size, so names align."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    if colour is None:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.end()
    return QIcon(pixmap)


class _CameraTreeWidget(QTreeWidget):
    """A tree that drags camera ids out and accepts no drops."""

    def mimeTypes(self) -> list[str]:
        return [CAMERA_MIME, "text/plain"]

    def mimeData(self, items: Iterable[QTreeWidgetItem]) -> QMimeData | None:
        for item in items:
            camera_id = item.data(COL_NAME, CAMERA_ID_ROLE)
            if isinstance(camera_id, str):
                return camera_mime(camera_id)
        return None


class CameraTree(QWidget):
    """The registry as a tree of sites and cameras, with a filter box above it.

    Signals:
        camera_activated: the operator double-clicked a camera (or pressed Enter on it).
    """

    #: (Camera)
    camera_activated = pyqtSignal(object)

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: name, id, site, agency, tag")
        self.filter_edit.setClearButtonEnabled(True)
        self.tree = _CameraTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Camera", "ID", "Agency"])
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setDefaultDropAction(Qt.DropAction.CopyAction)  # a move would remove rows
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setIndentation(14)
        header = self.tree.header()
        if header is not None:
            header.setStretchLastSection(False)
            header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(COL_ID, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(COL_ID, 92)
            # The camera's name matters most; the agency is also its text colour.
            header.setSectionResizeMode(COL_AGENCY, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(COL_AGENCY, 96)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._haystacks: dict[str, str] = {}
        self._site_items: list[QTreeWidgetItem] = []
        self._on_wall: dict[str, StreamState | None] = {}
        self._blank = _dot_icon(None)
        self._dots: dict[str, QIcon] = {}
        self._populate()
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.tree.itemActivated.connect(self._on_tree_item_activated)

    def _populate(self) -> None:
        by_site: dict[str, list[Camera]] = {}
        for camera in self.registry.cameras:
            by_site.setdefault(camera.site, []).append(camera)
        # Sites in the registry's order, then sites only cameras name.
        order = [s for s in self.registry.sites if s in by_site]
        order += [s for s in by_site if s not in self.registry.sites]
        bold = QFont()
        bold.setBold(True)
        # Rows an operator can hit with a mouse on a busy night.
        row = QSize(0, QFontMetrics(self.tree.font()).height() + 8)
        for site_id in order:
            cameras = by_site[site_id]
            site_item = QTreeWidgetItem([f"{self.registry.site_name(site_id)}  ({len(cameras)})"])
            site_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            site_item.setFont(COL_NAME, bold)
            site_item.setSizeHint(COL_NAME, row)
            site_item.setToolTip(COL_NAME, site_id)
            self.tree.addTopLevelItem(site_item)
            site_item.setFirstColumnSpanned(True)
            self._site_items.append(site_item)
            for camera in cameras:
                agency = self.registry.agencies.get(camera.agency)
                item = QTreeWidgetItem(
                    [camera.name, camera.id, agency.name if agency else camera.agency]
                )
                item.setData(COL_NAME, CAMERA_ID_ROLE, camera.id)
                item.setIcon(COL_NAME, self._blank)
                item.setSizeHint(COL_NAME, row)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                tip = [f"{camera.name} ({camera.id})", self.registry.site_name(site_id)]
                if agency:
                    tip.append(agency.name)
                tip.append(camera.safe_url)
                if camera.tags:
                    tip.append("tags: " + ", ".join(camera.tags))
                if not camera.enabled:
                    tip.append("disabled in the camera list")
                    muted = QBrush(QColor(theme.DISABLED_TEXT))
                    for col in range(3):
                        item.setForeground(col, muted)
                for col in range(3):
                    item.setToolTip(col, "\n".join(tip))
                if agency and agency.colour:
                    item.setForeground(COL_AGENCY, QBrush(QColor(agency.colour)))
                site_item.addChild(item)
                self._items[camera.id] = item
                self._haystacks[camera.id] = camera_haystack(camera, self.registry)
        self.tree.expandAll()

    # -- filter ----------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show only cameras matching every word of ``text`` (the box shows ``text`` too)."""
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)  # textChanged applies it
        else:
            self._apply_filter(text)

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for site_item in self._site_items:
            shown = 0
            for i in range(site_item.childCount()):
                item = site_item.child(i)
                if item is None:
                    continue
                camera_id = item.data(COL_NAME, CAMERA_ID_ROLE)
                hay = self._haystacks.get(str(camera_id), "")
                match = all(word in hay for word in words)
                item.setHidden(not match)
                shown += match
            site_item.setHidden(shown == 0)
            if words and shown:
                site_item.setExpanded(True)

    def visible_camera_ids(self) -> list[str]:
        """Ids of the cameras the filter lets through, in tree order."""
        ids = []
        for site_item in self._site_items:
            if site_item.isHidden():
                continue
            for i in range(site_item.childCount()):
                item = site_item.child(i)
                if item is not None and not item.isHidden():
                    ids.append(str(item.data(COL_NAME, CAMERA_ID_ROLE)))
        return ids

    def item_for(self, camera_id: str) -> QTreeWidgetItem | None:
        return self._items.get(camera_id)

    # -- what the wall shows ---------------------------------------------------------------

    def set_on_wall(self, states: dict[str, StreamState | None]) -> None:
        """Mark the cameras on the wall with a dot in their state's colour."""
        if states == self._on_wall:
            return
        for camera_id, item in self._items.items():
            state = states.get(camera_id)
            if camera_id in states:
                colour = theme.state_style(state or StreamState.CONNECTING).background
                icon = self._dots.get(colour)
                if icon is None:
                    icon = self._dots[colour] = _dot_icon(colour)
                item.setIcon(COL_NAME, icon)
            elif camera_id in self._on_wall:
                item.setIcon(COL_NAME, self._blank)
        self._on_wall = dict(states)

    # -- slots -----------------------------------------------------------------------------

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self._apply_filter(text)

    def _on_tree_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        camera_id = item.data(COL_NAME, CAMERA_ID_ROLE)
        if not isinstance(camera_id, str):
            return
        camera = self.registry.get(camera_id)
        if camera is not None:
            self.camera_activated.emit(camera)
