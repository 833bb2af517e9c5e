"""The demo signing pair (as the invoice tests use it)."""

from tests.integration.invoices.conftest import demo_pem, signing_keys

__all__ = ["demo_pem", "signing_keys"]
