"""Maintain the translation catalogs: extract the messages, update the `.po`, compile the `.mo`.

    python -m payrecon.i18n.catalogs update    # add new messages to every .po (then translate)
    python -m payrecon.i18n.catalogs compile   # write each .mo from its .po
    python -m payrecon.i18n.catalogs check     # what tests/unit/officer/test_catalogs.py checks

Babel does the work; this module only fixes where things are, so nobody has to remember
pybabel's flags. Source locations are written without line numbers, so a `.po` changes only
when its messages do.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

I18N_DIR = Path(__file__).parent
TRANSLATIONS = I18N_DIR / "translations"
SOURCE_ROOT = I18N_DIR.parent.parent  # the folder holding the payrecon package
DOMAIN = "messages"
# N_: payrecon.errors.N_, messages of errors that officers read (translated where shown)
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "N_": None,
}
PO_WIDTH = 100


def extract_template() -> Catalog:
    """Every translatable message in the package's Python code and templates."""
    with (I18N_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="payrecon", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCE_ROOT, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def locales() -> list[str]:
    return sorted(path.name for path in TRANSLATIONS.iterdir() if po_path(path.name).exists())


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes for a catalog (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    """Messages of the template that the catalog lacks, leaves empty or marks fuzzy."""
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = [] if found is None else found.string
        strings = [strings] if isinstance(strings, str) else list(strings)
        if found is None or found.fuzzy or not strings or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update() -> None:
    """Merge newly extracted messages into every .po; new ones arrive untranslated."""
    template = extract_template()
    for locale in locales():
        catalog = read_catalog(locale)
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        with po_path(locale).open("wb") as po:
            write_po(po, catalog, width=PO_WIDTH, include_lineno=False, ignore_obsolete=True)


def compile_all() -> None:
    for locale in locales():
        mo_path(locale).write_bytes(compiled(read_catalog(locale)))


def check() -> list[str]:
    """Problems that make the catalogs untrue to the code; [] when all is well."""
    problems = []
    template = extract_template()
    for locale in locales():
        catalog = read_catalog(locale)
        problems += [f"{locale}: untranslated: {m!r}" for m in untranslated(catalog, template)]
        if not mo_path(locale).exists() or mo_path(locale).read_bytes() != compiled(catalog):
            problems.append(f"{locale}: {mo_path(locale).name} is not compiled from the .po")
    return problems


def main(argv: list[str]) -> int:
    commands = {"update": update, "compile": compile_all}
    if argv == ["check"]:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m payrecon.i18n.catalogs update|compile|check", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
