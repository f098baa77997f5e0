"""Create the self-issued token tables: refresh-token families, refresh tokens, revoked access tokens.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_refresh_families",
        sa.Column("family", sa.String(32), primary_key=True),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_auth_refresh_families_expires_at", "auth_refresh_families", ["expires_at"])
    op.create_table(
        "auth_refresh_tokens",
        # SHA-256 (hex) of the refresh token; the token itself is never stored.
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("family", sa.String(32), sa.ForeignKey("auth_refresh_families.family"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_auth_refresh_tokens_family", "auth_refresh_tokens", ["family"])
    op.create_table(
        "auth_revoked_access_tokens",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_auth_revoked_access_tokens_expires_at", "auth_revoked_access_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_revoked_access_tokens_expires_at", table_name="auth_revoked_access_tokens")
    op.drop_table("auth_revoked_access_tokens")
    op.drop_index("ix_auth_refresh_tokens_family", table_name="auth_refresh_tokens")
    op.drop_table("auth_refresh_tokens")
    op.drop_index("ix_auth_refresh_families_expires_at", table_name="auth_refresh_families")
    op.drop_table("auth_refresh_families")
