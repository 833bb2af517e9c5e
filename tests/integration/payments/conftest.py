import pytest

from tests.integration.payments.helpers import make_settings


@pytest.fixture
def settings():
    return make_settings()
