"""Schema 4: lane occupancy, one row per camera, traffic lane and minute.

The key is the camera, the lane and the minute (UTC): a second write of a minute replaces
the first. ``camera_id`` has no foreign key, like the health log: minutes are written as
they are measured, also while the registry mirror is behind.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``lane_occupancy`` and its index by camera and time."""
    op.create_table(
        "lane_occupancy",
        sa.Column("camera_id", sa.String(), nullable=False),
        sa.Column("lane", sa.String(), nullable=False),
        sa.Column("minute", sa.DateTime(), nullable=False),
        sa.Column("occupancy", sa.Float(), nullable=False),
        sa.Column("moving", sa.Float(), nullable=False),
        sa.Column("congested_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "lane", "minute"),
    )
    op.create_index("ix_lane_occupancy_camera_id_minute", "lane_occupancy",
                    ["camera_id", "minute"])


def downgrade() -> None:
    """Drop the lane occupancy."""
    op.drop_index("ix_lane_occupancy_camera_id_minute", table_name="lane_occupancy")
    op.drop_table("lane_occupancy")
