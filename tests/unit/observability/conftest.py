import logging

import pytest


@pytest.fixture
def restore_root_logging():
    """configure_logging changes the root logger; put it back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    werkzeug_filters = list(logging.getLogger("werkzeug").filters)
    plugins_level = logging.getLogger("alembic.runtime.plugins").level
    yield
    logging.getLogger("alembic.runtime.plugins").setLevel(plugins_level)
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("werkzeug").filters[:] = werkzeug_filters
