"""How the wall analyses pictures for motion and queues: the ``motion`` section of the
registry file.

The settings, their ranges and defaults are declared in
:data:`videowall.registry.settings.MOTION_SECTION_SETTINGS`; this module holds the record
built from them. What each camera watches (zones, lanes, masks, sensitivity) is in its own
``motion`` block, :class:`videowall.registry.model.MotionConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

from videowall.registry.settings import MOTION_SECTION

__all__ = ["MotionSettings"]


@dataclass(frozen=True)
class MotionSettings:
    """The wall-wide settings of motion and queue analysis. Seconds throughout."""

    #: Pictures analysed per second and camera.
    analysis_fps: float = MOTION_SECTION["analysis_fps"].default
    #: Height of the grey picture analysed; the width keeps the aspect.
    analysis_lines: int = int(MOTION_SECTION["analysis_lines"].default)
    #: Motion must last this long before it counts ...
    min_duration_s: float = MOTION_SECTION["min_duration_s"].default
    #: ... and ends after this long without motion.
    end_after_s: float = MOTION_SECTION["end_after_s"].default
    #: This share of the picture changing at once is the lighting, not motion.
    lighting_change: float = MOTION_SECTION["lighting_change"].default
    #: Time constant of the background's adaptation.
    learn_s: float = MOTION_SECTION["learn_s"].default
    #: A lane this full counts as occupied.
    lane_occupied: float = MOTION_SECTION["lane_occupied"].default
    #: Occupied and still this long: a queue.
    congestion_after_s: float = MOTION_SECTION["congestion_after_s"].default
    #: Time constant of the picture of the empty road.
    lane_learn_s: float = MOTION_SECTION["lane_learn_s"].default
    #: Cameras watched at most while on no tile.
    watch_max_cameras: int = int(MOTION_SECTION["watch_max_cameras"].default)
    #: Share of one core that background watching may take.
    watch_cpu_share: float = MOTION_SECTION["watch_cpu_share"].default

    @property
    def interval_s(self) -> float:
        """Seconds between two analysed pictures of one camera."""
        return 1.0 / self.analysis_fps
