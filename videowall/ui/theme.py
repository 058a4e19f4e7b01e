"""The dark theme of the wall: a dim control room needs dark chrome and loud state colours.

State colours are defined here once; tiles, the camera list and the status bar read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication

from videowall.streams.base import StreamState
from videowall.wall.status import state_label


@dataclass(frozen=True)
class StateStyle:
    """How one stream state looks: the pill's words and colours."""

    label: str
    background: str
    foreground: str


#: The colours of each state (background, foreground). Green means a picture the operator
#: can trust; amber means "wait"; orange means "the picture is not to be trusted"; red and
#: magenta mean "act"; grey means "nobody asked for this stream".
STATE_COLOURS: dict[StreamState, tuple[str, str]] = {
    StreamState.LIVE: ("#2fb344", "#ffffff"),
    StreamState.CONNECTING: ("#f59f00", "#1a1300"),
    StreamState.RECONNECTING: ("#f59f00", "#1a1300"),
    StreamState.STALLED: ("#fd7e14", "#1a0c00"),
    StreamState.FROZEN: ("#fd7e14", "#1a0c00"),
    StreamState.OFFLINE: ("#e03131", "#ffffff"),
    StreamState.UNAUTHORIZED: ("#c2255c", "#ffffff"),
    StreamState.DISABLED: ("#5c636a", "#ffffff"),
    StreamState.STOPPED: ("#5c636a", "#ffffff"),
}

#: The look of each state: its label (the core's words) in its colours.
STATE_STYLES: dict[StreamState, StateStyle] = {
    state: StateStyle(state_label(state), background, foreground)
    for state, (background, foreground) in STATE_COLOURS.items()
}

#: Colours of the status-bar buckets (:data:`videowall.wall.status.BUCKETS`: the colour
#: of their most common state).
BUCKET_COLOURS = {
    "live": "#2fb344",
    "degraded": "#fd7e14",
    "offline": "#e03131",
    "connecting": "#f59f00",
    "off": "#5c636a",
}

#: The colours of each alert priority (background, foreground), 1 most urgent: red and
#: orange mean "look now", amber "soon", blue and grey "when there is time".
PRIORITY_COLOURS: dict[int, tuple[str, str]] = {
    1: ("#e03131", "#ffffff"),
    2: ("#fd7e14", "#1a0c00"),
    3: ("#fab005", "#1a1300"),
    4: ("#4c8dd6", "#ffffff"),
    5: ("#6c757d", "#ffffff"),
}

WINDOW = "#16191d"
BASE = "#1c2026"
ALT_BASE = "#20252b"
BUTTON = "#23282f"
TEXT = "#d8dde3"
MUTED = "#8a939c"
DISABLED_TEXT = "#5c636a"
HIGHLIGHT = "#3d8bfd"
WALL_BACKGROUND = "#050608"
EMPTY_TILE = "#0d1014"


def state_style(state: StreamState) -> StateStyle:
    return STATE_STYLES.get(state, StateStyle(state_label(state), "#5c636a", "#ffffff"))


def state_colour(state: StreamState) -> QColor:
    return QColor(state_style(state).background)


def priority_colours(priority: int) -> tuple[str, str]:
    """(background, foreground) of an alert of ``priority``, clamped to 1..5."""
    return PRIORITY_COLOURS[min(max(priority, 1), 5)]


def priority_colour(priority: int) -> QColor:
    """The colour of alert priority ``priority`` (clamped to 1..5): tile marks."""
    return QColor(priority_colours(priority)[0])


_STYLESHEET = f"""
QMainWindow, QDockWidget {{ background: {WINDOW}; }}
QDockWidget::title {{
    background: {BUTTON}; padding: 4px 8px; color: {MUTED};
}}
QToolBar {{ background: {WINDOW}; border: none; spacing: 2px; padding: 2px; }}
QToolButton {{ padding: 3px; border: 1px solid transparent; border-radius: 3px; }}
QToolButton:hover {{ border-color: #3a414a; background: {BUTTON}; }}
QToolButton:checked {{ border-color: {HIGHLIGHT}; background: #1d2b40; }}
QStatusBar {{ background: {WINDOW}; color: {MUTED}; }}
QStatusBar::item {{ border: none; }}
QLineEdit {{
    background: {BASE}; border: 1px solid #343b44; border-radius: 3px; padding: 4px 6px;
}}
QLineEdit:focus {{ border-color: {HIGHLIGHT}; }}
QTreeView {{ background: {BASE}; border: none; }}
QTreeView::item {{ padding: 2px 0; }}
QHeaderView::section {{
    background: {BUTTON}; color: {MUTED}; border: none; border-right: 1px solid {WINDOW};
    padding: 3px 6px;
}}
QMenu {{ background: {BASE}; border: 1px solid #343b44; }}
QMenu::item:selected {{ background: #1d2b40; }}
QToolTip {{ background: {BASE}; color: {TEXT}; border: 1px solid #343b44; }}
"""


def dark_palette() -> QPalette:
    """Fusion's palette roles filled with the control-room colours."""
    pal = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    pal.setColor(role.Window, QColor(WINDOW))
    pal.setColor(role.WindowText, QColor(TEXT))
    pal.setColor(role.Base, QColor(BASE))
    pal.setColor(role.AlternateBase, QColor(ALT_BASE))
    pal.setColor(role.ToolTipBase, QColor(BASE))
    pal.setColor(role.ToolTipText, QColor(TEXT))
    pal.setColor(role.PlaceholderText, QColor(MUTED))
    pal.setColor(role.Text, QColor(TEXT))
    pal.setColor(role.Button, QColor(BUTTON))
    pal.setColor(role.ButtonText, QColor(TEXT))
    pal.setColor(role.BrightText, QColor("#ff6b6b"))
    pal.setColor(role.Link, QColor(HIGHLIGHT))
    pal.setColor(role.Highlight, QColor(HIGHLIGHT))
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(role.Light, QColor("#3a414a"))
    pal.setColor(role.Midlight, QColor("#2c323a"))
    pal.setColor(role.Mid, QColor("#23282f"))
    pal.setColor(role.Dark, QColor("#0f1114"))
    pal.setColor(role.Shadow, QColor("#000000"))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(group.Disabled, r, QColor(DISABLED_TEXT))
    pal.setColor(group.Disabled, role.Highlight, QColor("#2c323a"))
    return pal


def apply_theme(app: QApplication) -> None:
    """Fusion style, the dark palette and the small stylesheet, on the whole application."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    app.setStyleSheet(_STYLESHEET)
