"""Text already in the database never breaks a page, an export or an email.

Until issue 12, imports and the API accepted any character: a project name with Word's
manual line break (``\\v``) made the Excel export answer 500 for everyone. Such text is
still in databases, and other tools may write more. Here every C0 control character
(0x00–0x1F, without NUL on PostgreSQL, which cannot store it) is written with SQL into
names, descriptions, comments and labels. Then every page and export is crawled, signed
in as the PMO and as a stranger, on SQLite and PostgreSQL: each answers 2xx, or the
401/403/404 that is right for the caller, and shows the text that is there.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from phasegate.bootstrap import App, build
from phasegate.storage.tables import (
    ApiToken,
    CalendarFeed,
    Person,
    Project,
    Vote,
    WebhookSubscription,
)
from tests.crawl_support import Ids, one_of_everything, pages
from tests.cycle_support import TERTIAL, wheel_file
from tests.factories import Cast, Clock, make_settings
from tests.web_support import HTML, signed_in
from tests.webserver import serve


@dataclass(frozen=True)
class Legacy:
    app: App
    url: str
    ids: Ids
    cast: Cast
    controls: str


@pytest.fixture
def legacy(database_url: str, tmp_path: Path, clock: Clock, cast: Cast) -> Iterator[Legacy]:
    """One of everything, then every control character written into its text by SQL."""
    app = build(
        make_settings(database_url, wheel_file=wheel_file(tmp_path, TERTIAL)),
        clock=clock,
        pool_size=10,
    )
    try:
        ids = one_of_everything(app, cast, clock)
        app.engine.create_calendar_feed("Outlook", actor=cast.pmo)
        first = 0 if app.database.dialect.name == "sqlite" else 1
        controls = "".join(chr(code) for code in range(first, 0x20))
        with app.database.begin() as conn:
            for table, columns in (
                (Project, ("name", "description", "development_area", "portfolio")),
                (Person, ("name",)),
                (Vote, ("comment",)),
                (WebhookSubscription, ("name",)),
                (ApiToken, ("name",)),
                (CalendarFeed, ("name",)),
            ):
                conn.execute(
                    update(table).values(
                        {
                            column: getattr(table, column) + f" {controls} slutt"
                            for column in columns
                        }
                    )
                )
        with serve(app) as url:
            yield Legacy(app, url, ids, cast, controls)
    finally:
        app.database.dispose()


def test_every_page_and_export_answers_with_control_characters_in_the_data(
    legacy: Legacy,
) -> None:
    pmo, _ = signed_in(legacy.app, legacy.url, legacy.cast.pmo)
    failures = []
    with pmo, httpx.Client(base_url=legacy.url, timeout=30) as stranger:
        for page in pages(legacy.app, legacy.ids):
            for who, client in (("pmo", pmo), ("stranger", stranger)):
                for headers in (HTML, {}):
                    answer = client.get(page.url, headers=headers)
                    allowed = {200, 303, 401, 403, 404} if who == "stranger" else {200}
                    if page.rule.value == "link_token":
                        allowed |= {409, 410}  # a vote already cast, a report request answered
                    if answer.status_code not in allowed:
                        failures.append(f"{who} {page.path}: {answer.status_code}")
    assert failures == []


def test_the_exports_show_the_names_with_the_control_characters_taken_out(
    legacy: Legacy,
) -> None:
    client, _ = signed_in(legacy.app, legacy.url, legacy.cast.pmo)
    with client:
        sheet = load_workbook(io.BytesIO(client.get("/export.xlsx").content)).active
        csv_text = client.get("/export.csv").content.decode("utf-8-sig")
        page = client.get("/", headers=HTML).text
    assert sheet is not None
    names = [str(row[0].value) for row in sheet.iter_rows(min_row=2)]
    assert any(name.startswith("Nytt rådhus") and name.endswith("slutt") for name in names)
    # Excel holds no control character: each became a space or went away.
    assert not any(char in name for name in names for char in legacy.controls if char != "\t")
    assert "Nytt rådhus" in csv_text
    assert "Nytt rådhus" in page
