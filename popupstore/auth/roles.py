"""The staff roles, named once.

Views say who may open them with these names (`role_required(ORGANISER)`,
`token_required(*STAFF)`); the database allows exactly `ROLES`.
"""

from __future__ import annotations

FACILITATOR = "facilitator"
ORGANISER = "organiser"
# Every role a staff account can have, in the order the command line offers them.
ROLES = (FACILITATOR, ORGANISER)
# Who may open the screens and endpoints for any staff member.
STAFF = ROLES
