"""Wall link: a read-only, revocable link to an event's wall screen

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wall_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_wall_link_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_link')),
    sa.UniqueConstraint('event_id', name=op.f('uq_wall_link_event_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_wall_link_token_hash'))
    )


def downgrade():
    op.drop_table('wall_link')
