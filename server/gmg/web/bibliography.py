"""/bibliography.bib and /bibliography.ris: the works the notes cite, as files to download.

Read from the store on each request (69 works: a few milliseconds), so an accepted update
is in the next download.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..bibliography import to_bibtex, to_ris, works_from_rows
from ..engine import EngineSupervisor
from ..settings import Settings
from ..sitequeries import CITING_NOTES, WORKS
from . import internal
from .errors import ProtocolError, error_response
from .head import without_body

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", to_bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", to_ris),
}


def bibliography_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    async def works():
        return works_from_rows(await internal.rows(engine, settings, WORKS),
                               await internal.rows(engine, settings, CITING_NOTES))

    def route(extension: str):
        media_type, write = FORMATS[extension]

        async def download(request: Request) -> Response:
            try:
                body = write(await works())
                response = Response(body.encode("utf-8"), media_type=media_type, headers={
                    "Content-Disposition": f'attachment; filename="gmg-bibliography.{extension}"'})
            except ProtocolError as err:
                response = error_response(err)
            return await without_body(response) if request.method == "HEAD" else response

        download.__doc__ = (f"The works the article's notes cite (and the edited volumes holding cited chapters), "
                            f"as {'BibTeX' if extension == 'bib' else 'RIS'}.")
        return download

    for extension in FORMATS:
        router.add_api_route(f"/bibliography.{extension}", route(extension), methods=["GET", "HEAD"],
                             name=f"bibliography_{extension}")
    return router
