"""The web face: server-rendered pages (Jinja2 + htmx) and the JSON API under ``/api``.

``create_app(settings=None)`` builds the ASGI app; ``myomap serve`` runs it with uvicorn.
"""

from myomap.web.app import create_app

__all__ = ["create_app"]
