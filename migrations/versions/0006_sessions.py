"""Staff session versions; API tokens expire

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

`staff_user.session_version` is the version a staff session cookie must name to count;
logout and a password change move it on (every earlier session ends). It starts at 0.

`api_token.expires_at` is when a token stops working. Tokens made before this migration
never expired; they get the default lifetime of a new token, 90 days, counted from the
moment this migration runs, so no script stops working the day the store is upgraded
and none keeps working for ever. (Computed here rather than in SQL, since date
arithmetic differs per database.) Revoked tokens are deleted, so no column records
revocation.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

EXISTING_TOKEN_DAYS = 90


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    api_token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=EXISTING_TOKEN_DAYS)
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite keeps no offset: stored naive, in UTC, as the models write it.
        expiry = expiry.replace(tzinfo=None)
    op.execute(api_token.update().values(expires_at=expiry))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
