"""A demo signing pair for the invoice service tests."""

from __future__ import annotations

import pytest

from payrecon.invoices.keys import SigningKeys, keys_from_pem
from tests.integration.invoices.helpers import demo_signing_pem


@pytest.fixture(scope="session")
def demo_pem() -> tuple[bytes, bytes]:
    return demo_signing_pem()


@pytest.fixture(scope="session")
def signing_keys(demo_pem) -> SigningKeys:
    return keys_from_pem(*demo_pem)


@pytest.fixture
def key_files(tmp_path, demo_pem) -> tuple[str, str]:
    """The demo pair written to PEM files, as PAYRECON_SIGNING_KEY/CERT name them."""
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(demo_pem[0])
    cert_path.write_bytes(demo_pem[1])
    return str(key_path), str(cert_path)
