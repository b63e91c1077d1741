"""Who may do what, checked inside the operation so every channel gets the same answer."""

from __future__ import annotations

from phasegate.engine.lookups import ProjectState, roles_of
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotPermitted

OFFICE_ROLES = frozenset({"pmo", "admin"})


def require_manager_or_pmo(uow: UnitOfWork, project: ProjectState, action: str) -> None:
    """The project's manager, or the PMO and admins, may act on its gate requests.
    ``action`` is what, as NotPermitted's reason: ``submit_gate_request`` or
    ``withdraw_gate_request``."""
    person = uow.actor.person
    if person is None or person == project.leader_id:
        return  # the system (imports, schedulers) and the project manager
    if roles_of(uow, person) & OFFICE_ROLES:
        return
    raise NotPermitted(action, person=uow.actor_name, project=project.name)


def require_office(uow: UnitOfWork, action: str) -> None:
    """People, roles and board membership are edited by the PMO and admins only.
    ``action`` names what was refused, as a code (``grant_roles``)."""
    person = uow.actor.person
    if person is None or roles_of(uow, person) & OFFICE_ROLES:
        return
    raise NotPermitted("office", person=uow.actor_name, action=action)


def require_resumer(uow: UnitOfWork, project: ProjectState) -> None:
    """A held project is resumed by its owner, a board member, the PMO or an admin."""
    person = uow.actor.person
    if person is None or person == project.owner_id:
        return
    if roles_of(uow, person) & (OFFICE_ROLES | {"board"}):
        return
    raise NotPermitted("resume", person=uow.actor_name, project=project.name)
