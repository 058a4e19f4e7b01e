"""The camera list: grouped by site, filtered as the operator types, dragged onto tiles."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from videowall.camera import Camera, Registry
from videowall.streams.base import StreamState
from videowall.ui.camera_tree import CameraTree
from videowall.ui.tile import CAMERA_MIME, camera_id_from_mime


def make_tree(qtbot: QtBot, registry: Registry) -> CameraTree:
    tree = CameraTree(registry)
    qtbot.addWidget(tree)
    tree.resize(360, 500)
    tree.show()
    return tree


def test_cameras_are_grouped_by_site(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    sites = [tree.tree.topLevelItem(i) for i in range(tree.tree.topLevelItemCount())]
    assert [s.text(0) for s in sites if s is not None] == [
        "Sudirman – Thamrin junction  (4)",
        "Grand Mall  (3)",
    ]
    item = tree.item_for("off")
    assert item is not None
    assert (item.text(0), item.text(1), item.text(2)) == (
        "Mall Entrance",
        "off",
        "Grand Mall Security",
    )
    assert item.parent() is sites[1]
    assert tree.visible_camera_ids() == [c.id for c in registry.cameras]


def test_filter_box_hides_cameras_that_do_not_match(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    qtbot.keyClicks(tree.filter_edit, "mall")
    assert tree.visible_camera_ids() == ["off", "drop", "old"]  # site name matches
    hidden = tree.item_for("red")
    assert hidden is not None and hidden.isHidden()
    tree.set_filter("SUDIRMAN north")  # every word must match, any case
    assert tree.visible_camera_ids() == ["red"]
    tree.set_filter("bus-lane")  # a tag
    assert tree.visible_camera_ids() == ["blue43"]
    tree.set_filter("transport department")  # the agency's name
    assert tree.visible_camera_ids() == ["red", "green", "blue43", "square"]
    tree.set_filter("no such thing")
    assert tree.visible_camera_ids() == []
    site = tree.tree.topLevelItem(0)
    assert site is not None and site.isHidden()
    tree.filter_edit.clear()
    assert len(tree.visible_camera_ids()) == len(registry.cameras)


def test_dragging_a_camera_carries_its_id(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    item = tree.item_for("green")
    site = tree.tree.topLevelItem(0)
    assert item is not None and site is not None
    assert item.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not site.flags() & Qt.ItemFlag.ItemIsDragEnabled
    mime = tree.tree.mimeData([item])
    assert mime is not None and mime.hasFormat(CAMERA_MIME)
    assert camera_id_from_mime(mime) == "green"
    assert tree.tree.mimeData([site]) is None


def test_activating_a_camera_emits_it(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    item = tree.item_for("blue43")
    assert item is not None
    with qtbot.waitSignal(tree.camera_activated, timeout=1000) as blocker:
        tree.tree.itemActivated.emit(item, 0)
    activated = blocker.args[0] if blocker.args else None
    assert isinstance(activated, Camera) and activated.id == "blue43"


def test_cameras_on_the_wall_get_a_state_dot(qtbot: QtBot, registry: Registry) -> None:
    tree = make_tree(qtbot, registry)
    item = tree.item_for("red")
    assert item is not None
    blank = item.icon(0).pixmap(12, 12).toImage().pixelColor(6, 6)
    tree.set_on_wall({"red": StreamState.LIVE})
    dot = item.icon(0).pixmap(12, 12).toImage().pixelColor(6, 6)
    assert blank.alpha() == 0
    assert dot.green() > 150 and dot.red() < 100  # live green
    tree.set_on_wall({})
    assert item.icon(0).pixmap(12, 12).toImage().pixelColor(6, 6).alpha() == 0
