"""Text pasted into the pages' forms: tidied where the person meant text, refused in the
reader's language where it is not text, and nothing half-saved. Real app, real HTTP, on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from phasegate.bootstrap import App
from tests.factories import Cast, submit_complete
from tests.test_link_pages import text_of
from tests.web_support import HTML, signed_in
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_a_name_pasted_from_word_is_registered_with_a_space(
    app: App, cast: Cast, site: str
) -> None:
    client, csrf = signed_in(app, site, cast.leader)
    with client:
        sent = client.post(
            "/projects",
            data={"name": "Word\vlinjeskift", "description": "Linje 1\vLinje 2", "csrf": csrf},
            headers=HTML,
        )
    assert sent.status_code == 303
    (project,) = app.engine.portfolio()
    assert project.name == "Word linjeskift"


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nb", "«Navn» inneholder NUL-tegnet (U+0000, på plass 5), som ikke er tekst."),
        ("en", "“Name” contains the NUL character (U+0000, at position 5), which is not text."),
    ],
)
def test_a_name_that_is_not_text_is_refused_in_the_readers_language(
    app: App, cast: Cast, site: str, lang: str, says: str
) -> None:
    client, csrf = signed_in(app, site, cast.leader)
    with client:
        sent = client.post(
            f"/projects?lang={lang}",
            data={"name": "Word\x00navn", "description": "Tekst\x1b[31m", "csrf": csrf},
            headers=HTML,
        )
    page = text_of(sent)
    assert sent.status_code == 422
    assert says in page
    assert "U+001B" in page  # every field's problem, not just the first
    assert app.engine.portfolio() == []  # nothing saved


def test_a_vote_comment_that_is_not_text_is_refused_and_no_vote_is_cast(
    app: App, cast: Cast, site: str
) -> None:
    project = app.engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader
    )
    gate = app.engine.workflows.current(app.engine.default_workflow).gate("BP1")
    assert gate is not None
    request = submit_complete(app.engine, project, gate, actor=cast.leader)
    client, csrf = signed_in(app, site, cast.board[0])
    with client:
        sent = client.post(
            f"/decisions/{request}/vote",
            data={"outcome": "approve", "comment": "Enig\x07", "csrf": csrf},
            headers=HTML,
        )
        huge = client.post(
            "/decisions/99999999999999999999/vote",
            data={"outcome": "approve", "comment": "", "csrf": csrf},
            headers=HTML,
        )
    assert sent.status_code == 422
    assert "«Kommentar» inneholder et kontrolltegn (U+0007, på plass 5)" in text_of(sent)
    assert app.engine.gate_request(request).votes == ()
    assert huge.status_code == 404


def test_the_sign_in_form_refuses_an_address_that_is_not_text(app: App, site: str) -> None:
    with httpx.Client(base_url=site, timeout=10) as browser:
        form = browser.get("/login", headers=HTML)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        sent = browser.post(
            "/login", data={"email": "kari\x00@asker.example", "csrf": csrf[1]}, headers=HTML
        )
    assert sent.status_code == 422
    assert "«E-postadresse» inneholder NUL-tegnet" in text_of(sent)
