"""A service's refusal (PayreconError) in the officer's language.

Services mark the messages officers read with `errors.N_` and give their values as `params`;
the catalogs hold their translations. A message nobody marked is shown as raised (English).
"""

from __future__ import annotations

from flask_babel import gettext

from payrecon.errors import PayreconError


def refusal_text(exc: PayreconError) -> str:
    """The error's message translated, its values filled in."""
    template = getattr(exc, "template", None)
    if not template:
        return str(exc)
    return gettext(template, **getattr(exc, "params", {}))
