"""Schema 3: alerts (one row per alert, its latest state) and their history (one row per
step: raised, updated, acknowledged, resolved).

``alerts.camera`` and ``members`` have no foreign key, like the health log: alerts are
written as they happen, also while the registry mirror is behind.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

#: A ULID.
_ID = sa.String(length=26)


def upgrade() -> None:
    """Create ``alerts`` and ``alert_history`` with their indexes."""
    op.create_table(
        "alerts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("camera", sa.String(), nullable=False),
        sa.Column("site", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", sa.String(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("needs_ack", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alerts_state", "alerts", ["state"])
    op.create_index("ix_alerts_camera", "alerts", ["camera"])
    op.create_index("ix_alerts_first_at", "alerts", ["first_at"])
    op.create_table(
        "alert_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("by_user", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_history_alert_id_at", "alert_history", ["alert_id", "at"])


def downgrade() -> None:
    """Drop the alerts and their history."""
    op.drop_index("ix_alert_history_alert_id_at", table_name="alert_history")
    op.drop_table("alert_history")
    op.drop_index("ix_alerts_first_at", table_name="alerts")
    op.drop_index("ix_alerts_camera", table_name="alerts")
    op.drop_index("ix_alerts_state", table_name="alerts")
    op.drop_table("alerts")
