"""Stage: web.  Takes the API's commands (``matcalc.commands``); gives the web page and its
JSON API (``app``: Starlette, served by uvicorn — the optional extra ``matcalc[web]``), the
requests and answers of the API (``protocol``) and the worker processes that compute them
within a time limit (``workers``).  ``serve()`` starts the page; without the extra it raises
``MissingExtra`` saying how to install it, and the rest of matcalc needs nothing of it.

May import: every earlier stage (errors … results, api, commands).
"""

from .app import MissingExtra, available, create_app, serve

__all__ = ["MissingExtra", "available", "create_app", "serve"]
