"""WSGI entry point: `gunicorn wsgi:app`."""

from payrecon import create_app

app = create_app()
