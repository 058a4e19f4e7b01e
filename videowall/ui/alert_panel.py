"""The alert panel: what needs the operator's eyes, most urgent first.

The panel shows alerts as the engine hands them over (any record with the fields of
:class:`~videowall.store.records.Alert`, see :class:`AlertLike`) and never changes one by
itself: acknowledging asks (:attr:`AlertPanel.acknowledge_requested`) and the answer comes
back as :meth:`AlertPanel.update_alert`, like every other change.

The model keeps its rows in display order (a Python sort of plain tuples, not Qt's
comparisons through ``data()``); the proxy in front of it only filters, with the filter's
choices checked against a lower-case text kept per alert. A thousand alerts filter in a
few milliseconds.

Keys: Ctrl+Return (or Ctrl+Enter) acknowledges the selected alerts, as does Return in the
note field; Return or a double-click on a row chooses its camera, as does a single click.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from PyQt6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    pyqtSignal,
)
from PyQt6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from videowall.registry.model import Registry
from videowall.ui import theme
from videowall.ui.camera_tree import matches
from videowall.wall.status import format_duration

AnyIndex = QModelIndex | QPersistentModelIndex
#: The root of a flat model: the parent of every row.
_ROOT = QModelIndex()


class AlertLike(Protocol):
    """What the panel reads of an alert: :class:`videowall.store.records.Alert` fits.

    The UI does not import the store (the "UI never talks SQL" contract), so the panel
    names the fields it needs instead of the class.
    """

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def camera(self) -> str: ...
    @property
    def site(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def first_at(self) -> datetime: ...
    @property
    def last_at(self) -> datetime: ...
    @property
    def count(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def members(self) -> tuple[str, ...]: ...
    @property
    def group(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def acknowledged_by(self) -> str: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def note(self) -> str: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def open(self) -> bool: ...
    @property
    def unacknowledged(self) -> bool: ...


#: The state filter's choices: (key, what the combo says, which alerts pass).
STATE_FILTERS: tuple[tuple[str, str, Callable[[AlertLike], bool]], ...] = (
    ("open", "Open", lambda a: a.open),
    ("unacknowledged", "Unacknowledged", lambda a: a.unacknowledged),
    ("all", "All", lambda a: True),
    ("new", "New", lambda a: a.state == "new"),
    ("acknowledged", "Acknowledged", lambda a: a.state == "acknowledged"),
    ("resolved", "Resolved", lambda a: a.state == "resolved"),
)
_STATE_TESTS = {key: test for key, _, test in STATE_FILTERS}

#: What a narrow dock must show comes first; site and agency follow (scroll right).
COLUMNS = ("P", "Kind", "Camera", "Age", "Count", "State", "Site", "Agency")
(
    COL_PRIORITY, COL_KIND, COL_CAMERA, COL_AGE, COL_COUNT, COL_STATE, COL_SITE, COL_AGENCY,
) = range(len(COLUMNS))

#: Item data role holding the alert id (every cell).
ALERT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

#: The keys that acknowledge the selected alerts.
ACK_KEYS = ("Ctrl+Return", "Ctrl+Enter")
#: How often the ages count up, in milliseconds.
AGE_TICK_MS = 1000

SortKey = tuple[bool, int, float, str]


def sort_key(alert: AlertLike) -> SortKey:
    """Display order: unacknowledged first, then the most urgent, then the latest."""
    return (not alert.unacknowledged, alert.priority, -alert.last_at.timestamp(), alert.id)


@dataclass(frozen=True)
class AlertFilters:
    """What the panel lets through: a state key of :data:`STATE_FILTERS`, a kind, site and
    agency ("" for any) and words that must all be in the alert's text."""

    state: str = "open"
    kind: str = ""
    site: str = ""
    agency: str = ""
    text: str = ""

    def accepts(self, alert: AlertLike, haystack: str) -> bool:
        """Whether ``alert`` (whose lower-case text is ``haystack``) passes."""
        return (
            _STATE_TESTS.get(self.state, _STATE_TESTS["all"])(alert)
            and (not self.kind or alert.kind == self.kind)
            and (not self.site or alert.site == self.site)
            and (not self.agency or alert.agency == self.agency)
            and (not self.text or matches(haystack, self.text))
        )


@dataclass(frozen=True)
class Labels:
    """Names for the ids an alert holds (the ids themselves where none is known)."""

    cameras: Mapping[str, str] = field(default_factory=dict)
    sites: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, registry: Registry) -> Labels:
        return cls(
            cameras={c.id: c.name for c in registry.cameras},
            sites={key: site.name for key, site in registry.sites.items()},
            agencies={key: agency.name for key, agency in registry.agencies.items()},
        )

    def camera(self, camera_id: str) -> str:
        return self.cameras.get(camera_id) or camera_id

    def site(self, site_id: str) -> str:
        return self.sites.get(site_id) or site_id

    def agency(self, agency_id: str) -> str:
        return self.agencies.get(agency_id) or agency_id


def chosen_camera(alert: AlertLike) -> str:
    """The camera a click on ``alert`` brings forward: its own, or a group's first."""
    return alert.camera or (alert.members[0] if alert.members else "")


def camera_text(alert: AlertLike, labels: Labels) -> str:
    """The camera cell: the camera's name, or ``Ring road 5: 4 cameras`` for a group."""
    if alert.camera:
        return labels.camera(alert.camera)
    kind, _, key = alert.group.partition(":")
    where = labels.site(key) if kind == "site" else key or labels.site(alert.site)
    n = len(alert.members)
    count = f"{n} camera{'' if n == 1 else 's'}"
    return f"{where}: {count}" if where else count


def haystack(alert: AlertLike, labels: Labels) -> str:
    """Everything the text filter matches an alert on, lower case."""
    parts = [
        alert.id, alert.kind, str(alert.state), alert.camera, alert.group, alert.detail,
        alert.site, labels.site(alert.site), alert.agency, labels.agency(alert.agency),
        alert.note, alert.acknowledged_by,
    ]
    for member in alert.members:
        parts += [member, labels.camera(member)]
    return "\n".join(parts).lower()


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def tooltip(alert: AlertLike, labels: Labels) -> str:
    """The row's tooltip: what, where, since when, the members of a group, who acknowledged."""
    lines = [f"{alert.kind}: {camera_text(alert, labels)}"]
    if alert.detail:
        lines.append(alert.detail)
    if not alert.camera:
        lines += [f"  {labels.camera(m)} ({m})" if labels.camera(m) != m else f"  {m}"
                  for m in alert.members]
    lines.append(f"first {_local(alert.first_at)}, last {_local(alert.last_at)}, "
                 f"{alert.count}×")
    if alert.acknowledged_at is not None:
        who = f" by {alert.acknowledged_by}" if alert.acknowledged_by else ""
        lines.append(f"acknowledged {_local(alert.acknowledged_at)}{who}")
    if alert.note:
        lines.append(f"note: {alert.note}")
    if alert.resolved_at is not None:
        lines.append(f"resolved {_local(alert.resolved_at)}")
    return "\n".join(lines)


def state_text(alert: AlertLike) -> str:
    """The state cell: the state, and whether a resolved alert still wants an ack."""
    if alert.state == "resolved" and alert.unacknowledged:
        return "resolved, ack due"
    return str(alert.state)


def _unacknowledged(alert: AlertLike | None) -> int:
    return 1 if alert is not None and alert.unacknowledged else 0


class AlertModel(QAbstractTableModel):
    """The alerts in display order (:func:`sort_key`), one row each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._alerts: list[AlertLike] = []
        self._keys: list[SortKey] = []
        self._by_id: dict[str, AlertLike] = {}
        self._hay: dict[str, str] = {}
        self._labels = Labels()
        self.now = datetime.now(UTC)
        bold = QFont()
        bold.setBold(True)
        self._bold = bold
        self._muted = QBrush(QColor(theme.DISABLED_TEXT))
        self._priority_brushes: dict[tuple[int, bool], tuple[QBrush, QBrush]] = {}

    # -- contents --------------------------------------------------------------------------

    def set_alerts(self, alerts: Iterable[AlertLike]) -> None:
        """Show ``alerts`` instead of what was shown (the last of an id wins)."""
        by_id = {a.id: a for a in alerts}
        self.beginResetModel()
        self._by_id = by_id
        self._alerts = sorted(by_id.values(), key=sort_key)
        self._keys = [sort_key(a) for a in self._alerts]
        self._hay = {a.id: haystack(a, self._labels) for a in self._alerts}
        self.endResetModel()

    def update_alert(self, alert: AlertLike) -> None:
        """Add ``alert``, or replace the alert of its id where it now belongs.

        A row that changes place is removed and inserted again, not moved: the proxy
        filters every row again after a move, but only the new row after an insert. The
        view's selection of that row goes with it (the panel selects it again).
        """
        old = self._by_id.get(alert.id)
        key = sort_key(alert)
        if old is None:
            self._insert_row(alert, key)
            return
        old_key = sort_key(old)
        old_row = bisect.bisect_left(self._keys, old_key)
        at = bisect.bisect_left(self._keys, key)
        new_row = at - 1 if old_key < key else at  # its place once the old row is gone
        if new_row != old_row:
            self._remove_row(old_row)
            self._insert_row(alert, key)
            return
        self._alerts[old_row] = alert
        self._keys[old_row] = key
        self._by_id[alert.id] = alert
        self._hay[alert.id] = haystack(alert, self._labels)
        self.dataChanged.emit(self.index(old_row, 0), self.index(old_row, len(COLUMNS) - 1))

    def remove_alert(self, alert_id: str) -> bool:
        """Forget an alert (one folded into a group, say); False when it was not shown."""
        alert = self._by_id.get(alert_id)
        if alert is None:
            return False
        self._remove_row(bisect.bisect_left(self._keys, sort_key(alert)))
        return True

    def _insert_row(self, alert: AlertLike, key: SortKey) -> None:
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._alerts.insert(row, alert)
        self._keys.insert(row, key)
        self._by_id[alert.id] = alert
        self._hay[alert.id] = haystack(alert, self._labels)
        self.endInsertRows()

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        alert = self._alerts.pop(row)
        del self._keys[row]
        del self._by_id[alert.id]
        del self._hay[alert.id]
        self.endRemoveRows()

    def set_labels(self, labels: Labels) -> None:
        """Name the cameras, sites and agencies with ``labels``."""
        self._labels = labels
        self._hay = {a.id: haystack(a, labels) for a in self._alerts}
        if self._alerts:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._alerts) - 1, len(COLUMNS) - 1))

    @property
    def labels(self) -> Labels:
        return self._labels

    def set_now(self, now: datetime) -> None:
        """Count the ages up to ``now``. Emits nothing: a ``dataChanged`` would make the
        proxy filter every row again each second, so the view repaints itself instead."""
        self.now = now

    # -- lookups ---------------------------------------------------------------------------

    def alerts(self) -> list[AlertLike]:
        """Every alert, in display order."""
        return list(self._alerts)

    def alert(self, alert_id: str) -> AlertLike | None:
        return self._by_id.get(alert_id)

    def alert_at(self, row: int) -> AlertLike:
        return self._alerts[row]

    def haystack_of(self, alert_id: str) -> str:
        return self._hay.get(alert_id, "")

    def row_of(self, alert_id: str) -> int:
        """The row of ``alert_id``, or -1."""
        alert = self._by_id.get(alert_id)
        return -1 if alert is None else bisect.bisect_left(self._keys, sort_key(alert))

    # -- Qt's model interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._alerts)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._alerts):
            return None
        alert = self._alerts[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(alert, column)
        if role == ALERT_ID_ROLE:
            return alert.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(alert, self._labels)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if alert.unacknowledged else None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return self._brush(alert, column, role == Qt.ItemDataRole.BackgroundRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_PRIORITY, COL_COUNT,
                                                                    COL_AGE):
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _text(self, alert: AlertLike, column: int) -> str:
        labels = self._labels
        if column == COL_AGE:
            return format_duration((self.now - alert.first_at).total_seconds())
        texts = {
            COL_PRIORITY: str(alert.priority),
            COL_KIND: alert.kind,
            COL_CAMERA: camera_text(alert, labels),
            COL_SITE: labels.site(alert.site),
            COL_AGENCY: labels.agency(alert.agency),
            COL_COUNT: str(alert.count),
            COL_STATE: state_text(alert),
        }
        return texts.get(column, "")

    def _brush(self, alert: AlertLike, column: int, background: bool) -> QBrush | None:
        """The priority cell wears the priority's colour (faded once resolved); the other
        cells of a resolved alert are muted."""
        resolved = not alert.open
        if column != COL_PRIORITY:
            return self._muted if resolved and not background else None
        key = (alert.priority, resolved)
        brushes = self._priority_brushes.get(key)
        if brushes is None:
            back, fore = theme.priority_colours(alert.priority)
            back_colour = QColor(back)
            if resolved:
                back_colour.setAlpha(90)
            brushes = self._priority_brushes[key] = (QBrush(back_colour), QBrush(QColor(fore)))
        return brushes[0] if background else brushes[1]


class AlertFilterModel(QSortFilterProxyModel):
    """Lets through the alerts :attr:`filters` accepts, in the model's order."""

    def __init__(self, model: AlertModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._filters = AlertFilters()
        self.setSourceModel(model)

    @property
    def filters(self) -> AlertFilters:
        return self._filters

    def set_filters(self, filters: AlertFilters) -> None:
        if filters == self._filters:
            return
        self.beginFilterChange()
        self._filters = filters
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        alert = self._model.alert_at(source_row)
        return self._filters.accepts(alert, self._model.haystack_of(alert.id))


class AlertPanel(QWidget):
    """The alerts in a table with filters above it and the acknowledge controls below.

    Meant as a dock's content: :meth:`badge_text` is the dock's title. Feed it with
    :meth:`set_alerts` once and :meth:`update_alert` for every engine event.
    """

    #: (camera id) the operator clicked an alert (a group's: its first member)
    camera_chosen = pyqtSignal(str)
    #: (alert ids, note) the operator acknowledged these alerts with this note ("" for none)
    acknowledge_requested = pyqtSignal(list, str)
    #: (number of unacknowledged alerts) it changed
    unacknowledged_changed = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlertModel(self)
        self.proxy = AlertFilterModel(self.model, self)
        self._fixed_now: datetime | None = None
        self._unacknowledged = 0
        self._kinds: Counter[str] = Counter()
        self._sites: Counter[str] = Counter()
        self._agencies: Counter[str] = Counter()
        self._build()
        self._connect()
        self.age_timer = QTimer(self)
        self.age_timer.setInterval(AGE_TICK_MS)
        self.age_timer.timeout.connect(self._on_age_timer_timeout)
        self._after_change()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.state_combo = QComboBox(self)
        for key, label, _ in STATE_FILTERS:
            self.state_combo.addItem(label, key)
        self.state_combo.setToolTip("Which alerts to show, by state")
        self.kind_combo = self._choice_combo("Any kind")
        self.site_combo = self._choice_combo("Any site")
        self.agency_combo = self._choice_combo("Any agency")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: camera, site, agency, kind, note")
        self.filter_edit.setClearButtonEnabled(True)
        self._build_view()
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("Note (optional)")
        self.ack_button = QPushButton("Acknowledge", self)
        self.ack_button.setToolTip(f"Acknowledge the selected alerts ({ACK_KEYS[0]})")
        self.ack_action = QAction("Acknowledge", self)
        self.ack_action.setShortcuts([QKeySequence(k) for k in ACK_KEYS])
        self.ack_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.ack_action)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet(f"color: {theme.MUTED};")

        choices = QGridLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.state_combo, 0, 0)
        choices.addWidget(self.kind_combo, 0, 1)
        choices.addWidget(self.site_combo, 1, 0)
        choices.addWidget(self.agency_combo, 1, 1)
        ack = QHBoxLayout()
        ack.setContentsMargins(0, 0, 0, 0)
        ack.addWidget(self.note_edit, 1)
        ack.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(choices)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        layout.addLayout(ack)
        layout.addWidget(self.count_label)

    def _choice_combo(self, any_label: str) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(any_label, "")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _build_view(self) -> None:
        self.view = QTreeView(self)
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAllColumnsShowFocus(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.header()
        if header is not None:
            header.setStretchLastSection(False)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            widths = {COL_PRIORITY: 28, COL_KIND: 72, COL_CAMERA: 130, COL_SITE: 110,
                      COL_AGENCY: 90, COL_AGE: 52, COL_COUNT: 50, COL_STATE: 96}
            for column, width in widths.items():
                header.resizeSection(column, width)

    def _connect(self) -> None:
        self.state_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.site_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.agency_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.ack_button.clicked.connect(self._on_ack_button_clicked)
        self.ack_action.triggered.connect(self._on_ack_action_triggered)
        self.note_edit.returnPressed.connect(self._on_note_edit_return_pressed)
        self.view.clicked.connect(self._on_view_clicked)
        self.view.activated.connect(self._on_view_activated)
        selection = self.view.selectionModel()
        if selection is not None:
            selection.selectionChanged.connect(self._on_selection_changed)

    # -- alerts ----------------------------------------------------------------------------

    def set_alerts(self, alerts: Iterable[AlertLike]) -> None:
        """Show ``alerts`` instead of what was shown (after a restart, say)."""
        self.model.set_alerts(alerts)
        alerts_now = self.model.alerts()
        self._kinds = Counter(a.kind for a in alerts_now)
        self._sites = Counter(a.site for a in alerts_now if a.site)
        self._agencies = Counter(a.agency for a in alerts_now if a.agency)
        self._set_unacknowledged(sum(1 for a in alerts_now if a.unacknowledged))
        self._after_change(rebuild_choices=True)

    def update_alert(self, alert: AlertLike) -> None:
        """Show a new alert, or the new state of one already shown (every engine event)."""
        old = self.model.alert(alert.id)
        selected, current = self._selection_of(alert.id)
        self.model.update_alert(alert)
        if selected or current:
            self._reselect(alert.id, selected, current)
        changed = self._count_choices(old, -1) | self._count_choices(alert, +1)
        self._set_unacknowledged(
            self._unacknowledged + _unacknowledged(alert) - _unacknowledged(old))
        self._after_change(rebuild_choices=changed)

    def remove_alert(self, alert_id: str) -> bool:
        """Stop showing an alert (one the engine folded into a group); False if unknown."""
        old = self.model.alert(alert_id)
        if old is None or not self.model.remove_alert(alert_id):
            return False
        self._set_unacknowledged(self._unacknowledged - _unacknowledged(old))
        self._after_change(rebuild_choices=self._count_choices(old, -1))
        return True

    def alerts(self) -> list[AlertLike]:
        """Every alert the panel holds (filtered out or not), in display order."""
        return self.model.alerts()

    def alert(self, alert_id: str) -> AlertLike | None:
        return self.model.alert(alert_id)

    def visible_alert_ids(self) -> list[str]:
        """The ids of the alerts the filters let through, top to bottom."""
        proxy = self.proxy
        return [str(proxy.index(r, 0).data(ALERT_ID_ROLE)) for r in range(proxy.rowCount())]

    def unacknowledged_count(self) -> int:
        """How many alerts still wait for someone to acknowledge them (filtered out or not)."""
        return self._unacknowledged

    def badge_text(self) -> str:
        """The dock's title: ``Alerts (3)`` with 3 unacknowledged alerts, else ``Alerts``."""
        return f"Alerts ({self._unacknowledged})" if self._unacknowledged else "Alerts"

    def set_registry(self, registry: Registry) -> None:
        """Show the names of cameras, sites and agencies ``registry`` gives."""
        self.model.set_labels(Labels.of(registry))
        self._rebuild_choices()

    def set_now(self, now: datetime | None) -> None:
        """Count ages up to ``now`` (UTC) and stop the clock; None: follow the clock again."""
        self._fixed_now = now
        self._tick()

    # -- filters ---------------------------------------------------------------------------

    @property
    def filters(self) -> AlertFilters:
        return self.proxy.filters

    def set_filter_text(self, text: str) -> None:
        """Show only the alerts holding every word of ``text`` (the box shows it too)."""
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)  # textChanged applies it
        else:
            self._apply(text=text)

    def set_state_filter(self, state: str) -> None:
        """One of the keys of :data:`STATE_FILTERS`: ``open``, ``unacknowledged``, ``all``,
        ``new``, ``acknowledged``, ``resolved``."""
        if state not in _STATE_TESTS:
            raise ValueError(f"unknown state filter {state!r}")
        self.state_combo.setCurrentIndex(self.state_combo.findData(state))

    def set_kind_filter(self, kind: str) -> None:
        """Only alerts of ``kind`` ("" for any)."""
        self._choose(self.kind_combo, kind, kind)

    def set_site_filter(self, site: str) -> None:
        """Only alerts of the site ``site`` (an id; "" for any)."""
        self._choose(self.site_combo, site, self.model.labels.site(site))

    def set_agency_filter(self, agency: str) -> None:
        """Only alerts of the agency ``agency`` (an id; "" for any)."""
        self._choose(self.agency_combo, agency, self.model.labels.agency(agency))

    def _choose(self, combo: QComboBox, key: str, label: str) -> None:
        index = combo.findData(key)
        if index < 0:
            # A choice no alert has yet: keep it, so the filter shows what it filters.
            combo.addItem(label, key)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _apply(self, **changes: str) -> None:
        self.proxy.set_filters(replace(self.proxy.filters, **changes))
        self._update_count_label()

    # -- selection and acknowledging -------------------------------------------------------

    def selected_alert_ids(self) -> list[str]:
        """The ids of the selected rows, top to bottom."""
        selection = self.view.selectionModel()
        if selection is None:
            return []
        rows = sorted(selection.selectedRows(0), key=lambda index: index.row())
        return [str(index.data(ALERT_ID_ROLE)) for index in rows]

    def select_alert(self, alert_id: str) -> bool:
        """Select the row of ``alert_id`` alone and scroll to it; False when it is unknown
        or filtered out. Chooses no camera."""
        row = self.model.row_of(alert_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        selection = self.view.selectionModel()
        if not index.isValid() or selection is None:
            return False
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        selection.setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def acknowledgeable_ids(self) -> list[str]:
        """The selected alerts nobody acknowledged yet (what acknowledging would ask for)."""
        ids = []
        for alert_id in self.selected_alert_ids():
            alert = self.model.alert(alert_id)
            if alert is not None and alert.acknowledged_at is None:
                ids.append(alert_id)
        return ids

    def acknowledge_selected(self) -> list[str]:
        """Ask to acknowledge the selected alerts with the note typed (then clear it).

        A group's row asks for the group. Returns the ids asked for (none: nothing asked).
        """
        ids = self.acknowledgeable_ids()
        if not ids:
            return []
        note = self.note_edit.text().strip()
        self.note_edit.clear()
        self.acknowledge_requested.emit(ids, note)
        return ids

    # -- keeping the controls in step -------------------------------------------------------

    def _count_choices(self, alert: AlertLike | None, step: int) -> bool:
        """Count ``alert``'s kind, site and agency up or down; True when a choice appeared or
        disappeared (the combos need rebuilding)."""
        if alert is None:
            return False
        changed = False
        for counter, key in ((self._kinds, alert.kind), (self._sites, alert.site),
                             (self._agencies, alert.agency)):
            if not key:
                continue
            before = counter[key] > 0
            counter[key] += step
            if counter[key] <= 0:
                del counter[key]
            changed |= before != (counter[key] > 0)
        return changed

    def _selection_of(self, alert_id: str) -> tuple[bool, bool]:
        """Whether the row of ``alert_id`` is selected, and whether it is the current one."""
        row = self.model.row_of(alert_id)
        selection = self.view.selectionModel()
        if row < 0 or selection is None:
            return False, False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False, False
        return selection.isRowSelected(index.row()), self.view.currentIndex().row() == index.row()

    def _reselect(self, alert_id: str, selected: bool, current: bool) -> None:
        """Select the row of ``alert_id`` again (and make it current) after it moved."""
        index = self.proxy.mapFromSource(self.model.index(self.model.row_of(alert_id), 0))
        selection = self.view.selectionModel()
        if not index.isValid() or selection is None:
            return
        flag = QItemSelectionModel.SelectionFlag
        if selected:
            selection.select(index, flag.Select | flag.Rows)
        if current:
            selection.setCurrentIndex(index, flag.NoUpdate)

    def _set_unacknowledged(self, count: int) -> None:
        if count != self._unacknowledged:
            self._unacknowledged = count
            self.unacknowledged_changed.emit(count)

    def _after_change(self, *, rebuild_choices: bool = False) -> None:
        if rebuild_choices:
            self._rebuild_choices()
        if self.model.rowCount() and not self.age_timer.isActive() and self._fixed_now is None:
            self.age_timer.start()
        elif not self.model.rowCount():
            self.age_timer.stop()
        self._update_count_label()
        self._update_ack_enabled()

    def _rebuild_choices(self) -> None:
        labels = self.model.labels
        self._fill(self.kind_combo, self._kinds, lambda key: key)
        self._fill(self.site_combo, self._sites, labels.site)
        self._fill(self.agency_combo, self._agencies, labels.agency)

    @staticmethod
    def _fill(combo: QComboBox, present: Counter[str], label: Callable[[str], str]) -> None:
        """The combo's choices: any, then what the alerts hold (and the current choice)."""
        current = str(combo.currentData() or "")
        keys = sorted(set(present) | ({current} if current else set()), key=label)
        combo.blockSignals(True)
        try:
            any_label = combo.itemText(0)
            combo.clear()
            combo.addItem(any_label, "")
            for key in keys:
                combo.addItem(label(key), key)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        finally:
            combo.blockSignals(False)

    def _update_count_label(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        text = f"{shown} of {total} alerts" if shown != total else (
            f"{total} alert{'' if total == 1 else 's'}")
        self.count_label.setText(f"{text} · {self._unacknowledged} unacknowledged")

    def _update_ack_enabled(self) -> None:
        enabled = bool(self.acknowledgeable_ids())
        self.ack_button.setEnabled(enabled)
        self.ack_action.setEnabled(enabled)

    def _tick(self) -> None:
        self.model.set_now(self._fixed_now or datetime.now(UTC))
        viewport = self.view.viewport()
        if viewport is not None:
            viewport.update()
        if self._fixed_now is not None:
            self.age_timer.stop()
        elif self.model.rowCount() and not self.age_timer.isActive():
            self.age_timer.start()

    def _choose_camera(self, index: QModelIndex) -> None:
        alert = self.model.alert(str(index.data(ALERT_ID_ROLE)))
        if alert is not None and chosen_camera(alert):
            self.camera_chosen.emit(chosen_camera(alert))

    # -- slots -----------------------------------------------------------------------------

    def _on_choice_changed(self, _index: int) -> None:
        self._apply(
            state=str(self.state_combo.currentData() or "all"),
            kind=str(self.kind_combo.currentData() or ""),
            site=str(self.site_combo.currentData() or ""),
            agency=str(self.agency_combo.currentData() or ""),
        )

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self._apply(text=text)

    def _on_ack_button_clicked(self) -> None:
        self.acknowledge_selected()

    def _on_ack_action_triggered(self) -> None:
        self.acknowledge_selected()

    def _on_note_edit_return_pressed(self) -> None:
        self.acknowledge_selected()

    def _on_view_clicked(self, index: QModelIndex) -> None:
        self._choose_camera(index)

    def _on_view_activated(self, index: QModelIndex) -> None:
        # A double-click is a click first: that one already chose the camera.
        if QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._choose_camera(index)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_ack_enabled()

    def _on_age_timer_timeout(self) -> None:
        self._tick()

