"""Mail after the day: the outbox, follow-up settings per event, evaluation answers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:50:10

* ``outbox_mail``: one row per mail to a visitor (the receipt link, the follow-up), pointing
  at the checkout; the address stays in the checkout row.
* ``follow_up_settings``: an organiser's follow-up date and text per event.
* ``evaluation``, ``evaluation_contact``, ``evaluation_product``: the visitor's answers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_up_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('send_on', sa.Date(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_follow_up_settings_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_follow_up_settings'))
    )
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('missed', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_evaluation_rating')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_evaluation_checkout_id_checkout'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('checkout_id', name=op.f('uq_evaluation_checkout_id'))
    )
    op.create_table('evaluation_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("answer IN ('yes', 'planned', 'no')", name=op.f('ck_evaluation_contact_answer')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_evaluation_contact_checkout_id_checkout'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['checkout.id'], name=op.f('fk_evaluation_contact_partner_id_checkout'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_contact')),
    sa.UniqueConstraint('checkout_id', 'partner_id', name=op.f('uq_evaluation_contact_checkout_id_partner_id'))
    )
    with op.batch_alter_table('evaluation_contact', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_contact_partner', ['partner_id'], unique=False)

    op.create_table('evaluation_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('started', 'preparing', 'not')", name=op.f('ck_evaluation_product_status')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_evaluation_product_checkout_id_checkout'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_evaluation_product_product_id_product'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_product')),
    sa.UniqueConstraint('checkout_id', 'product_id', name=op.f('uq_evaluation_product_checkout_id_product_id'))
    )
    with op.batch_alter_table('evaluation_product', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_product_product', ['product_id'], unique=False)

    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('base_url', sa.String(length=200), nullable=False),
    sa.Column('token_sealed', sa.LargeBinary(length=128), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'follow_up')", name=op.f('ck_outbox_mail_kind')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name=op.f('ck_outbox_mail_status')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_outbox_mail_checkout_id_checkout'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
    sa.UniqueConstraint('checkout_id', 'kind', name=op.f('uq_outbox_mail_checkout_id_kind'))
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mail_status_kind', ['status', 'kind'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_status_kind')

    op.drop_table('outbox_mail')
    with op.batch_alter_table('evaluation_product', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_product_product')

    op.drop_table('evaluation_product')
    with op.batch_alter_table('evaluation_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_contact_partner')

    op.drop_table('evaluation_contact')
    op.drop_table('evaluation')
    op.drop_table('follow_up_settings')
