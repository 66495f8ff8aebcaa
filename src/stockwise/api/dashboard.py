"""The web dashboard: HTML pages and their assets, served by the API app itself.

The pages are shells (navigation, forms, empty tables and chart areas); their scripts call
the JSON API with the key the user pastes once, so the dashboard has no data path of its
own and sees exactly what an integrator sees. Every asset is local: our small CSS and JS
from ``static/``, and plotly.js straight from the installed ``plotly`` package (no CDN, no
4 MB copy in the repository), so the dashboard works on a machine without internet.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from stockwise.words import LANGUAGES, catalogue, tr

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"
PAGES = {  # path -> (template, title shown in the navigation)
    "/": ("overview.html", "Overview"),
    "/orders": ("orders.html", "Order list"),
    "/alerts": ("alerts.html", "Alerts"),
    "/runs": ("runs.html", "Runs"),
    "/upload": ("upload.html", "Upload"),
    "/product": ("product.html", "Product"),
}
NAV = ["/", "/orders", "/alerts", "/runs", "/upload"]
ASSET_CACHE = "public, max-age=86400"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
"""The browser itself refuses anything not served by this app (plotly draws with inline
styles and data: images; nothing else is allowed)."""


def plotly_bundle() -> Path:
    """plotly.min.js as shipped in the installed plotly package's package data."""
    path = Path(str(files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise HTTPException(503, "plotly.min.js not found in the installed plotly package")
    return path


def page_language(request: Request) -> str:
    """The page's language: ``?lang=`` when it names one stockwise speaks, else the
    server's setting (``STOCKWISE_LANG``)."""
    asked = request.query_params.get("lang", "").strip().lower()
    return asked if asked in LANGUAGES else request.app.state.settings.lang


def mount_dashboard(app: FastAPI) -> None:
    """Add the dashboard pages, ``/static`` and ``/vendor/plotly.min.js`` to ``app``.

    A page is served in its language (:func:`page_language`) with the catalogue's words
    (:mod:`stockwise.words`) inlined as JSON: the page's script says every text of the
    page and of the tables it draws through them, numbers and dates in the language's
    form, and asks the API for its sentences in that language."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def page(template: str, title: str):
        def render(request: Request) -> HTMLResponse:
            lang = page_language(request)
            keep = f"?lang={lang}" if "lang" in request.query_params else ""
            nav = [(path + keep, tr(PAGES[path][1], lang), path) for path in NAV]
            return templates.TemplateResponse(
                request,
                template,
                {
                    "title": tr(title, lang),
                    "nav": nav,
                    "current": request.url.path,
                    "api": API_PREFIX,
                    "lang": lang,
                    "words": dict(catalogue(lang)),
                },
                headers={"Content-Security-Policy": CSP},
            )

        return render

    for path, (template, title) in PAGES.items():
        app.add_api_route(
            path,
            page(template, title),
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
            name=f"dashboard:{template.removesuffix('.html')}",
        )

    def plotly_js() -> FileResponse:
        return FileResponse(
            plotly_bundle(), media_type="text/javascript", headers={"Cache-Control": ASSET_CACHE}
        )

    app.add_api_route(
        "/vendor/plotly.min.js",
        plotly_js,
        methods=["GET"],
        include_in_schema=False,
        name="dashboard:plotly",
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
