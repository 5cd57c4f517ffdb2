"""The HTTP API and web page of the rewriting assistant."""

from kanon.api.app import create_app
from kanon.api.server import run

__all__ = ["create_app", "run"]
