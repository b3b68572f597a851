"""The `popupstore` command group (README "Command line"; docs/architecture.md).

Every command exits 0 on success and 2 on bad input with a one-line message, and
writes nothing when it fails: the services flush, the command commits once.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_babel import gettext as _

from .auth.roles import ROLES
from .auth.services import DEFAULT_TOKEN_DAYS
from .config import ConfigError
from .errors import CommandError, DomainError
from .transactions import committed

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,100}$")


@contextmanager
def _transaction() -> Iterator[None]:
    """Commit what the block did, or roll all of it back and report one line."""
    from .catalog.services import ProductFileError

    try:
        with committed():
            yield
    except DomainError as error:
        detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise CommandError(f"{error.message} {detail}".strip()) from None
    except ProductFileError as error:
        raise CommandError(error.one_line()) from None


def _parse_date(value: str) -> date:
    if not DATE.match(value or ""):
        raise CommandError(_("--date moet de vorm JJJJ-MM-DD hebben, niet %(value)r", value=value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date is geen bestaande datum: %(value)r", value=value)) from None


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (idempotent)."""
    from .db_setup import upgrade_schema

    upgrade_schema()
    click.echo(_("Het databaseschema is bijgewerkt."))


@click.command("load-products")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_products_command(path: Path) -> None:
    """Validate a YAML product file and upsert its products by slug (all or nothing)."""
    from .catalog.services import load_products

    with _transaction():
        report = load_products(path)
    click.echo(
        _(
            "%(path)s geladen: %(created)d nieuw, %(updated)d bijgewerkt, %(same)d ongewijzigd.",
            path=str(path),
            created=len(report.created),
            updated=len(report.updated),
            same=len(report.unchanged),
        )
    )


@click.command("create-event")
@click.argument("slug")
@click.option("--name", required=True, help="Name of the event.")
@click.option("--city", required=True, help="City where it takes place.")
@click.option("--date", "when", required=True, help="Date as YYYY-MM-DD.")
@click.option("--activate", is_flag=True, help="Make it the event the kiosk sells for.")
@click.option("--series", "series_slug", default=None, help="Put it in this series of events.")
@with_appcontext
def create_event_command(
    slug: str, name: str, city: str, when: str, activate: bool, series_slug: str | None
) -> None:
    """Create an event."""
    from .events.services import create_event
    from .series.services import add_event_to_series, get_series

    day = _parse_date(when)
    with _transaction():
        series = get_series(series_slug) if series_slug is not None else None
        event = create_event(slug, name=name, city=city, date=day, activate=activate)
        if series is not None:
            add_event_to_series(series, event)
    if activate:
        click.echo(_("Evenement %(slug)s aangemaakt en actief gemaakt.", slug=event.slug))
    else:
        click.echo(_("Evenement %(slug)s aangemaakt.", slug=event.slug))
    if series is not None:
        click.echo(_("Het hoort bij de reeks %(series)s.", series=series.slug))


@click.command("create-series")
@click.argument("slug")
@click.option("--name", required=True, help="Name of the series.")
@with_appcontext
def create_series_command(slug: str, name: str) -> None:
    """Create a series of events (e.g. the network days of one year)."""
    from .series.services import create_series

    with _transaction():
        series = create_series(slug, name=name)
    click.echo(_("Reeks %(slug)s aangemaakt.", slug=series.slug))


@click.command("activate-event")
@click.argument("slug")
@with_appcontext
def activate_event_command(slug: str) -> None:
    """Make this event the active one (exactly one is active)."""
    from .events.services import activate_event, get_event

    with _transaction():
        event = activate_event(get_event(slug))
    click.echo(_("Evenement %(slug)s is nu actief.", slug=event.slug))


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Staff role.")
@with_appcontext
def create_user_command(username: str, role: str) -> None:
    """Create a staff user; password from POPUPSTORE_PASSWORD, else prompted."""
    from .auth.services import create_user, get_user

    with _transaction():
        try:
            get_user(username)
        except DomainError:
            pass
        else:
            raise CommandError(_("Gebruiker '%(name)s' bestaat al.", name=username))
    password = _new_password()
    with _transaction():
        user = create_user(username, password, role)
    click.echo(_("%(role)s %(name)s aangemaakt.", role=user.role, name=user.username))


def _new_password() -> str:
    """The password from POPUPSTORE_PASSWORD, else asked for twice without echo."""
    password = os.environ.get("POPUPSTORE_PASSWORD")
    if not password:
        password = click.prompt(_("Wachtwoord"), hide_input=True, confirmation_prompt=True)
    return str(password)


@click.command("set-password")
@click.argument("username")
@with_appcontext
def set_password_command(username: str) -> None:
    """Give a staff user a new password (POPUPSTORE_PASSWORD, else prompted); ends their
    sessions everywhere."""
    from .auth.services import get_user, set_password

    with _transaction():
        get_user(username)
    password = _new_password()
    with _transaction():
        set_password(get_user(username), password)
    click.echo(
        _("Nieuw wachtwoord voor %(name)s; elke sessie van %(name)s is beëindigd.", name=username)
    )


def _whole_number(option: str, value: str) -> int:
    text = value.strip()
    if not WHOLE_NUMBER.match(text):
        raise CommandError(
            _("%(option)s moet een heel getal zijn, niet %(value)r", option=option, value=value)
        )
    return int(text)


@click.command("create-token")
@click.argument("username")
@click.option(
    "--days", default=str(DEFAULT_TOKEN_DAYS), show_default=True, help="Days the token is valid."
)
@with_appcontext
def create_token_command(username: str, days: str) -> None:
    """Create an API token valid --days days; its expiry is the second-last line printed,
    the token alone the last."""
    from .auth.services import create_token, get_user
    from .i18n import select_timezone

    valid_days = _whole_number("--days", days)
    with _transaction():
        issued = create_token(get_user(username), valid_days)
    click.echo(
        _("API-token voor %(name)s (alleen nu te zien; we bewaren een hash):", name=username)
    )
    # In the store's own time zone, with its offset: a moment both people and scripts read.
    local = ZoneInfo(select_timezone())
    expiry = issued.expires_at.astimezone(local).isoformat(timespec="seconds")
    click.echo(_("Geldig tot %(moment)s", moment=expiry))
    click.echo(issued.token)


@click.command("revoke-tokens")
@click.argument("username")
@with_appcontext
def revoke_tokens_command(username: str) -> None:
    """Make every API token of a staff user stop working at once."""
    from .auth.services import get_user, revoke_tokens

    with _transaction():
        revoked = revoke_tokens(get_user(username))
    click.echo(_("%(n)d API-token(s) van %(name)s ingetrokken.", n=revoked, name=username))


@click.command("purge-personal-data")
@click.argument("slug")
@with_appcontext
def purge_personal_data_command(slug: str) -> None:
    """Erase names, e-mail addresses and receipt tokens of an event's visitors."""
    from .db_setup import scrub_erased_data
    from .events.services import get_event
    from .privacy.erasure import purge_personal_data

    with _transaction():
        event = get_event(slug)
        result = purge_personal_data(event)
    scrub_erased_data()
    click.echo(
        _(
            "Persoonsgegevens van %(slug)s gewist: %(n)d bonnen geanonimiseerd, "
            "%(k)d idempotentie-records verwijderd.",
            slug=slug,
            n=result.checkouts,
            k=result.idempotency_records,
        )
    )


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Purge personal data of every event past its retention date (for cron; idempotent)."""
    from .basket.replays import forget_expired
    from .db_setup import scrub_erased_data
    from .privacy.services import purge_expired, today

    with _transaction():
        purged = [(event.slug, result) for event, result in purge_expired(today())]
        forget_expired()
    if not purged:
        click.echo(_("Geen evenementen met verlopen persoonsgegevens."))
        return
    scrub_erased_data()
    for slug, result in purged:
        click.echo(
            _(
                "Persoonsgegevens van %(slug)s gewist: %(n)d bonnen geanonimiseerd.",
                slug=slug,
                n=result.checkouts,
            )
        )


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send every mail that is due (for cron, every few minutes); each exactly once."""
    from .followup.outbox import send_due_mail

    report = send_due_mail()
    if report.mail_off:
        click.echo(_("Mail staat uit (POPUPSTORE_MAIL_URL is niet ingesteld): niets verstuurd."))
        return
    for failed in report.failed:
        # By receipt number, never by address: cron mails and logs keep this output.
        click.echo(
            _(
                "Mislukt: %(event)s bon %(number)d (%(kind)s): %(error)s",
                event=failed.event,
                number=failed.number,
                kind=failed.kind,
                error=failed.error,
            )
        )
    click.echo(
        _(
            "%(sent)d verstuurd, %(failed)d mislukt, %(later)d later opnieuw, "
            "%(waiting)d wachtend.",
            sent=report.sent,
            failed=len(report.failed),
            later=report.retry_later,
            waiting=report.waiting,
        )
    )
    if report.unreachable:
        raise click.ClickException(
            _("Mailserver niet bereikbaar: %(reason)s", reason=report.unreachable)
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on standard output (never a receipt token); "
    "switch it off behind a reverse proxy that logs already.",
)
def serve_command(host: str, port: int, workers: int, access_log: bool) -> None:
    """Run the production server (gunicorn); needs POPUPSTORE_SECRET_KEY."""
    if not os.environ.get("POPUPSTORE_SECRET_KEY"):
        raise CommandError("POPUPSTORE_SECRET_KEY moet gezet zijn voor de productieserver")
    from .server import run_production_server

    # The app factory the `popupstore` command was started with (console.main): each
    # worker builds its own app with it.
    factory = click.get_current_context().ensure_object(ScriptInfo).create_app
    if factory is None:
        raise CommandError("Start de server met het commando 'popupstore serve'.")
    run_production_server(factory, host=host, port=port, workers=workers, access_log=access_log)


@click.command("bootstrap-demo")
@click.option("--products", "products_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option(
    "--visitors",
    type=click.IntRange(0, 2000),
    default=0,
    show_default=True,
    help="Fill the demo event up to N simulated visitors (and an earlier demo day of its "
    "series up to N/2).",
)
@with_appcontext
def bootstrap_demo_command(products_path: Path | None, base_url: str, visitors: int) -> None:
    """Set up a store to try out: schema, seed catalog, a demo event and organiser; with
    --visitors, simulated visitors in demo events only."""
    from .db_setup import upgrade_schema
    from .demo import (
        DEMO_SERIES,
        add_demo_activity,
        bootstrap_demo,
        check_demo_is_active,
        place_demo_visitors,
        prepare_demo_series,
    )

    if visitors:
        with _transaction():
            upgrade_schema()
            check_demo_is_active()
    with _transaction():
        lines = bootstrap_demo(products_path)
    if visitors:
        # The checkouts are committed before the agreements: those are made with the
        # matches a receipt shows, which only committed checkouts give.
        with _transaction():
            demo, earlier = prepare_demo_series()
            added_earlier = place_demo_visitors(earlier, visitors // 2, seed=1)
            added = place_demo_visitors(demo, visitors, seed=2)
        with _transaction():
            lines += add_demo_activity(demo)
        lines.append(
            f"Demo visitors: {added} added to {demo.slug}, {added_earlier} to "
            f"{earlier.slug} (series {DEMO_SERIES})."
        )
    root = base_url.rstrip("/")
    lines += [
        f"Kiosk:       {root}/",
        f"Facilitator: {root}/facilitator/",
        f"Organiser:   {root}/organisator/",
    ]
    for line in lines:
        click.echo(line)


COMMANDS: tuple[click.Command, ...] = (
    init_db_command,
    load_products_command,
    create_event_command,
    create_series_command,
    activate_event_command,
    create_user_command,
    set_password_command,
    create_token_command,
    revoke_tokens_command,
    purge_personal_data_command,
    purge_expired_command,
    send_mail_command,
    serve_command,
    bootstrap_demo_command,
)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


class PopupstoreGroup(FlaskGroup):
    """Flask's CLI group with one-line errors: 'Error: …' on stderr and exit 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as error:
            message = " ".join(error.format_message().split())
            click.echo(f"Error: {message}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except ConfigError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
