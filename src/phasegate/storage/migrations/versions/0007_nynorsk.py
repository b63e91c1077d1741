"""A person's language may be nynorsk (nn) as well as bokmål (nb) and English (en).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NAME = "ck_people_language"


def upgrade() -> None:
    _allow("'nb', 'nn', 'en'")


def downgrade() -> None:
    # The older code knows no nynorsk: those who chose it read bokmål again.
    op.execute("UPDATE people SET language = 'nb' WHERE language = 'nn'")
    _allow("'nb', 'en'")


def _allow(languages: str) -> None:
    # SQLite cannot change a constraint in place: batch mode copies the table with the new
    # one. The copy keeps every id, so the rows that refer to people still find theirs.
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(NAME), type_="check")
        batch_op.create_check_constraint(batch_op.f(NAME), f"language in ({languages})")
