"""A benefit measured by email: the årshjul asks the owner, the owner's link records it.

Everything is real: `phasegate tick --now` runs as its own process, opens the due
measurement and delivers the email to aiosmtpd on loopback; the link in it is followed
over HTTP to the real app served by uvicorn; the project page shows the new achievement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.errors import LinkExpired, LinkTampered
from phasegate.links import LinkSigner
from tests.factories import TEST_SECRET, Clock, make_settings
from tests.processes import cli_env, free_port, run_phasegate
from tests.smtp_server import MailServer
from tests.test_email_e2e import CSRF_FIELD, parts
from tests.web_support import signed_in
from tests.webserver import serve

MEASURE_LINK = re.compile(r"https?://[^\s\"<>]+/measure/[A-Za-z0-9_.-]+")
ACHIEVEMENT = re.compile(r'class="pg-achievement"><strong>([^<]*)</strong>')


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mailing_app(
    database_url: str, clock: Clock, mail_server: MailServer, port: int
) -> Iterator[App]:
    settings = make_settings(
        database_url, smtp_url=mail_server.url, base_url=f"http://127.0.0.1:{port}"
    )
    clock.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    app = build(settings, clock=clock)
    yield app
    app.database.dispose()


def test_the_benefit_owner_records_a_due_measurement_from_the_email(
    mailing_app: App,
    clock: Clock,
    mail_server: MailServer,
    port: int,
    database_url: str,
    tmp_path: Path,
) -> None:
    engine = mailing_app.engine
    leader = engine.register_person("Ragnar Husum", "ragnar@asker.example")
    owner = engine.register_person("Ole Tangen", "ole@asker.example")
    project = engine.register_project(
        "Jakten på tidstyvene", owner=leader, leader=leader, actor=leader
    )
    benefit = engine.add_benefit(
        project, BenefitDraft("Spart tid", "", BenefitKind.TIME, owner), actor=leader
    )
    definition = IndicatorDefinition(
        "timer", Direction.HIGHER, Decimal(0), date(2027, 1, 1), Decimal(1200), date(2028, 12, 31)
    )
    indicator = engine.add_indicator(
        benefit,
        IndicatorDraft("Timer spart per år", definition, plan_dates=(date(2027, 5, 20),)),
        actor=leader,
    )
    clock.now = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
    engine.record_measurement(indicator, Decimal(300), date(2027, 4, 1), actor=owner)

    # The scheduler's pass, as its own process, ten days before the planned date.
    env = cli_env(
        database_url=database_url,
        smtp_url=mail_server.url,
        base_url=f"http://127.0.0.1:{port}",
        secret_key=TEST_SECRET,
    )
    ticked = run_phasegate("tick", "--now", "2027-05-10T08:00", cwd=tmp_path, env=env)
    assert ticked.returncode == 0, ticked.stderr
    asked = [r for r in mail_server.recorder.received if r.rcpt_tos == ("ole@asker.example",)]
    assert len(asked) == 1
    text, html = parts(asked[0].message)
    assert "Timer spart per år" in text
    assert "1\u00a0200 timer" in text  # the target, with the unit
    assert "300 timer" in text  # the latest value so far
    links = set(MEASURE_LINK.findall(text))
    assert len(links) == 1
    assert links == set(MEASURE_LINK.findall(html))
    link = links.pop()
    subject = f"measurement:{indicator}:2027-05-20"

    clock.now = datetime(2027, 5, 10, 7, 30, tzinfo=UTC)
    site = f"http://127.0.0.1:{port}"
    with serve(mailing_app, port), httpx.Client(timeout=10) as browser:
        page = f"{site}/projects/{project}"
        before = project_achievement(mailing_app, site, leader, page)

        # A scanner opens the link and asks for its head: nothing changes.
        opened = browser.get(link)
        assert opened.status_code == 200
        assert "Timer spart per år" in opened.text
        assert browser.head(link).status_code == 200
        assert measured(mailing_app, project) == [Decimal(300)]
        assert subject in owed(mailing_app, owner)

        csrf = CSRF_FIELD.search(opened.text)
        assert csrf is not None
        form = {"value": "450", "measured_on": "2027-05-10", "csrf": csrf.group(1)}
        recorded = browser.post(link, data=form)
        assert recorded.status_code == 200, recorded.text
        assert "450 timer" in recorded.text

        # A double click: the second is told it is already recorded, and records nothing.
        again = browser.post(link, data=form)
        assert again.status_code == 409
        assert "allerede registrert" in again.text
        assert measured(mailing_app, project) == [Decimal(300), Decimal(450)]
        assert subject not in owed(mailing_app, owner)
        trail = [e for e in engine.audit_trail(project) if e.kind == "MeasurementRecorded"]
        assert (trail[-1].actor, trail[-1].payload["channel"]) == ("Ole Tangen", "email")

        after = project_achievement(mailing_app, site, leader, page)
    assert (before, after) == ("25", "38")  # 300 and 450 of 1 200 hours


def measured(app: App, project: int) -> list[Decimal]:
    indicator = app.engine.business_case(project).benefits[0].indicators[0]
    return [m.value for m in indicator.measurements]


def owed(app: App, person: int) -> list[str]:
    return [d.subject for d in app.engine.open_deadlines(person=person)]


def project_achievement(app: App, site: str, person: int, page: str) -> str:
    """The achievement the project page shows for the one indicator, as digits."""
    browser, _ = signed_in(app, site, person)
    with browser:
        shown = browser.get(page, headers={"accept": "text/html"})
    assert shown.status_code == 200
    found = ACHIEVEMENT.search(shown.text)
    assert found is not None, "the project page shows no achievement"
    return re.sub(r"\D", "", found.group(1))


def test_a_measurement_link_opens_nothing_else_and_expires() -> None:
    signer = LinkSigner(TEST_SECRET)
    now = datetime(2027, 5, 10, 6, 0, tzinfo=UTC)
    token = signer.issue_measurement(7, 12, 3, date(2027, 5, 20), now, timedelta(days=40))

    link = signer.verify_measurement(token, now)
    assert (link.project, link.indicator, link.person, link.due_on) == (7, 12, 3, date(2027, 5, 20))
    with pytest.raises(LinkTampered):
        signer.verify(token, now)  # not a vote
    with pytest.raises(LinkTampered):
        signer.verify_report(token, now)  # nor a report
    with pytest.raises(LinkTampered):
        signer.verify_measurement(signer.issue(12, 3, "approve", now), now)
    with pytest.raises(LinkTampered):
        signer.verify_measurement(token[:-2] + ("AA" if token[-2:] != "AA" else "BA"), now)
    with pytest.raises(LinkExpired):
        signer.verify_measurement(token, now + timedelta(days=40))
