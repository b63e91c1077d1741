"""The gate rules, pure: what a request lacks, and when votes add up to a decision.

Nothing here touches the database or the clock; callers pass in what they know.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from phasegate.domain.model import Answer, Gate, Outcome, Policy, Requirement
from phasegate.domain.problems import Problem

#: Outcomes that must carry a comment, so the project manager knows why.
OUTCOMES_NEEDING_COMMENT = frozenset({Outcome.REWORK, Outcome.HOLD, Outcome.STOP})


@dataclass(frozen=True)
class ChecklistAnswer:
    answer: Answer
    comment: str = ""


@dataclass(frozen=True)
class DocumentLink:
    """A link to a document that satisfies one of the gate's required documents."""

    requirement: str
    url: str
    title: str = ""


def missing_for_submission(
    gate: Gate,
    answers: Mapping[str, ChecklistAnswer],
    documents: Sequence[DocumentLink],
) -> list[Problem]:
    """Everything that stops this gate request from being submitted, each on the field it
    concerns (``item-<id>``, ``doc-<id>``); empty when complete."""
    missing: list[Problem] = []
    known_items = {item.id for item in gate.checklist}
    for item_id in sorted(set(answers) - known_items):
        missing.append(
            Problem.of("checklist_item_unknown", f"item-{item_id}", item=item_id, gate=gate.id)
        )
    for item in gate.checklist:
        where = f"item-{item.id}"
        given = answers.get(item.id)
        if given is None:
            missing.append(Problem.of("checklist_unanswered", where, item=item.id))
            continue
        answer = given.answer.value
        if item.mandatory and given.answer is not Answer.DONE:
            missing.append(Problem.of("checklist_mandatory", where, item=item.id, answer=answer))
        if given.answer is not Answer.DONE and not given.comment.strip():
            missing.append(
                Problem.of("checklist_comment_needed", where, item=item.id, answer=answer)
            )
    known_docs = {doc.id for doc in gate.documents}
    for link in documents:
        where = f"doc-{link.requirement}"
        if link.requirement not in known_docs:
            missing.append(
                Problem.of("document_unknown", where, document=link.requirement, gate=gate.id)
            )
        elif not _is_web_link(link.url):
            missing.append(Problem.of("document_link_invalid", where, document=link.requirement))
    linked = {link.requirement for link in documents if _is_web_link(link.url)}
    for doc in gate.documents:
        if doc.id not in linked:
            missing.append(Problem.of("document_missing", f"doc-{doc.id}", document=doc.id))
    return missing


def requirements_unmet(gate: Gate, met: Collection[Requirement]) -> list[Problem]:
    """The gate's ``requires:`` the project's data does not meet yet, in the file's order,
    each on the field ``requirement-<name>``."""
    return [
        Problem.of(f"requires_{r.value}", f"requirement-{r.value}")
        for r in gate.requires
        if r not in met
    ]


def _is_web_link(url: str) -> bool:
    parsed = urlparse(url.strip())
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


def votes_needed(policy: Policy, deciders: int) -> int:
    """How many equal votes decide a gate under this policy."""
    if policy is Policy.ONE:
        return 1
    if policy is Policy.MAJORITY:
        return deciders // 2 + 1
    return deciders


def tally(
    policy: Policy, deciders: Collection[int], votes: Mapping[int, Outcome]
) -> Outcome | None:
    """The decision these votes make, or None while it is still open.

    An outcome is decided once it has the votes the policy needs. When no outcome can reach
    that any more (the board is split, or one member of an 'all' gate disagrees), the gate
    falls back to rework: it is not approved, and the project may submit again.
    """
    counted = Counter(outcome for voter, outcome in votes.items() if voter in deciders)
    needed = votes_needed(policy, len(deciders))
    for outcome, count in counted.most_common():
        if count >= needed:
            return outcome
    remaining = len(deciders) - sum(counted.values())
    best = max(counted.values(), default=0)
    if best + remaining < needed:
        return Outcome.REWORK
    return None


def comment_required(outcome: Outcome, comment: str) -> bool:
    return outcome in OUTCOMES_NEEDING_COMMENT and not comment.strip()


def events_still_awaited(gate: Gate, received: Collection[str]) -> tuple[str, ...]:
    """The outside events the gate still waits for, in the order the workflow lists them."""
    return tuple(kind for kind in gate.requires_events if kind not in received)
