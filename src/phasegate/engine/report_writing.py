"""The engine's status-report operations (*statusrapporter*): start, save, publish and
write in one go, and the views of reports and report requests. A part of
:class:`~phasegate.engine.service.Engine`, kept apart to keep that module short.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date

from phasegate.domain.reports import ReportContent, ReportKind
from phasegate.engine import reports
from phasegate.engine.reading import Reading
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ReportInvalid


class ReportWriting(Reading):
    """Writing and reading status reports: each operation one transaction."""

    def today(self) -> date:
        raise NotImplementedError  # the engine's (case_writing.py)

    def unit(self, actor: int | None) -> AbstractContextManager[UnitOfWork]:
        raise NotImplementedError  # the engine's (service.py)

    def start_report(
        self,
        project: int,
        kind: ReportKind | None = None,
        *,
        basis: reports.Basis | None = None,
        actor: int | None,
    ) -> int:
        """The project's draft report: the open one, or a new one pre-filled from the last
        (only while ``basis`` is still the latest published report, when given)."""
        with self.unit(actor) as uow:
            return reports.start_report(uow, project, kind, basis)

    def save_report(
        self,
        report: int,
        content: ReportContent,
        *,
        seen_version: int | None = None,
        actor: int | None,
    ) -> int:
        with self.unit(actor) as uow:
            return reports.save_report(uow, report, content, seen_version)

    def publish_report(
        self,
        report: int,
        *,
        seen_version: int | None = None,
        request: int | None = None,
        actor: int | None,
    ) -> list[int]:
        with self.unit(actor) as uow:
            return reports.publish_report(
                uow, report, seen_version, request, year=self.today().year
            )

    def write_report(
        self,
        project: int,
        content: ReportContent | None,
        *,
        publish: bool = False,
        seen_version: int | None = None,
        seen_report: int | None = None,
        kind: ReportKind | None = None,
        request: int | None = None,
        basis: reports.Basis | None = None,
        actor: int | None,
    ) -> reports.ReportView:
        """Save the project's report as the writer saw it, and publish it when asked, in
        one transaction (see :func:`reports.write_report`); returns the report as it now is."""
        with self.unit(actor) as uow:
            report, problems = reports.write_report(
                uow,
                project,
                content,
                publish=publish,
                seen_version=seen_version,
                seen_report=seen_report,
                kind=kind,
                request=request,
                basis=basis,
                year=self.today().year,
            )
            written = reports.read_report(uow.conn, report)
        if problems:  # refused after the draft was saved: what was typed is kept
            raise ReportInvalid(problems)
        return written

    def report_to_write(self, project: int, person: int) -> reports.ReportToWrite | None:
        """The report ``person`` may write for the project now, if any (reads only)."""
        with self.asking(person) as uow:
            return reports.report_to_write(uow, project)

    def may_write_reports(self, project: int, person: int) -> bool:
        """Whether ``person`` may write the project's status reports (reads only)."""
        with self.asking(person) as uow:
            return reports.may_write(uow, project)

    def report(self, report: int) -> reports.ReportView:
        with self.reading() as conn:
            return reports.read_report(conn, report)

    def report_request(self, request: int) -> reports.ReportRequestView:
        with self.reading() as conn:
            return reports.read_report_request(conn, request)

    def draft_report(self, project: int) -> reports.ReportView | None:
        """The project's draft if one is started; reading only (a GET must not write)."""
        with self.reading() as conn:
            return reports.draft_of(conn, project)

    def latest_report(self, project: int) -> reports.ReportView | None:
        """The project's latest published report, if it has one."""
        with self.reading() as conn:
            return reports.latest_published(conn, project)

    def prefilled_report(self, project: int) -> ReportContent:
        """What a new draft of the project's report would start with."""
        with self.reading() as conn:
            return reports.prefilled(conn, project)

    def project_reports(self, project: int) -> list[reports.ReportView]:
        with self.reading() as conn:
            return reports.project_reports(conn, project)

    # --- reading ----------------------------------------------------------------------
