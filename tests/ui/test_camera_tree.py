"""The camera list: grouped by site or agency, filtered as the operator types, dragged onto
tiles, each camera's state as an icon, and quick with a thousand cameras."""

from __future__ import annotations

import dataclasses
import statistics
import time

from PyQt6.QtCore import QModelIndex, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from videowall.registry.model import Agency, Camera, Registry, Site
from videowall.streams.base import StreamState
from videowall.ui import theme
from videowall.ui.camera_tree import COL_NAME, COL_OWNER, CameraTree, GroupBy
from videowall.ui.tile import CAMERA_MIME, camera_id_from_mime


def make_tree(qtbot: QtBot, registry: Registry) -> CameraTree:
    tree = CameraTree(registry)
    qtbot.addWidget(tree)
    tree.resize(360, 500)
    tree.show()
    qtbot.waitExposed(tree)
    return tree


def row_texts(tree: CameraTree, camera_id: str) -> tuple[str, ...]:
    index = tree.index_for(camera_id)
    assert index.isValid()
    return tuple(str(index.siblingAtColumn(c).data()) for c in range(3))


def icon_centre(tree: CameraTree, camera_id: str) -> QColor:
    item = tree.item_for(camera_id)
    assert item is not None
    return item.icon().pixmap(12, 12).toImage().pixelColor(6, 6)


def test_cameras_are_grouped_by_site(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    assert tree.group_by is GroupBy.SITE
    assert tree.group_labels() == ["Sudirman – Thamrin junction  (4)", "Grand Mall  (3)"]
    assert row_texts(tree, "off") == ("Mall Entrance", "off", "Grand Mall Security")
    assert tree.index_for("off").parent().row() == 1
    assert tree.visible_camera_ids() == [c.id for c in registry.cameras]
    assert tree.count_label.text() == "7 cameras"
    # Every group is unfolded, its title spans the row.
    for row in range(tree.proxy.rowCount()):
        assert tree.tree.isExpanded(tree.proxy.index(row, 0))
        assert tree.tree.isFirstColumnSpanned(row, QModelIndex())


def test_the_switch_groups_by_agency_and_back(qtbot: QtBot, registry: Registry) -> None:
    cameras = (*registry.cameras, Camera("free", "Free Camera", "mall", "fake://live"))
    tree = make_tree(qtbot, dataclasses.replace(registry, cameras=cameras))
    tree.group_combo.setCurrentIndex(1)
    assert tree.group_by is GroupBy.AGENCY
    assert tree.group_labels() == [
        "Transport Department  (4)",
        "Grand Mall Security  (3)",
        "No agency  (1)",
    ]
    assert row_texts(tree, "red") == ("Sudirman North", "red", "Sudirman – Thamrin junction")
    header = tree.proxy.headerData(COL_OWNER, Qt.Orientation.Horizontal)
    assert header == "Site"
    transport = tree.proxy.index(0, COL_NAME)
    swatch = transport.data(Qt.ItemDataRole.DecorationRole).pixmap(12, 12).toImage()
    assert swatch.pixelColor(6, 6) == QColor("#3d8bfd")  # the agency's colour
    tree.set_group_by(GroupBy.SITE)
    assert tree.group_combo.currentText() == "Site"
    assert tree.group_labels()[0] == "Sudirman – Thamrin junction  (4)"


def test_filter_box_hides_cameras_that_do_not_match(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    qtbot.keyClicks(tree.filter_edit, "mall")
    assert tree.visible_camera_ids() == ["off", "drop", "old"]  # site name matches
    assert not tree.index_for("red").isValid()
    assert tree.count_label.text() == "3 of 7 cameras"
    tree.set_filter("SUDIRMAN north")  # every word must match, any case
    assert tree.visible_camera_ids() == ["red"]
    tree.set_filter("bus-lane")  # a tag
    assert tree.visible_camera_ids() == ["blue43"]
    tree.set_filter("transport department")  # the agency's name
    assert tree.visible_camera_ids() == ["red", "green", "blue43", "square"]
    tree.set_filter("sq")  # part of an id
    assert tree.visible_camera_ids() == ["square"]
    tree.set_filter("a.b (c")  # regular expression characters are plain text
    assert tree.visible_camera_ids() == []
    tree.set_filter("no such thing")
    assert tree.visible_camera_ids() == []
    assert tree.group_labels() == []
    tree.filter_edit.clear()
    assert len(tree.visible_camera_ids()) == len(registry.cameras)


def test_folded_groups_stay_folded_across_filters_and_reloads(
    qtbot: QtBot, registry: Registry
) -> None:
    tree = make_tree(qtbot, registry)
    mall = tree.proxy.index(1, COL_NAME)
    tree.tree.collapse(mall)
    tree.set_filter("parking")  # a match unfolds its group while the filter is on
    assert tree.tree.isExpanded(tree.proxy.index(0, COL_NAME))
    tree.set_filter("")
    assert tree.group_labels() == ["Sudirman – Thamrin junction  (4)", "Grand Mall  (3)"]
    assert tree.tree.isExpanded(tree.proxy.index(0, COL_NAME))
    assert not tree.tree.isExpanded(tree.proxy.index(1, COL_NAME))
    tree.set_registry(dataclasses.replace(registry))
    assert not tree.tree.isExpanded(tree.proxy.index(1, COL_NAME))


def test_dragging_a_camera_carries_its_id(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    index = tree.index_for("green")
    group = tree.proxy.index(0, COL_NAME)
    assert tree.proxy.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert tree.proxy.flags(index.siblingAtColumn(2)) & Qt.ItemFlag.ItemIsDragEnabled
    assert not tree.proxy.flags(group) & Qt.ItemFlag.ItemIsDragEnabled
    assert not tree.proxy.flags(index) & Qt.ItemFlag.ItemIsEditable
    mime = tree.proxy.mimeData([index.siblingAtColumn(1), index])
    assert mime is not None and mime.hasFormat(CAMERA_MIME)
    assert camera_id_from_mime(mime) == "green"
    assert tree.proxy.mimeData([group]) is None
    drag = tree.drag_data(["blue43"])
    assert camera_id_from_mime(drag) == "blue43"
    assert tree.proxy.supportedDragActions() == Qt.DropAction.CopyAction


def test_activating_a_camera_emits_it(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    with qtbot.waitSignal(tree.camera_activated, timeout=1000) as blocker:
        tree.tree.activated.emit(tree.index_for("blue43").siblingAtColumn(1))
    activated = blocker.args[0] if blocker.args else None
    assert isinstance(activated, Camera) and activated.id == "blue43"
    with qtbot.assertNotEmitted(tree.camera_activated):
        tree.tree.activated.emit(tree.proxy.index(0, COL_NAME))  # a group


def test_double_click_on_a_camera_row_activates_it(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    viewport = tree.tree.viewport()
    assert viewport is not None
    centre = tree.tree.visualRect(tree.index_for("off")).center()
    with qtbot.waitSignal(tree.camera_activated, timeout=1000) as blocker:
        # QTest sends the double-click event alone; a mouse presses first.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args is not None and blocker.args[0].id == "off"


def test_each_camera_shows_its_state_as_an_icon(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    assert icon_centre(tree, "red").alpha() == 0  # a hollow ring: not on the wall
    ring = tree.item_for("red")
    assert ring is not None and "Not on the wall" in ring.toolTip()
    tree.set_on_wall({"red": StreamState.LIVE, "off": StreamState.OFFLINE, "green": None})
    assert icon_centre(tree, "red") == QColor(theme.state_style(StreamState.LIVE).background)
    assert icon_centre(tree, "off") == QColor(theme.state_style(StreamState.OFFLINE).background)
    connecting = theme.state_style(StreamState.CONNECTING).background
    assert icon_centre(tree, "green") == QColor(connecting)
    assert tree.state_of("off") is StreamState.OFFLINE and tree.state_of("square") is None
    item = tree.item_for("off")
    assert item is not None and item.toolTip().endswith("On the wall: OFFLINE")
    tree.set_on_wall({"red": StreamState.LIVE})
    assert icon_centre(tree, "off").alpha() == 0
    assert icon_centre(tree, "red").green() > 150
    # States survive a change of grouping (the model is rebuilt).
    tree.set_group_by(GroupBy.AGENCY)
    assert icon_centre(tree, "red").green() > 150


def test_only_rows_whose_state_changed_are_touched(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    tree.set_on_wall({"red": StreamState.LIVE, "green": StreamState.LIVE})
    touched: list[str] = []
    tree.model.dataChanged.connect(
        lambda top, bottom, roles=(): touched.append(str(top.data(Qt.ItemDataRole.UserRole + 1)))
    )
    tree.set_on_wall({"red": StreamState.LIVE, "green": StreamState.OFFLINE})
    assert set(touched) == {"green"}


def test_a_new_registry_keeps_filter_selection_and_states(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    tree.set_on_wall({"square": StreamState.LIVE})
    tree.tree.setCurrentIndex(tree.index_for("square"))
    tree.set_filter("thamrin")
    added = Camera("east2", "Thamrin East 2", "rp01", "fake://live", "transport")
    renamed = dataclasses.replace(registry.cameras[3], name="Thamrin West Gate")
    cameras = (*registry.cameras[:3], renamed, added, *registry.cameras[4:])
    tree.set_registry(dataclasses.replace(registry, cameras=cameras))
    assert tree.filter_edit.text() == "thamrin"
    assert tree.visible_camera_ids() == ["red", "green", "blue43", "square", "east2"]
    assert row_texts(tree, "square")[0] == "Thamrin West Gate"
    assert tree.current_camera_id() == "square"
    assert icon_centre(tree, "square").green() > 150
    assert tree.group_labels() == ["Sudirman – Thamrin junction  (5)"]


# -- a thousand cameras --------------------------------------------------------------------


def big_registry(count: int = 1000, per_site: int = 10) -> Registry:
    agencies = {
        f"ag{a}": Agency(f"ag{a}", f"Agency {a}", f"#{40 * a + 20:02x}8bfd") for a in range(5)
    }
    sites = {
        f"rp{s:03d}": Site(f"rp{s:03d}", f"Road point {s:03d}") for s in range(count // per_site)
    }
    cameras = tuple(
        Camera(
            f"cam-{n:04d}",
            f"Camera {n:04d} {('North', 'South', 'East', 'West')[n % 4]}",
            f"rp{n // per_site:03d}",
            f"fake://live?n={n}",
            f"ag{n % 5}",
            tags=(f"zone{n % 7}",),
        )
        for n in range(count)
    )
    return Registry(cameras=cameras, sites=sites, agencies=agencies, source="big.yaml")


def test_a_thousand_cameras_filter_and_update_quickly(qtbot: QtBot) -> None:
    registry = big_registry()
    started = time.perf_counter()
    tree = make_tree(qtbot, registry)
    build_ms = (time.perf_counter() - started) * 1000
    app = QApplication.instance()
    assert app is not None
    tree.filter_edit.setFocus()

    keystrokes: list[float] = []
    for text in ("camera 0042", "road point 07", "zone3 north"):
        tree.filter_edit.clear()
        app.processEvents()
        for char in text:
            started = time.perf_counter()
            qtbot.keyClicks(tree.filter_edit, char)
            app.processEvents()  # the view lays itself out and paints
            keystrokes.append((time.perf_counter() - started) * 1000)
    assert tree.visible_camera_ids() == [
        f"cam-{n:04d}" for n in range(1000) if n % 7 == 3 and n % 4 == 0
    ]
    started = time.perf_counter()
    tree.filter_edit.clear()
    app.processEvents()
    clear_ms = (time.perf_counter() - started) * 1000
    assert len(tree.visible_camera_ids()) == 1000

    # A wall of 36 tiles: each tick changes the state of a few of them.
    states: dict[str, StreamState | None] = {f"cam-{n:04d}": StreamState.LIVE for n in range(36)}
    tree.set_on_wall(states)
    updates: list[float] = []
    for tick in range(20):
        states = dict(states)
        for n in (tick, tick + 7, tick + 15):  # three tiles change state on this tick
            camera_id = f"cam-{n % 36:04d}"
            live = states[camera_id] is StreamState.LIVE
            states[camera_id] = StreamState.OFFLINE if live else StreamState.LIVE
        started = time.perf_counter()
        tree.set_on_wall(states)
        app.processEvents()
        updates.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    tree.set_group_by(GroupBy.AGENCY)
    app.processEvents()
    regroup_ms = (time.perf_counter() - started) * 1000

    print(
        f"\n1000 cameras: build {build_ms:.0f} ms; keystroke median "
        f"{statistics.median(keystrokes):.1f} ms, max {max(keystrokes):.1f} ms; clear "
        f"{clear_ms:.1f} ms; state update median {statistics.median(updates):.2f} ms, max "
        f"{max(updates):.2f} ms; regroup by agency {regroup_ms:.0f} ms"
    )
    assert max(keystrokes) < 200
    assert clear_ms < 200
    assert max(updates) < 50
    assert regroup_ms < 1000
    assert tree.group_labels()[0] == "Agency 0  (200)"
