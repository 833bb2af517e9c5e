from tests.e2e.officer.helpers import page_text, post_form


def test_pages_are_vietnamese_first(client):
    page = page_text(client.get("/officer/login"))
    assert '<html lang="vi">' in page
    assert "Đăng nhập dành cho cán bộ tài chính" in page
    assert 'value="vi" lang="vi"\n                  aria-pressed="true"' in page


def test_switching_to_english_and_back(client):
    response = post_form(client, "/language", {"lang": "en", "next": "/officer/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/login"
    page = page_text(client.get("/officer/login"))
    assert '<html lang="en">' in page
    assert "Sign in for finance officers" in page
    post_form(client, "/language", {"lang": "vi", "next": "/officer/login"})
    assert "Đăng nhập dành cho cán bộ tài chính" in page_text(client.get("/officer/login"))


def test_an_unknown_language_changes_nothing(client):
    post_form(client, "/language", {"lang": "fr", "next": "/officer/login"})
    assert '<html lang="vi">' in page_text(client.get("/officer/login"))


def test_the_switch_only_returns_to_pages_of_this_site(client):
    response = post_form(client, "/language", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/officer/"
