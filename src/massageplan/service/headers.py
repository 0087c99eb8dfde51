"""The security headers every response of the service carries."""

from __future__ import annotations

# Every response: nothing is sniffed, framed, referred or kept by a cache (a
# client's health details), and nothing loads from anywhere. The web pages
# widen the content policy to their own stylesheet and form posts.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE_HEADERS = {
    **SECURITY_HEADERS,
    # Never a referrer to another site; to its own, the browser's Origin header
    # on a form post (under no-referrer a browser sends "null", which the
    # form's origin check must refuse).
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
# FastAPI's interactive documentation loads its own scripts: it keeps its page as it is.
UNGUARDED_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
