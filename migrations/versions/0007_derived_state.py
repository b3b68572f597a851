"""Named versions, a replay store without personal data, moderation, the v2 checkout fields

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:10:00

* ``version_counter``: the named versions every derived copy depends on; replaces
  ``event.data_version``.
* ``idempotency_record`` is rebuilt: it kept the first answer (names, e-mail addresses and
  the receipt token in clear text). The new record keeps digests and an encrypted token.
  The old records are dropped: they would only have answered replays for a day, and they
  hold exactly what must not be kept.
* ``checkout.follow_up``, ``checkout.across_series`` and ``hidden_at`` (also on
  ``agreement``), and the ``moderation_action`` log.
* Municipalities are shown by the names they use: stored display names of municipalities
  are rewritten ("Middelburg (Z.)" -> "Middelburg", "'s-Gravenhage" -> "Den Haag").
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('version_counter',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_version_counter'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('data_version')

    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_record_created_at'))
    op.drop_table('idempotency_record')
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=True),
    sa.Column('token_sealed', sa.LargeBinary(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_idempotency_record_checkout_id_checkout'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_idempotency_record_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('event_id', 'key_digest', name=op.f('uq_idempotency_record_event_id_key_digest'))
    )
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_record_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('checkout', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('across_series', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('target_ref', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('staff_username', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'show')", name=op.f('ck_moderation_action_action')),
    sa.CheckConstraint("target IN ('checkout', 'agreement')", name=op.f('ck_moderation_action_target')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_moderation_action_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_moderation_action_staff_user_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_action'))
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_action_event_created', ['event_id', 'created_at'], unique=False)

    _use_municipalities_own_names()


def _use_municipalities_own_names():
    from popupstore.organisations import display_name

    checkout = sa.table(
        'checkout',
        sa.column('organisation_key', sa.String()),
        sa.column('organisation_name', sa.String()),
    )
    connection = op.get_bind()
    pairs = connection.execute(
        sa.select(checkout.c.organisation_key, checkout.c.organisation_name).distinct()
    ).all()
    for key, stored in pairs:
        shown = display_name(key, stored)
        if shown != stored:
            connection.execute(
                checkout.update()
                .where(checkout.c.organisation_key == key, checkout.c.organisation_name == stored)
                .values(organisation_name=shown)
            )


def downgrade():
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_action_event_created')
    op.drop_table('moderation_action')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
    with op.batch_alter_table('checkout', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('across_series')
        batch_op.drop_column('follow_up')
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_record_created_at'))
    op.drop_table('idempotency_record')
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkout.id'], name=op.f('fk_idempotency_record_checkout_id_checkout'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_idempotency_record_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('event_id', 'key', name=op.f('uq_idempotency_record_event_id_key'))
    )
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_record_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0', nullable=False))
    op.drop_table('version_counter')
