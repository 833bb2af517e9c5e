"""The seller's signing key and certificate, read from PEM files once per process.

Loading an RSA key is slow (cryptography checks the key: ~0.1 s, more than a hundred
signatures), so a loaded pair is cached by path, size and modification time; replacing the
files on disk is picked up by the next load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from payrecon.errors import PayreconError
from payrecon.invoices.signing import generate_demo_keypair

KEY_SETTING = "SIGNING_KEY"
CERT_SETTING = "SIGNING_CERT"
KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"


class SigningNotConfigured(PayreconError):
    """No usable signing key/certificate: nothing can be issued until one is configured."""


@dataclass(frozen=True)
class SigningKeys:
    key: PrivateKeyTypes
    cert_pem: bytes
    subject: str


def _read(path: str, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningNotConfigured(
            f"PAYRECON_{setting} = {path!r} cannot be read: {exc.strerror}", where=setting
        ) from None


def _stamp(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def keys_from_pem(key_pem: bytes, cert_pem: bytes) -> SigningKeys:
    """Load a pair and check that the certificate belongs to the key."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningNotConfigured(f"unreadable signing key: {exc}", where=KEY_SETTING) from None
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise SigningNotConfigured(f"unreadable certificate: {exc}", where=CERT_SETTING) from None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    if key.public_key().public_bytes(pem, spki) != certificate.public_key().public_bytes(pem, spki):
        raise SigningNotConfigured(
            "the signing certificate does not belong to the signing key", where=CERT_SETTING
        )
    return SigningKeys(key=key, cert_pem=cert_pem, subject=certificate.subject.rfc4514_string())


@lru_cache(maxsize=4)
def _load_cached(key_path: str, cert_path: str, _stamps: tuple) -> SigningKeys:
    return keys_from_pem(_read(key_path, KEY_SETTING), _read(cert_path, CERT_SETTING))


def load_signing_keys(key_path: str | None, cert_path: str | None) -> SigningKeys:
    """The pair at these paths (cached while the files are unchanged)."""
    if not key_path or not cert_path:
        raise SigningNotConfigured(
            "set PAYRECON_SIGNING_KEY and PAYRECON_SIGNING_CERT to PEM files "
            "(`payrecon keys generate --out DIR` makes a demo pair)",
            where=KEY_SETTING if not key_path else CERT_SETTING,
        )
    return _load_cached(key_path, cert_path, (_stamp(key_path), _stamp(cert_path)))


def write_demo_keypair(folder: Path, common_name: str) -> tuple[Path, Path]:
    """Write a self-signed demo pair (NOT FOR PRODUCTION) into `folder`; refuses to overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    for path in (key_path, cert_path):
        if path.exists():
            raise SigningNotConfigured(
                f"{path} already exists; not overwriting it", where=str(path)
            )
    key_pem, cert_pem = generate_demo_keypair(common_name)
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path


def configured_signing_keys() -> SigningKeys:
    """The pair named by the app's SIGNING_KEY / SIGNING_CERT settings (PAYRECON_* variables);
    outside an app (a bench, a subprocess) straight from the environment."""
    from flask import current_app, has_app_context

    if has_app_context():
        config = current_app.config
        return load_signing_keys(config.get(KEY_SETTING), config.get(CERT_SETTING))
    return load_signing_keys(
        os.environ.get(f"PAYRECON_{KEY_SETTING}"), os.environ.get(f"PAYRECON_{CERT_SETTING}")
    )
