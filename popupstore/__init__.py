"""Popupstore: the pop-up store for the debt domain.

`create_app` builds the Flask app in small steps; nothing happens at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .resources import PACKAGE_DIR, resource_path


def create_app(
    config: Mapping[str, Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    """Build the app. `config` overrides every other setting (used by tests)."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(resource_path("templates")),
    )
    from .web import screen_text

    # Before anything builds the Jinja environment: every printed value passes screen_text.
    app.jinja_options = {**app.jinja_options, "finalize": screen_text}
    from .config import load_config

    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from .extensions import babel, csrf, db, login_manager, migrate
    from .i18n import init_i18n, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_path("migrations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(PACKAGE_DIR / "translations"),
    )
    init_i18n(app)
    from .ratelimits import init_rate_limits

    init_rate_limits(app)
    from .pagecache import init_page_cache
    from .versions import init_versions

    init_versions(app)
    init_page_cache(app)
    from .followup.setup import init_follow_up

    init_follow_up(app)
    from .db_setup import configure_engine

    configure_engine(app)


def register_blueprints(app: Flask) -> None:
    # Blueprints are imported from their views modules, not re-exported by the package
    # __init__: that keeps `import popupstore.catalog.models` free of view imports, so the
    # domains can use each other's services without import cycles.
    from .agreements.views import bp as agreements_bp
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .basket.views import bp as basket_bp
    from .catalog.views import bp as catalog_bp
    from .facilitator.views import bp as facilitator_bp
    from .followup.views import bp as followup_bp
    from .kiosk.views import bp as kiosk_bp
    from .organiser.views import bp as organiser_bp
    from .privacy.views import bp as privacy_bp
    from .proposals.views import bp as proposals_bp
    from .receipts.views import bp as receipts_bp
    from .series.views import bp as series_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(basket_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(facilitator_bp, url_prefix="/facilitator")
    app.register_blueprint(organiser_bp, url_prefix="/organisator")
    # Mail after the day: the visitor's evaluation and unsubscribe, the organiser's pages.
    app.register_blueprint(followup_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # /privacy and /organisator/privacy/…: the paths are spelled out in the views.
    app.register_blueprint(privacy_bp)
    # Visitor, organiser and facilitator pages of one domain: paths spelled out too.
    app.register_blueprint(proposals_bp)
    app.register_blueprint(series_bp)


def register_web(app: Flask) -> None:
    from .web import init_web

    init_web(app)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
