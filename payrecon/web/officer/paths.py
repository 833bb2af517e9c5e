"""Where a redirect after sign-in or a language switch may go. Pure.

Only a path on this site: an absolute URL, a scheme-relative `//host` or a backslash trick
(`/\\host`, which some browsers read as `//host`) would turn the sign-in page into an open
redirect that sends an officer, freshly signed in, to someone else's site.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_local_path(candidate: str | None, default: str) -> str:
    """`candidate` if it is a path on this site, else `default`."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 or char == "\\" for char in candidate):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return default
    return candidate
