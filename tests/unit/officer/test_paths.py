import pytest

from payrecon.web.officer.paths import safe_local_path


@pytest.mark.parametrize("path", ["/officer/", "/officer/audit", "/pay/HS-1?step=2"])
def test_local_paths_are_kept(path):
    assert safe_local_path(path, "/home") == path


@pytest.mark.parametrize(
    "candidate",
    [
        None,
        "",
        "officer/",
        "https://evil.example/",
        "//evil.example/officer",
        "/\\evil.example",
        "/officer\\..\\x",
        "/officer/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
    ],
)
def test_anything_else_falls_back(candidate):
    assert safe_local_path(candidate, "/home") == "/home"
