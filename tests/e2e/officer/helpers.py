"""Officer accounts and signed-in test clients for the officer pages' tests."""

from __future__ import annotations

import re

from payrecon.auth import service

PASSWORD = "correct horse battery staple"
ROLES = ("officer", "supervisor", "auditor", "admin")

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def make_officer(session, role: str, username: str | None = None, **kwargs):
    return service.create_officer(
        session,
        username=username or f"{role}.test",
        display_name=kwargs.pop("display_name", f"Nguyễn Văn {role.title()}"),
        role=role,
        password=kwargs.pop("password", PASSWORD),
        actor="test",
        **kwargs,
    )


def csrf_token(client, path: str = "/officer/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token in the form of {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, *, form_page: str = "/officer/login", **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data}, **kwargs)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return post_form(
        client, "/officer/login", {"username": username, "password": password, **extra}
    )


def signed_in_client(app, session, role: str):
    make_officer(session, role)
    client = app.test_client()
    response = sign_in(client, f"{role}.test")
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def page_text(response) -> str:
    return response.get_data(as_text=True)
