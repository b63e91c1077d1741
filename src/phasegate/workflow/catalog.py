"""Which workflow versions exist: the files on disk, and the versions projects are pinned to.

A project records the workflow name and version it started with. The text of that version
is stored in ``workflow_versions`` the first time a project uses it, and the project is
always run from that stored text, so editing the YAML later cannot silently change a
running project. One :class:`PhaseMachine` is built per version and shared by all projects.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from phasegate.domain.machine import PhaseMachine
from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import WorkflowNotFound, WorkflowVersionConflict
from phasegate.storage.tables import WorkflowVersion
from phasegate.workflow.loader import load_workflow, load_workflow_text


@dataclass(frozen=True)
class PinnedWorkflow:
    definition: WorkflowDefinition
    machine: PhaseMachine


class WorkflowCatalog:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[Path, tuple[int, int, WorkflowDefinition]] = {}
        self._pinned: dict[tuple[str, int], PinnedWorkflow] = {}
        self._lock = threading.Lock()  # guards the caches only; the database guards data

    def path_of(self, name: str) -> Path:
        return self.directory / f"{name}.yaml"

    def current(self, name: str) -> WorkflowDefinition:
        """The workflow as its file says now (re-read when the file changes)."""
        path = self.path_of(name)
        try:
            stat = path.stat()
        except FileNotFoundError as exc:
            known = ", ".join(sorted(p.stem for p in self.directory.glob("*.yaml"))) or "none"
            raise WorkflowNotFound(
                f"No workflow named '{name}': expected {path}. Known workflows: {known}."
            ) from exc
        cached = self._files.get(path)
        if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        definition = load_workflow(path)
        with self._lock:
            self._files[path] = (stat.st_mtime_ns, stat.st_size, definition)
        return definition

    def pin(self, session: Session, definition: WorkflowDefinition, now: datetime) -> None:
        """Store this version's text, once; refuse a changed text under an old version."""
        key = (definition.name, definition.version)
        if key in self._pinned and self._pinned[key].definition.checksum == definition.checksum:
            return
        stored = session.scalar(
            select(WorkflowVersion).where(
                WorkflowVersion.name == definition.name,
                WorkflowVersion.version == definition.version,
            )
        )
        if stored is None:
            session.add(
                WorkflowVersion(
                    name=definition.name,
                    version=definition.version,
                    checksum=definition.checksum,
                    source=definition.source,
                    registered_at=now,
                )
            )
            session.flush()
        elif stored.checksum != definition.checksum:
            raise WorkflowVersionConflict(
                f"{self.path_of(definition.name)} has changed since version "
                f"{definition.version} was first used by a project, but still says "
                f"version: {definition.version}. Raise the version number so running "
                "projects keep the rules they started with."
            )
        self._remember(definition)

    def pinned(self, session: Session, name: str, version: int) -> PinnedWorkflow:
        """The workflow version a project runs on, from the stored text."""
        found = self._pinned.get((name, version))
        if found is not None:
            return found
        source = session.scalar(
            select(WorkflowVersion.source).where(
                WorkflowVersion.name == name, WorkflowVersion.version == version
            )
        )
        if source is None:
            raise WorkflowNotFound(f"Workflow {name} version {version} is not in the database.")
        return self._remember(load_workflow_text(source, f"{name} v{version} (stored)"))

    def _remember(self, definition: WorkflowDefinition) -> PinnedWorkflow:
        pinned = PinnedWorkflow(definition, PhaseMachine(definition))
        with self._lock:
            return self._pinned.setdefault((definition.name, definition.version), pinned)
