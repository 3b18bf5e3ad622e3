"""A fake eSMS-shaped SMS provider with fault injection, for development and tests."""

from .app import create_app
from .send_routes import SEND_PATH
from .settings import Settings

__all__ = ["SEND_PATH", "Settings", "create_app"]
