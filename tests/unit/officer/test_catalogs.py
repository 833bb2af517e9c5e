"""The translation catalogs stay true to the code: every message translated, every .mo fresh."""

from babel.messages.catalog import Catalog

from payrecon.i18n import catalogs


def test_every_message_in_code_and_templates_has_a_vietnamese_translation():
    template = catalogs.extract_template()
    assert "Sign in" in {m.id for m in template}  # the extraction itself found the templates
    assert catalogs.untranslated(catalogs.read_catalog("vi"), template) == []


def test_the_committed_mo_files_are_compiled_from_their_po():
    for locale in catalogs.locales():
        mo = catalogs.mo_path(locale).read_bytes()
        assert mo == catalogs.compiled(catalogs.read_catalog(locale)), (
            f"{locale}: run python -m payrecon.i18n.catalogs compile"
        )


def test_untranslated_finds_missing_empty_and_fuzzy_messages():
    template = Catalog()
    for message in ("Sign in", "Sign out", "Home", "Audit log"):
        template.add(message)
    catalog = Catalog(locale="vi")
    catalog.add("Sign in", "Đăng nhập")
    catalog.add("Sign out", "")
    catalog.add("Home", "Trang chủ", flags=["fuzzy"])
    assert catalogs.untranslated(catalog, template) == ["Sign out", "Home", "Audit log"]


def test_check_reports_nothing_for_the_committed_catalogs():
    assert catalogs.check() == []
