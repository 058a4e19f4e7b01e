"""Schema 1: the registry mirror (sites, agencies, cameras, their syncs and changes) and
the ``schema_version`` row.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def _described() -> list[sa.Column[object]]:
    """The columns a site and an agency share after their own: how the registry describes
    them, whether they left it, and when."""
    return [
        sa.Column("colour", sa.String(), nullable=False),
        sa.Column("contact", sa.String(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        *_times(),
    ]


def upgrade() -> None:
    """Create the tables of schema 1."""
    op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        *_described(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        *_described(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "registry_syncs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("cameras", sa.Integer(), nullable=False),
        sa.Column("sites", sa.Integer(), nullable=False),
        sa.Column("agencies", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("restored", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_syncs_at", "registry_syncs", ["at"])
    op.create_table(
        "cameras",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=True),
        sa.Column("agency_id", sa.String(), nullable=True),
        sa.Column("url_masked", sa.String(), nullable=False),
        sa.Column("sub_url_masked", sa.String(), nullable=True),
        sa.Column("backend", sa.String(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("heading", sa.Double(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cameras_site_id", "cameras", ["site_id"])
    op.create_index("ix_cameras_agency_id", "cameras", ["agency_id"])
    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sync_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("camera_id", sa.String(), nullable=True),
        sa.Column("site_id", sa.String(), nullable=True),
        sa.Column("agency_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["sync_id"], ["registry_syncs.id"]),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_changes_camera_id", "registry_changes", ["camera_id"])
    op.create_index("ix_registry_changes_at", "registry_changes", ["at"])


def downgrade() -> None:
    """Drop the tables of schema 1."""
    for table in ("registry_changes", "cameras", "registry_syncs", "agencies", "sites",
                  "schema_version"):
        op.drop_table(table)
