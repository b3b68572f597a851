"""Building the follow-up into an app: its mail (server, sender thread, commit hooks) and
the outcome's sheets of the anonymous export."""

from __future__ import annotations

from flask import Flask

from ..organiser.exports import add_report_exporters
from .exports import OUTCOME_EXPORTERS
from .outbox import init_mail


def init_follow_up(app: Flask) -> None:
    init_mail(app)
    add_report_exporters(*OUTCOME_EXPORTERS)
