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

from sqlalchemy import Connection, bindparam, insert, select

from phasegate.domain.machine import PhaseMachine
from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import WorkflowNotFound, WorkflowVersionConflict
from phasegate.storage.tables import WorkflowVersion
from phasegate.workflow.loader import load_workflow, load_workflow_text

Q_STORED = select(WorkflowVersion.checksum, WorkflowVersion.source).where(
    WorkflowVersion.name == bindparam("name"), WorkflowVersion.version == bindparam("version")
)
W_STORE = insert(WorkflowVersion)


@dataclass(frozen=True)
class PinnedWorkflow:
    definition: WorkflowDefinition
    machine: PhaseMachine


class WorkflowCatalog:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[Path, tuple[int, int, WorkflowDefinition]] = {}
        self._pinned: dict[tuple[str, int], PinnedWorkflow] = {}
        # Versions known stored and committed (rows are never changed or removed).
        self._stored: set[tuple[str, int, str]] = set()
        self._lock = threading.Lock()  # guards the caches only; the database guards data

    def path_of(self, name: str) -> Path:
        return self.directory / f"{name}.yaml"

    def current(self, name: str) -> WorkflowDefinition:
        """The workflow as its file says now (re-read when the file changes)."""
        path = self.path_of(name)
        try:
            stat = path.stat()
        except FileNotFoundError as exc:
            known = sorted(p.stem for p in self.directory.glob("*.yaml"))
            raise WorkflowNotFound("named", name=name, path=str(path), known=known) from exc
        cached = self._files.get(path)
        if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        definition = load_workflow(path)
        with self._lock:
            self._files[path] = (stat.st_mtime_ns, stat.st_size, definition)
        return definition

    def is_stored(self, definition: WorkflowDefinition) -> bool:
        """Known to be stored and committed, so no need to look again."""
        return (definition.name, definition.version, definition.checksum) in self._stored

    def pin(self, conn: Connection, definition: WorkflowDefinition, now: datetime) -> None:
        """Store this version's text, once; refuse a changed text under an old version.

        Run it in a transaction of its own, then call :meth:`remember` after the commit.
        """
        params = {"name": definition.name, "version": definition.version}
        stored = conn.execute(Q_STORED, params).first()
        if stored is None:
            conn.execute(
                W_STORE,
                {
                    "name": definition.name,
                    "version": definition.version,
                    "checksum": definition.checksum,
                    "source": definition.source,
                    "registered_at": now,
                },
            )
        elif stored.checksum != definition.checksum:
            raise WorkflowVersionConflict(
                path=str(self.path_of(definition.name)), version=definition.version
            )

    def remember(self, definition: WorkflowDefinition) -> None:
        """Note, after the commit, that this version's text is stored."""
        with self._lock:
            self._stored.add((definition.name, definition.version, definition.checksum))

    def pinned(self, conn: Connection, name: str, version: int) -> PinnedWorkflow:
        """The workflow version a project runs on, from the stored text."""
        found = self._pinned.get((name, version))
        if found is not None:
            return found
        stored = conn.execute(Q_STORED, {"name": name, "version": version}).first()
        if stored is None:
            raise WorkflowNotFound("stored", name=name, version=version)
        return self._remember(load_workflow_text(stored.source, f"{name} v{version} (stored)"))

    def _remember(self, definition: WorkflowDefinition) -> PinnedWorkflow:
        known = self._pinned.get((definition.name, definition.version))
        if known is not None and known.definition.checksum == definition.checksum:
            return known
        pinned = PinnedWorkflow(definition, PhaseMachine(definition))
        with self._lock:
            return self._pinned.setdefault((definition.name, definition.version), pinned)
