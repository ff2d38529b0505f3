"""The ASGI application for servers (uvicorn, granian): ``portal.asgi:app``."""

from portal.app import create_app

app = create_app()
