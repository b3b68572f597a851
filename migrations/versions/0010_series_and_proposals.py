"""Series of events, product proposals, demo events

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 15:47:51.381344

* ``event_series`` and ``series_event``: events grouped into a series; the event is the
  primary key of its membership, so an event is in at most one series.
* ``proposal``: products proposed by visitors and the organiser's decision on them.
* ``event.is_demo``: demo events (``popupstore bootstrap-demo``), the only ones that take
  simulated visitors.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_series')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_series_slug'))
    )
    op.create_table('series_event',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_series_event_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_series_event_series_id_event_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_series_event'))
    )
    with op.batch_alter_table('series_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_event_series_id'), ['series_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('pitch', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=300), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('visitor', 'evaluation')", name=op.f('ck_proposal_source')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'merged', 'declined')", name=op.f('ck_proposal_status')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_proposal_checkout_id_checkout'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_proposal_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_proposal_product_id_product'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_checkout_id'), ['checkout_id'], unique=False)
        batch_op.create_index('ix_proposal_event', ['event_id'], unique=False)
        batch_op.create_index('ix_proposal_product', ['product_id'], unique=False)
        batch_op.create_index('ix_proposal_status_created', ['status', 'created_at'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('is_demo')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_status_created')
        batch_op.drop_index('ix_proposal_product')
        batch_op.drop_index('ix_proposal_event')
        batch_op.drop_index(batch_op.f('ix_proposal_checkout_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('series_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_event_series_id'))

    op.drop_table('series_event')
    op.drop_table('event_series')
