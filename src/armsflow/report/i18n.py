"""Message catalogues of the report: English is the source language; other languages are gettext ``.po`` files
under ``report/locales/``, compiled in memory with Babel when first used (no build step, no stale ``.mo`` files)."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from armsflow.errors import ParameterError

DOMAIN = "armsflow"
LANGUAGES = ("en", "de")


def check_language(lang: str) -> str:
    """``lang`` if the report speaks it; a ``ParameterError`` naming the parameter ``lang`` otherwise."""
    if lang not in LANGUAGES:
        raise ParameterError("lang", f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    return lang


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction, translate later"
    """Mark ``message`` for the catalogue without translating it here (it is translated where it is shown)."""
    return message


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English needs none: its messages are the source text)."""
    check_language(lang)
    if lang == "en":
        return NullTranslations()
    po = resources.files("armsflow.report").joinpath("locales", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)
