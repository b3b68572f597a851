"""Privacy notice text and retention dates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 15:52:23.006576

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

DEFAULT_RETENTION_DAYS = 30


def upgrade():
    op.create_table('privacy_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('controller', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('retention', sa.Text(), nullable=False),
    sa.Column('rights', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice'))
    )
    # Events created before retention dates existed get the default: 30 days after the
    # event. Computed here rather than in SQL, since date arithmetic differs per database.
    event = sa.table(
        'event',
        sa.column('id', sa.Integer()),
        sa.column('date', sa.Date()),
        sa.column('retention_until', sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(event.c.id, event.c.date).where(event.c.retention_until.is_(None))
    ).all()
    for event_id, day in rows:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        connection.execute(
            event.update()
            .where(event.c.id == event_id)
            .values(retention_until=day + dt.timedelta(days=DEFAULT_RETENTION_DAYS))
        )


def downgrade():
    op.drop_table('privacy_notice')
