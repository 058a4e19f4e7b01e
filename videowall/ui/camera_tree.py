"""The camera list: cameras grouped by site or by agency, a filter box, drag onto a tile.

The list is a :class:`QStandardItemModel` behind a :class:`QSortFilterProxyModel`: the
filter runs in Qt's C++ (one regular expression on a text of each camera, recursive so a
group shows while any of its cameras matches), and a change of state touches the icon of
the one row that changed. A thousand cameras filter within a few milliseconds per key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PyQt6.QtCore import (
    QMimeData,
    QModelIndex,
    QRegularExpression,
    QSize,
    QSortFilterProxyModel,
    Qt,
    pyqtSignal,
)
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPen,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from videowall.registry.model import Camera, Registry
from videowall.streams.base import StreamState
from videowall.ui import theme
from videowall.ui.tile import CAMERA_MIME, camera_mime

#: Item data role holding a camera id (on camera rows only).
CAMERA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Item data role holding the lower-case text the filter matches (camera rows only).
HAYSTACK_ROLE = Qt.ItemDataRole.UserRole + 2
#: Item data role holding a group's key: a site or agency id (group rows only).
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3

COL_NAME, COL_ID, COL_OWNER = range(3)

#: Size of the state icons, in pixels.
ICON_SIZE = 12
#: Label of the group of cameras that name no agency.
NO_AGENCY = "No agency"


class GroupBy(enum.Enum):
    """What the camera list groups cameras by."""

    SITE = "site"
    AGENCY = "agency"


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


def filter_expression(text: str) -> QRegularExpression:
    """A pattern matching a haystack that holds every word of ``text`` (any case)."""
    words = text.lower().split()
    if not words:
        return QRegularExpression("")
    pattern = r"\A" + "".join(f"(?=.*{QRegularExpression.escape(w)})" for w in words)
    return QRegularExpression(pattern, QRegularExpression.PatternOption.DotMatchesEverythingOption)


def matches(haystack: str, text: str) -> bool:
    """The filter's rule in Python: every word of ``text`` is in ``haystack``."""
    return all(word in haystack for word in text.lower().split())


def state_icon(colour: str | None, *, size: int = ICON_SIZE) -> QIcon:
    """A dot in ``colour`` for a camera on the wall; None: a hollow ring (not on the wall).

    The ring leaves the middle empty, so the two read apart without colour too.
    """
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if colour is None:
        painter.setPen(QPen(QColor(theme.DISABLED_TEXT), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(3, 3, size - 6, size - 6)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _swatch(colour: str, size: int = ICON_SIZE) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.fillRect(2, 2, size - 4, size - 4, QColor(colour))
    painter.end()
    return QIcon(pixmap)


class CameraModel(QStandardItemModel):
    """Group rows with camera rows under them; dragging a camera carries its id."""

    def mimeTypes(self) -> list[str]:
        return [CAMERA_MIME, "text/plain"]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData | None:
        for index in indexes:
            camera_id = index.siblingAtColumn(COL_NAME).data(CAMERA_ID_ROLE)
            if isinstance(camera_id, str):
                return camera_mime(camera_id)
        return None

    def supportedDragActions(self) -> Qt.DropAction:
        # A move would make the view delete the row it was dragged from.
        return Qt.DropAction.CopyAction


@dataclass(frozen=True)
class _RowLook:
    """How the rows of the tree look: fonts, heights, colours and flags."""

    bold: QFont
    row_height: QSize
    muted: QBrush
    drag_flags: Qt.ItemFlag

    @classmethod
    def of(cls, font: QFont) -> _RowLook:
        bold = QFont(font)
        bold.setBold(True)
        return cls(
            bold=bold,
            # Rows an operator can hit with a mouse on a busy night.
            row_height=QSize(0, QFontMetrics(font).height() + 8),
            muted=QBrush(QColor(theme.DISABLED_TEXT)),
            drag_flags=Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled,
        )


class CameraTree(QWidget):
    """The registry as groups of cameras, with a filter box and a group switch above it.

    Each camera row shows the state of its stream when it is on the wall (a dot in the
    state's colour) or a hollow ring when it is not.

    Signals:
        camera_activated: the operator double-clicked a camera (or pressed Enter on it).
    """

    #: (Camera)
    camera_activated = pyqtSignal(object)

    def __init__(
        self,
        registry: Registry,
        parent: QWidget | None = None,
        *,
        group_by: GroupBy = GroupBy.SITE,
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        self._group_by = group_by
        self._filter = ""
        self._items: dict[str, QStandardItem] = {}
        self._haystacks: dict[str, str] = {}
        self._tips: dict[str, str] = {}
        self._on_wall: dict[str, StreamState | None] = {}
        self._watched: dict[str, StreamState] = {}
        # Groups the operator folded, per grouping; kept across filters and reloads.
        self._collapsed: dict[GroupBy, set[str]] = {g: set() for g in GroupBy}
        self._applying = False
        self._icons: dict[str | None, QIcon] = {}
        self._build(group_by)
        self._populate()
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_current_index_changed)
        self.tree.activated.connect(self._on_tree_activated)
        self.tree.expanded.connect(self._on_tree_expanded)
        self.tree.collapsed.connect(self._on_tree_collapsed)

    def _build(self, group_by: GroupBy) -> None:
        """The filter, the grouping switch, the count and the tree, one under the other."""
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: name, id, site, agency, tag")
        self.filter_edit.setClearButtonEnabled(True)
        self.group_combo = QComboBox(self)
        self.group_combo.addItem("Site", GroupBy.SITE.value)
        self.group_combo.addItem("Agency", GroupBy.AGENCY.value)
        self.group_combo.setCurrentIndex(list(GroupBy).index(group_by))
        self.group_combo.setToolTip("Group the cameras by road point / building, or by owner")
        group_label = QLabel("Group by:", self)
        group_label.setBuddy(self.group_combo)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet(f"color: {theme.MUTED};")

        self._build_tree()
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(group_label)
        controls.addWidget(self.group_combo)
        controls.addStretch(1)
        controls.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addLayout(controls)
        layout.addWidget(self.tree)

    def _build_tree(self) -> None:
        """The model behind a filtering proxy, shown by a tree cameras are dragged from."""
        self.model = CameraModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterRole(HAYSTACK_ROLE)
        self.proxy.setFilterKeyColumn(COL_NAME)
        self.proxy.setSourceModel(self.model)

        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setIconSize(QSize(ICON_SIZE, ICON_SIZE))

    # -- building ----------------------------------------------------------------------------

    @property
    def group_by(self) -> GroupBy:
        return self._group_by

    def set_group_by(self, group_by: GroupBy) -> None:
        """Group the cameras by site or by agency (the switch shows it too)."""
        if self.group_combo.currentData() != group_by.value:
            self.group_combo.setCurrentIndex(list(GroupBy).index(group_by))  # applies it
            return
        if group_by != self._group_by:
            self._group_by = group_by
            self._rebuild()

    def set_registry(self, registry: Registry) -> None:
        """Show ``registry`` instead: the filter, folded groups, selection and the
        cameras' states stay as they were."""
        self.registry = registry
        self._rebuild()

    def _rebuild(self) -> None:
        current = self.current_camera_id()
        scroll = self.tree.verticalScrollBar()
        position = scroll.value() if scroll is not None else 0
        self._populate()
        if current is not None:
            index = self.index_for(current)
            if index.isValid():
                self.tree.setCurrentIndex(index)
        if scroll is not None:
            scroll.setValue(position)

    def _groups(self) -> list[tuple[str, str, list[Camera]]]:
        """(key, label, cameras) of each group, in the registry's order."""
        reg = self.registry
        members: dict[str, list[Camera]] = {}
        for camera in reg.cameras:
            key = camera.site if self._group_by is GroupBy.SITE else camera.agency
            members.setdefault(key, []).append(camera)
        known = reg.sites if self._group_by is GroupBy.SITE else reg.agencies
        order = [key for key in known if key in members]
        order += [key for key in members if key not in known and key]
        if "" in members:
            order.append("")
        groups = []
        for key in order:
            if self._group_by is GroupBy.SITE:
                label = reg.site_name(key)
            else:
                agency = reg.agencies.get(key)
                label = agency.name if agency else key or NO_AGENCY
            groups.append((key, label, members[key]))
        return groups

    def _populate(self) -> None:
        """Fill a new model and put it behind the proxy in one reset."""
        by_site = self._group_by is GroupBy.SITE
        model = CameraModel(self)
        model.setHorizontalHeaderLabels(["Camera", "ID", "Agency" if by_site else "Site"])
        look = _RowLook.of(self.tree.font())
        items: dict[str, QStandardItem] = {}
        haystacks: dict[str, str] = {}
        tips: dict[str, str] = {}
        root = model.invisibleRootItem()
        assert root is not None
        for key, label, cameras in self._groups():
            group = self._group_row(key, label, len(cameras), look)
            root.appendRow(group)
            for camera in cameras:
                row = self._camera_row(camera, look)
                tips[camera.id] = row[COL_ID].toolTip()
                group[0].appendRow(row)
                items[camera.id] = row[COL_NAME]
                haystacks[camera.id] = str(row[COL_NAME].data(HAYSTACK_ROLE))
        old = self.model
        self.model, self._items, self._haystacks, self._tips = model, items, haystacks, tips
        for camera_id in items:
            self._show_state(camera_id)
        self.proxy.setSourceModel(model)
        old.deleteLater()
        self._set_up_header()
        self._after_filter()

    def _group_row(self, key: str, label: str, count: int, look: _RowLook) -> list[QStandardItem]:
        """The row of a group: its name and count, its tooltip (and agency colour)."""
        group = QStandardItem(f"{label}  ({count})")
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setFont(look.bold)
        group.setSizeHint(look.row_height)
        group.setData(key, GROUP_ROLE)
        if self._group_by is GroupBy.SITE:
            group.setToolTip(f"{label} ({key})")
        else:
            agency = self.registry.agencies.get(key)
            if agency is not None:
                group.setToolTip(
                    "\n".join(filter(None, [f"{agency.name} ({key})", agency.contact]))
                )
                if agency.colour:
                    group.setIcon(_swatch(agency.colour))
        blank = QStandardItem()
        blank.setFlags(Qt.ItemFlag.ItemIsEnabled)
        blank2 = QStandardItem()
        blank2.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return [group, blank, blank2]

    def _camera_row(self, camera: Camera, look: _RowLook) -> list[QStandardItem]:
        """The row of a camera: name (carrying its id and search text), id and owner."""
        reg = self.registry
        by_site = self._group_by is GroupBy.SITE
        agency = reg.agencies.get(camera.agency)
        if by_site:
            owner = agency.name if agency else camera.agency
        else:
            owner = reg.site_name(camera.site)
        name = QStandardItem(camera.name)
        ident = QStandardItem(camera.id)
        other = QStandardItem(owner)
        name.setData(camera.id, CAMERA_ID_ROLE)
        name.setData(camera_haystack(camera, reg), HAYSTACK_ROLE)
        name.setSizeHint(look.row_height)
        if by_site and agency and agency.colour:
            other.setForeground(QBrush(QColor(agency.colour)))
        row = [name, ident, other]
        for item in row:
            item.setFlags(look.drag_flags)
            if not camera.enabled:
                item.setForeground(look.muted)
        tip = self._tooltip(camera)
        ident.setToolTip(tip)
        other.setToolTip(tip)
        return row

    def _set_up_header(self) -> None:
        header = self.tree.header()
        if header is None:
            return
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        # The camera's name matters most; the owner is also its text colour.
        header.setSectionResizeMode(COL_ID, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_ID, 84)
        header.setSectionResizeMode(COL_OWNER, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_OWNER, 104)

    def _tooltip(self, camera: Camera) -> str:
        reg = self.registry
        agency = reg.agencies.get(camera.agency)
        tip = [f"{camera.name} ({camera.id})", reg.site_name(camera.site)]
        if agency:
            tip.append(agency.name)
        tip.append(camera.safe_url)
        if camera.tags:
            tip.append("tags: " + ", ".join(camera.tags))
        if not camera.enabled:
            tip.append("disabled in the camera list")
        return "\n".join(tip)

    # -- filter ----------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show only cameras matching every word of ``text`` (the box shows ``text`` too)."""
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)  # textChanged applies it
        else:
            self._apply_filter(text)

    def _apply_filter(self, text: str) -> None:
        self._filter = text
        self.proxy.setFilterRegularExpression(filter_expression(text))
        self._after_filter()

    def _after_filter(self) -> None:
        """Unfold the groups (all of them while filtering, else all the operator did not
        fold), span the group titles, and count what shows."""
        filtering = bool(self._filter.split())
        collapsed = self._collapsed[self._group_by]
        root = QModelIndex()
        self._applying = True
        try:
            for row in range(self.proxy.rowCount(root)):
                index = self.proxy.index(row, COL_NAME, root)
                self.tree.setFirstColumnSpanned(row, root, True)
                key = index.data(GROUP_ROLE)
                self.tree.setExpanded(index, filtering or key not in collapsed)
        finally:
            self._applying = False
        total = len(self._haystacks)
        if filtering:
            shown = sum(1 for hay in self._haystacks.values() if matches(hay, self._filter))
            self.count_label.setText(f"{shown} of {total} cameras")
        else:
            self.count_label.setText(f"{total} camera{'' if total == 1 else 's'}")

    def visible_camera_ids(self) -> list[str]:
        """Ids of the cameras the filter lets through, in list order."""
        ids = []
        proxy = self.proxy
        for row in range(proxy.rowCount()):
            group = proxy.index(row, COL_NAME)
            for child in range(proxy.rowCount(group)):
                camera_id = proxy.index(child, COL_NAME, group).data(CAMERA_ID_ROLE)
                if isinstance(camera_id, str):
                    ids.append(camera_id)
        return ids

    def group_labels(self) -> list[str]:
        """The titles of the groups that show, in list order."""
        return [str(self.proxy.index(r, COL_NAME).data()) for r in range(self.proxy.rowCount())]

    def item_for(self, camera_id: str) -> QStandardItem | None:
        """The name cell of ``camera_id`` in the model (shown or filtered out)."""
        return self._items.get(camera_id)

    def index_for(self, camera_id: str) -> QModelIndex:
        """The view's index of ``camera_id`` (invalid when it is filtered out or unknown)."""
        item = self._items.get(camera_id)
        if item is None:
            return QModelIndex()
        return self.proxy.mapFromSource(item.index())

    def current_camera_id(self) -> str | None:
        camera_id = self.tree.currentIndex().siblingAtColumn(COL_NAME).data(CAMERA_ID_ROLE)
        return camera_id if isinstance(camera_id, str) else None

    def drag_data(self, camera_ids: Sequence[str]) -> QMimeData | None:
        """What dragging the rows of ``camera_ids`` out of the list carries."""
        indexes = [self.index_for(cid) for cid in camera_ids]
        return self.proxy.mimeData([i for i in indexes if i.isValid()])

    # -- what the wall shows ---------------------------------------------------------------

    def set_on_wall(self, states: dict[str, StreamState | None]) -> None:
        """Mark the cameras on the wall with a dot in their state's colour.

        Only the rows whose state changed are touched.
        """
        if states == self._on_wall:
            return
        old = self._on_wall
        self._on_wall = dict(states)
        for camera_id in old.keys() | states.keys():
            if (
                camera_id not in states
                or camera_id not in old
                or old[camera_id] != states[camera_id]
            ):
                self._show_state(camera_id)

    def set_watched(self, states: dict[str, StreamState]) -> None:
        """Mark the cameras watched off the wall with a dot in their state's colour (a
        camera on the wall shows its tile's state). Only changed rows are touched."""
        if states == self._watched:
            return
        old = self._watched
        self._watched = dict(states)
        for camera_id in old.keys() | states.keys():
            if old.get(camera_id) != states.get(camera_id):
                self._show_state(camera_id)

    def state_of(self, camera_id: str) -> StreamState | None:
        """The state the list shows for ``camera_id``: its tile's, or while it is watched
        off the wall its stream's (None when nothing watches it)."""
        if camera_id in self._on_wall:
            return self._on_wall[camera_id] or StreamState.CONNECTING
        return self._watched.get(camera_id)

    def _show_state(self, camera_id: str) -> None:
        item = self._items.get(camera_id)
        if item is None:
            return
        base = self._tips.get(camera_id, camera_id)
        colour: str | None = None
        if camera_id in self._on_wall:
            state = self._on_wall[camera_id] or StreamState.CONNECTING
            colour = theme.state_style(state).background
            words = f"On the wall: {theme.state_style(state).label}"
        elif camera_id in self._watched:
            state = self._watched[camera_id]
            colour = theme.state_style(state).background
            words = f"Watched off the wall: {theme.state_style(state).label}"
        else:
            words = "Not on the wall, not watched"
        icon = self._icons.get(colour)
        if icon is None:
            icon = self._icons[colour] = state_icon(colour)
        item.setIcon(icon)
        item.setToolTip(f"{base}\n{words}")

    # -- slots -----------------------------------------------------------------------------

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self._apply_filter(text)

    def _on_group_combo_current_index_changed(self, index: int) -> None:
        group_by = GroupBy(self.group_combo.itemData(index))
        if group_by != self._group_by:
            self._group_by = group_by
            self._rebuild()

    def _on_tree_activated(self, index: QModelIndex) -> None:
        camera_id = index.siblingAtColumn(COL_NAME).data(CAMERA_ID_ROLE)
        if not isinstance(camera_id, str):
            return
        camera = self.registry.get(camera_id)
        if camera is not None:
            self.camera_activated.emit(camera)

    def _on_tree_expanded(self, index: QModelIndex) -> None:
        if not self._applying and not self._filter.split():
            self._collapsed[self._group_by].discard(str(index.data(GROUP_ROLE)))

    def _on_tree_collapsed(self, index: QModelIndex) -> None:
        if not self._applying and not self._filter.split():
            self._collapsed[self._group_by].add(str(index.data(GROUP_ROLE)))
