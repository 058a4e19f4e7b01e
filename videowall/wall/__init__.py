"""The wall session without a screen: streams, watchers, the store writer and what each
tile says, for any screen (or none) to show."""

from videowall.wall.events import Notice, RegistryChecked, WallEvent
from videowall.wall.session import WallSession, resolve_cameras
from videowall.wall.status import TileStatus

__all__ = ["Notice", "RegistryChecked", "TileStatus", "WallEvent", "WallSession",
           "resolve_cameras"]
