"""The static files: Designsystemet's CSS and the Inter font (``make css`` puts them in
``static/``), served at ``/static`` from the package itself, so the product works offline
and asks no third party for anything.

They are open to anyone: the sign-in page and the error pages need them too, and they
hold no portfolio data. Pages link them through :func:`static_url`, whose address
carries the file's content hash: a browser may then keep it for a year, and an upgrade
that changes the file changes the address. Addresses without the hash (the font files
the CSS names) are kept for a day and revalidated by their ETag.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).with_name("static")
YEAR = "public, max-age=31536000, immutable"
DAY = "public, max-age=86400"


class StaticDir(StaticFiles):
    """Starlette's static files, with the cache lifetimes above."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = "v" in parse_qs(scope.get("query_string", b"").decode("latin-1"))
        response.headers["cache-control"] = YEAR if versioned else DAY
        return response


@cache
def static_url(name: str) -> str:
    """``/static/<name>?v=<hash of its content>``, for a template's ``<link>``."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"
