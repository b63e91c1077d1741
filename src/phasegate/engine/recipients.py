"""Who an email about a project or a gate request goes to, as the mail composer reads it
in the event's transaction (:mod:`phasegate.mail.compose`)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from phasegate.storage.tables import GateRequestDecider, Person, Project, Vote

Q_PEOPLE = select(Person.id, Person.name, Person.email, Person.language, Person.digest).where(
    Person.id.in_(bindparam("people", expanding=True))
)
Q_PROJECT = select(
    Project.id,
    Project.name,
    Project.phase,
    Project.owner_id,
    Project.leader_id,
    Project.workflow_name,
    Project.workflow_version,
).where(Project.id == bindparam("project"))
Q_DECIDERS = select(GateRequestDecider.person_id).where(
    GateRequestDecider.request_id == bindparam("request")
)
Q_VOTERS = select(Vote.voter_id).where(Vote.request_id == bindparam("request"))
