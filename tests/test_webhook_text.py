"""A webhook's name and URL hold to the one text rule, whoever gives them: the engine tidies
what people meant, refuses what is not text naming the field, and never repeats a value it
could not encode. The API and the command line get the engine's answer."""

from __future__ import annotations

import unicodedata

import pytest

from phasegate.bootstrap import App
from phasegate.engine.service import Engine
from phasegate.errors import WebhookInvalid
from tests.factories import Cast
from tests.web_support import api_client
from tests.webserver import serve

URL = "https://arkiv.asker.example/phasegate"


def says(field: str, value: str, char: str, what: str | None) -> str:
    """The start of the refusal: the field, what ``char`` is, and where (from 1)."""
    code, where = f"U+{ord(char):04X}", f"at position {value.index(char) + 1}"
    if what is None:  # a noncharacter is named by its code alone
        return f"The webhook's {field} contains {code} ({where})"
    return f"The webhook's {field} contains {what} ({code}, {where})"


def refused(name: str, url: str, char: str, what: str | None, case: str) -> object:
    field, value = ("name", name) if char in name else ("URL", url)
    return pytest.param(name, url, says(field, value, char, what), id=case)


SPACE = f"{URL}/ny adresse"
REFUSED = [
    refused("Arkiv \ud83d", URL, "\ud83d", "half of a character", "half-an-emoji-in-the-name"),
    refused("Ark\x00iv", URL, "\x00", "the NUL character", "nul-in-the-name"),
    refused("Arkiv", f"{URL}/\x1b[2J", "\x1b", "a control character", "escape-in-the-url"),
    refused("Arkiv", SPACE, " ", "a space or line break", "space-in-the-url"),
    refused("Arkiv", f"{URL}/ny\nadresse", "\n", "a space or line break", "break-in-the-url"),
    refused("Arkiv", f"{URL}/\ufffe", "\ufffe", None, "noncharacter-in-the-url"),
]


@pytest.mark.parametrize(("name", "url", "refusal"), REFUSED)
def test_a_webhook_name_or_url_that_is_not_text_is_refused_naming_the_field(
    engine: Engine, cast: Cast, name: str, url: str, refusal: str
) -> None:
    with pytest.raises(WebhookInvalid) as answer:
        engine.add_webhook(name, url, ["*"], actor=cast.pmo)

    assert answer.value.message.startswith(refusal)
    answer.value.message.encode("utf-8")  # it can be shown, whatever came in
    assert engine.webhooks() == []


def test_a_name_and_url_pasted_from_word_are_tidied_as_meant(engine: Engine, cast: Cast) -> None:
    pasted = unicodedata.normalize("NFD", " Teams:\vporteføljen\u2028 ")  # ø as o + ring
    hook, _ = engine.add_webhook(pasted, f"  {URL}\n", ["*"], actor=cast.pmo)

    view = engine.webhook(hook)
    assert view.name == "Teams: porteføljen"
    assert view.name == unicodedata.normalize("NFC", view.name)
    assert view.url == URL


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_api_gives_the_engines_answer_for_a_url_with_a_space(app: App, cast: Cast) -> None:
    with pytest.raises(WebhookInvalid) as engine_says:
        app.engine.add_webhook("Arkiv", SPACE, ["*"], actor=cast.pmo)

    with serve(app) as site, api_client(app, site, cast.pmo) as pmo:
        answer = pmo.post(
            "/api/webhooks",
            json={"name": "Arkiv", "url": SPACE, "event_types": ["*"]},
            headers={"accept-language": "en"},
        )

    assert answer.status_code == 422, answer.text
    assert answer.json() == {
        "error": "webhook_invalid",
        "message": engine_says.value.message,
        "params": {"char": "U+0020", "at": len(URL) + 4},
        "field": "url",
    }
