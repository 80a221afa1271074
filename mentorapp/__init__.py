"""mentorapp: aspiring music producers meet established producers, studios and schools."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from mentorapp import config as settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Tests pass `test_config`; everyone else configures the environment."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("MENTORAPP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    configure(app, test_config)
    configure_logging(app)
    register_observability(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.DEFAULTS)
    if test_config is None:
        app.config.from_mapping(settings.from_environment(app.instance_path))
    else:
        app.config.from_mapping(test_config)
    from mentorapp.database import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config
    )


def configure_logging(app: Flask) -> None:
    from mentorapp.observability import configure_logging as configure

    configure(app)


def register_observability(app: Flask) -> None:
    # Before the extensions: its after_request then runs last and logs the final status.
    from mentorapp import observability

    observability.init_app(app)


def register_extensions(app: Flask) -> None:
    from mentorapp import models  # noqa: F401  (the models must be known to the metadata)
    from mentorapp.database import configure_engine
    from mentorapp.extensions import csrf, db, limiter, login_manager, migrate
    from mentorapp.security import IdConverter

    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    # The limiter is one object per process and keeps the default limits of the first app
    # that set RATELIMIT_DEFAULT; each app built here starts from its own config instead.
    limiter.limit_manager.set_default_limits([])
    limiter.init_app(app)
    login_manager.init_app(app)
    from mentorapp.auth.sessions import configure_login
    from mentorapp.mentors.index import track_search_changes
    from mentorapp.suggestions.index import track_changes

    configure_login(login_manager)
    track_changes(app)
    track_search_changes(app)
    from mentorapp import storage, tasks

    tasks.init_app(app)
    storage.init_app(app)


def register_request_hooks(app: Flask) -> None:
    from mentorapp.security import add_security_headers, trust_proxies
    from mentorapp.transactions import register_unit_of_work

    register_unit_of_work(app)
    add_security_headers(app)
    trust_proxies(app, int(os.environ.get("PROXY_FIX_HOPS", "0") or 0))


def register_blueprints(app: Flask) -> None:
    from mentorapp.account.routes import bp as account
    from mentorapp.admin.routes import bp as admin
    from mentorapp.apprenticeships.routes import bp as apprenticeships
    from mentorapp.auth.routes import bp as auth
    from mentorapp.availability.routes import bp as availability
    from mentorapp.directory.routes import bp as directory
    from mentorapp.insights.routes import bp as insights
    from mentorapp.main.routes import bp as main
    from mentorapp.mentors.routes import bp as mentors
    from mentorapp.notifications.routes import bp as notifications
    from mentorapp.observability.routes import bp as observability
    from mentorapp.photos.routes import bp as photos
    from mentorapp.profiles.routes import bp as profiles
    from mentorapp.programme.routes import bp as programme
    from mentorapp.quiz.routes import bp as quiz
    from mentorapp.suggestions.routes import bp as suggestions
    from mentorapp.trust.feedback_routes import admin_bp as feedback_admin
    from mentorapp.trust.feedback_routes import bp as feedback
    from mentorapp.trust.guardian_routes import bp as guardian
    from mentorapp.trust.guardian_routes import conduct_bp as conduct
    from mentorapp.trust.routes import bp as trust
    from mentorapp.trust.vetting_routes import bp as vetting

    for blueprint in (
        main,
        auth,
        account,
        profiles,
        mentors,
        photos,
        suggestions,
        apprenticeships,
        availability,
        directory,
        notifications,
        quiz,
        admin,
        insights,
        programme,
        observability,
        feedback,
        feedback_admin,
        guardian,
        conduct,
        trust,
        vetting,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from mentorapp.errorpages import register_errorhandlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from mentorapp.forms import EmptyForm
    from mentorapp.notifications.services import unread_count

    def _unread() -> int:
        return unread_count(current_user) if current_user.is_authenticated else 0

    @app.context_processor
    def _layout():
        # `unread` is a function so a page that never shows the navigation never counts.
        return {
            "logout_form": EmptyForm,
            "environment": app.config["ENV_NAME"],
            "unread_notifications": _unread,
        }


def register_commands(app: Flask) -> None:
    from mentorapp.cli import register

    register(app)
