"""Round timer: one shared round clock per event, for every wall and staff screen

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_timer',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_ms', sa.Integer(), nullable=True),
    sa.CheckConstraint('minutes BETWEEN 1 AND 90', name=op.f('ck_round_timer_minutes')),
    sa.CheckConstraint('ends_at IS NULL OR left_ms IS NULL', name=op.f('ck_round_timer_one_state')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_round_timer_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_round_timer'))
    )


def downgrade():
    op.drop_table('round_timer')
