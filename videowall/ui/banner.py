"""The registry banner: a red strip above the wall while the camera registry file is broken.

It names the file, says that the wall goes on with the last good camera list, and lists
the first errors the way ``videowall cameras validate`` prints them, so the technician at
the console can fix the file without opening a terminal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from videowall.registry.issues import ConfigIssue

#: Errors the banner lists; the rest are counted.
MAX_LINES = 4

BANNER_BACKGROUND = "#8f1d1d"
BANNER_TEXT = "#ffffff"
BANNER_DETAIL = "#ffd8d8"


def issue_line(issue: ConfigIssue) -> str:
    """One issue without its file name (the banner names the file once)."""
    parts = [f"line {issue.line}" if issue.line else ""]
    if issue.severity == "warning":
        parts.append("warning")
    if issue.path:
        parts.append(issue.path)
    parts.append(issue.message)
    return ": ".join(p for p in parts if p)


class RegistryBanner(QWidget):
    """A red strip that lists what is wrong with the registry file; hidden when it is fine.

    Signals:
        reload_requested: the operator pressed "Reload now".
    """

    #: ()
    reload_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registry-banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"#registry-banner {{ background: {BANNER_BACKGROUND}; }}"
            f"#registry-banner QLabel {{ color: {BANNER_TEXT}; background: transparent; }}"
            f"#registry-banner QLabel#banner-details {{ color: {BANNER_DETAIL}; }}"
            "#registry-banner QPushButton { color: #ffffff; background: #6d1414;"
            " border: 1px solid #c44; border-radius: 3px; padding: 3px 10px; }"
            "#registry-banner QPushButton:hover { background: #a32424; }"
        )
        self.title_label = QLabel(self)
        self.title_label.setObjectName("banner-title")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.details_label = QLabel(self)
        self.details_label.setObjectName("banner-details")
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label.setWordWrap(True)
        # A technician copies the lines into a chat or an editor's search box.
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Reload now", self)
        self.reload_button.setToolTip("Check the registry file again (Ctrl+R)")
        self.reload_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.reload_button.clicked.connect(self._on_reload_button_clicked)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title_label)
        text.addWidget(self.details_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addLayout(text, 1)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self._issues: tuple[ConfigIssue, ...] = ()
        self.hide()

    @property
    def issues(self) -> tuple[ConfigIssue, ...]:
        return self._issues

    def show_issues(
        self, source: str, issues: Sequence[ConfigIssue], at: float | None = None
    ) -> None:
        """Show the errors of ``issues`` (warnings only when there is no error)."""
        errors = [i for i in issues if i.severity == "error"] or list(issues)
        self._issues = tuple(errors)
        name = os.path.basename(source) or source
        checked = time.strftime("%H:%M:%S", time.localtime(at if at is not None else time.time()))
        count = len(errors)
        what = (
            "cannot be read"
            if any(i.line is None for i in errors) and count == 1
            else (f"has {count} error{'' if count == 1 else 's'}")
        )
        self.title_label.setText(
            f"Camera registry {name} {what} (checked {checked}): changes not applied. "
            "The wall goes on with the last good camera list."
        )
        lines = [issue_line(i) for i in errors[:MAX_LINES]]
        more = count - len(lines)
        if more > 0:
            lines.append(f"… and {more} more: run  videowall cameras validate {source}")
        self.details_label.setText("\n".join(lines))
        self.setToolTip(source)
        self.show()

    def clear(self) -> None:
        """Hide the banner: the file is fine again."""
        self._issues = ()
        self.hide()

    def text(self) -> str:
        """Everything the banner says, title first."""
        return f"{self.title_label.text()}\n{self.details_label.text()}"

    def _on_reload_button_clicked(self) -> None:
        self.reload_requested.emit()
