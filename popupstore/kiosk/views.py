"""Kiosk pages: turning kiosk mode on and off, the idle reset and the language switch."""

from __future__ import annotations

import os
from typing import Any

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from ..auth.roles import STAFF
from ..auth.views import end_staff_session, role_required, safe_next
from ..errors import CommandError, DomainError, ValidationError
from ..forms import EmptyForm
from ..i18n import LANGUAGE_KEY
from ..ratelimits import KIOSK_PIN
from ..security import public
from ..transactions import committed
from ..web import reset_visitor
from .forms import LanguageForm, PinForm
from .services import (
    kiosk_mode,
    pin_is_set,
    pin_matches,
    set_pin,
    turn_kiosk_off,
    turn_kiosk_on,
)

# cli_group=None: the blueprint's command sits beside the others, `popupstore set-kiosk-pin`.
bp = Blueprint("kiosk", __name__, cli_group=None)

# The visitor's side of the store; in kiosk mode everything else asks for the PIN first.
KIOSK_BLUEPRINTS = frozenset({"catalog", "basket", "receipts"})
KIOSK_ENDPOINTS = frozenset(
    {"static", "kiosk.unlock", "kiosk.reset", "kiosk.language", "privacy.notice"}
)
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
DEFAULT_WARNING_SECONDS = 20


@bp.app_context_processor
def _kiosk_context() -> dict[str, Any]:
    if request.path.startswith("/api/"):
        return {}
    return {
        "kiosk_mode": kiosk_mode(),
        "kiosk_warning_seconds": current_app.config.get(
            "KIOSK_WARNING_SECONDS", DEFAULT_WARNING_SECONDS
        ),
        "languages": [
            (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
        ],
    }


@bp.before_app_request
def _stay_on_kiosk_pages() -> Response | None:
    """On a kiosk tablet, staff pages (and the API) open only after the PIN."""
    if not kiosk_mode():  # the cheap question first: almost no device is a kiosk
        return None
    endpoint = request.endpoint
    if endpoint is None or endpoint in KIOSK_ENDPOINTS or request.blueprint in KIOSK_BLUEPRINTS:
        return None
    return redirect(url_for("kiosk.unlock"))


@bp.get("/kiosk")
@role_required(*STAFF)
def settings() -> str:
    return render_template("kiosk/settings.html", pin_set=pin_is_set(), form=EmptyForm())


@bp.post("/kiosk/aan")
@role_required(*STAFF)
def turn_on() -> Response:
    if not EmptyForm().validate_on_submit():
        raise BadRequest()
    if not pin_is_set():
        flash(_("Stel eerst een PIN in, anders kan niemand de kioskmodus weer uitzetten."), "error")
        return redirect(url_for("kiosk.settings"))
    # The tablet must not keep the staff login that switched it on: a logout like any
    # other, so a copy of the cookie made on the tablet before is worth nothing either.
    end_staff_session(keep_language=False)
    flash(_("Dit apparaat staat nu in kioskmodus."), "success")
    response = redirect(url_for("catalog.start"))
    turn_kiosk_on(response)
    return response


@bp.route("/kiosk/ontgrendelen", methods=["GET", "POST"])
@public
def unlock() -> Any:
    if not kiosk_mode():
        return redirect(url_for("auth.login"))
    form = PinForm()
    status = 200
    if request.method == "POST":
        # A PIN has few digits: every try counts as a failure before the PIN is checked
        # (429 once this address failed too often), and is given back when it unlocks.
        attempt = KIOSK_PIN.attempt()
        if form.validate_on_submit():
            if pin_matches(form.pin.data or ""):
                attempt.succeeded()
                reset_visitor(session, keep_language=False)
                flash(_("De kioskmodus staat uit. Log in om verder te gaan."), "success")
                response = redirect(url_for("auth.login"))
                turn_kiosk_off(response)
                return response
            form.pin.errors = [_("Deze PIN klopt niet.")]
        status = 422
    return render_template("kiosk/unlock.html", form=form, pin_set=pin_is_set()), status


@bp.post("/kiosk/opnieuw")
@public
def reset() -> Response:
    """The kiosk was left alone: forget the visitor and show the start screen."""
    if not EmptyForm().validate_on_submit():
        raise BadRequest()
    reset_visitor(session, keep_language=not kiosk_mode())
    return redirect(url_for("catalog.start"), code=303)


@bp.post("/taal")
@public
def language() -> Response:
    """Switch the language; the basket and everything else in the session stay."""
    form = LanguageForm()
    if not form.validate_on_submit():
        raise BadRequest()
    chosen = form.lang.data or ""
    if chosen not in current_app.config["LANGUAGES"]:
        raise ValidationError(_("Kies Nederlands of English."), {"lang": chosen[:20]})
    session[LANGUAGE_KEY] = chosen
    return redirect(safe_next(form.next.data) or url_for("catalog.start"), code=303)


@bp.cli.command("set-kiosk-pin")
def set_kiosk_pin_command() -> None:
    """Set the PIN that lets staff leave kiosk mode; from POPUPSTORE_KIOSK_PIN, else prompted."""
    pin = os.environ.get("POPUPSTORE_KIOSK_PIN")
    if not pin:
        pin = click.prompt(_("PIN (4 tot 12 cijfers)"), hide_input=True, confirmation_prompt=True)
    try:
        with committed():
            set_pin(pin)
    except DomainError as error:
        raise CommandError(error.message) from None
    click.echo(_("De kiosk-PIN is ingesteld (we bewaren alleen een hash)."))
