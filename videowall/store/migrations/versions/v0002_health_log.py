"""Schema 2: the health log, every change of a stream's state.

``camera_id`` has no foreign key: state changes are written also while the registry
mirror is behind.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``health_log`` and its index by camera and time."""
    op.create_table(
        "health_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("camera_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_health_log_camera_id_at", "health_log", ["camera_id", "at"])


def downgrade() -> None:
    """Drop the health log."""
    op.drop_index("ix_health_log_camera_id_at", table_name="health_log")
    op.drop_table("health_log")
