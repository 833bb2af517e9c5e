"""Languages of the web pages: Vietnamese first, English on request (Flask-Babel).

Message ids in the code and templates are English; `translations/vi/LC_MESSAGES/messages.po`
translates every one of them, and English needs no catalog. The compiled `.mo` files are
committed next to their `.po` so a fresh clone serves Vietnamese without a build step;
tests/unit/officer/test_catalogs.py fails when a `.mo` is stale or a message lacks its
Vietnamese translation. `python -m payrecon.i18n.catalogs update|compile` maintains them.

The chosen language lives in the session (`lang`), set by the language switch that every
page's layout carries; without a choice the page is Vietnamese.
"""

from __future__ import annotations

from flask import Flask, session
from flask_babel import Babel, get_locale

LOCALES: tuple[str, ...] = ("vi", "en")
DEFAULT_LOCALE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
SESSION_KEY = "lang"
TIMEZONE = "Asia/Ho_Chi_Minh"


def chosen_locale(stored: object) -> str:
    """The locale for a stored choice; anything unknown means the default (Vietnamese)."""
    return stored if isinstance(stored, str) and stored in LOCALES else DEFAULT_LOCALE


def _select_locale() -> str:
    return chosen_locale(session.get(SESSION_KEY))


def init_app(app: Flask) -> None:
    Babel(
        app,
        default_locale=DEFAULT_LOCALE,
        default_timezone=TIMEZONE,
        default_translation_directories="i18n/translations",
        locale_selector=_select_locale,
    )
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
