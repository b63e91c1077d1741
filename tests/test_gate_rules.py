"""The pure gate rules: what a request lacks, and when votes add up to a decision."""

from __future__ import annotations

import pytest

from phasegate.domain.model import (
    Answer,
    ChecklistItem,
    DeciderRole,
    Deciders,
    DocumentRequirement,
    Gate,
    Label,
    Outcome,
    Policy,
)
from phasegate.domain.problems import Problem
from phasegate.domain.rules import (
    ChecklistAnswer,
    DocumentLink,
    events_still_awaited,
    missing_for_submission,
    tally,
    votes_needed,
)

A, R, H, S = Outcome.APPROVE, Outcome.REWORK, Outcome.HOLD, Outcome.STOP
ONE, MAJORITY, ALL = Policy.ONE, Policy.MAJORITY, Policy.ALL


def board(size: int) -> list[int]:
    return list(range(1, size + 1))


def votes(*outcomes: Outcome) -> dict[int, Outcome]:
    """The first member votes the first outcome, the second the second, and so on."""
    return dict(enumerate(outcomes, start=1))


def bp1(requires_events: tuple[str, ...] = ()) -> Gate:
    return Gate(
        id="BP1",
        from_phase="idea",
        to="concept",
        label=Label("Start konseptfasen", "Start the concept phase"),
        purpose=Label("Er idéen verdt å utrede?"),
        deciders=Deciders(DeciderRole.BOARD, Policy.MAJORITY),
        checklist=(
            ChecklistItem(
                "need_described", Label("Behovet er beskrevet.", "Need described."), True
            ),
            ChecklistItem("strategic_fit", Label("Koblingen er vist.", "Fit shown."), True),
            ChecklistItem("affected_parties", Label("Berørte er listet.", "Parties listed.")),
            ChecklistItem("overlap_checked", Label("Overlapp er sjekket.")),
        ),
        documents=(
            DocumentRequirement("concept_mandate", Label("Mandat", "Mandate")),
            DocumentRequirement("budget_sketch", Label("Budsjettskisse", "Budget sketch")),
        ),
        requires_events=requires_events,
    )


def all_done(gate: Gate) -> dict[str, ChecklistAnswer]:
    return {item.id: ChecklistAnswer(Answer.DONE) for item in gate.checklist}


def all_linked(gate: Gate) -> list[DocumentLink]:
    return [DocumentLink(d.id, f"https://docs.asker.example/{d.id}.pdf") for d in gate.documents]


# --- votes_needed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "deciders", "needed"),
    [
        (ONE, 1, 1),
        (ONE, 5, 1),
        (MAJORITY, 1, 1),
        (MAJORITY, 2, 2),
        (MAJORITY, 3, 2),
        (MAJORITY, 4, 3),
        (MAJORITY, 5, 3),
        (ALL, 1, 1),
        (ALL, 3, 3),
        (ALL, 4, 4),
        (ALL, 5, 5),
    ],
)
def test_votes_needed_per_policy_and_board_size(policy: Policy, deciders: int, needed: int) -> None:
    assert votes_needed(policy, deciders) == needed


# --- tally --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "size", "cast", "decision"),
    [
        # a board of one decides with its single vote, whatever the policy
        (ONE, 1, (A,), A),
        (MAJORITY, 1, (S,), S),
        (ALL, 1, (H,), H),
        # policy one: the first vote decides, whichever it is
        (ONE, 3, (A,), A),
        (ONE, 3, (R,), R),
        (ONE, 5, (S,), S),
        # majority of three: two equal votes
        (MAJORITY, 3, (A, A), A),
        (MAJORITY, 3, (H, A, H), H),
        (MAJORITY, 3, (S, S), S),
        # majority of four: three equal votes
        (MAJORITY, 4, (A, A, A), A),
        (MAJORITY, 4, (A, R, R, R), R),
        # majority of five: three equal votes
        (MAJORITY, 5, (A, A, A), A),
        (MAJORITY, 5, (H, A, H, A, H), H),
        # all: every member the same
        (ALL, 3, (A, A, A), A),
        (ALL, 4, (A, A, A, A), A),
        (ALL, 5, (S, S, S, S, S), S),
    ],
)
def test_tally_decides_when_an_outcome_has_the_votes_the_policy_needs(
    policy: Policy, size: int, cast: tuple[Outcome, ...], decision: Outcome
) -> None:
    assert tally(policy, board(size), votes(*cast)) is decision


@pytest.mark.parametrize(
    ("policy", "size", "cast"),
    [
        (ONE, 1, ()),
        (ONE, 3, ()),
        (MAJORITY, 3, ()),
        (MAJORITY, 3, (A,)),
        (MAJORITY, 3, (A, H)),  # the third vote still decides either way
        (MAJORITY, 4, (A, A)),
        (MAJORITY, 4, (A, A, H)),  # a fourth approve would make three
        (MAJORITY, 5, (A, A, H, H)),  # the fifth vote decides
        (ALL, 3, (A, A)),
        (ALL, 4, (A, A, A)),
        (ALL, 5, (A, A, A, A)),
    ],
)
def test_tally_is_undecided_while_an_outcome_can_still_reach_the_threshold(
    policy: Policy, size: int, cast: tuple[Outcome, ...]
) -> None:
    assert tally(policy, board(size), votes(*cast)) is None


@pytest.mark.parametrize(
    ("policy", "size", "cast"),
    [
        (MAJORITY, 3, (A, H, S)),  # three ways split
        (MAJORITY, 4, (A, A, H, H)),  # two against two
        (MAJORITY, 4, (A, H, S)),  # the last vote cannot make three of anything
        (MAJORITY, 5, (A, A, H, H, S)),
        (MAJORITY, 5, (A, H, S, R)),  # 1+1+1+1 with one to go: nothing can reach three
        (ALL, 3, (A, H)),  # one member of an 'all' gate disagrees
        (ALL, 4, (A, A, A, S)),
        (ALL, 5, (A, A, A, A, H)),
    ],
)
def test_split_board_falls_back_to_rework_when_no_outcome_can_reach_the_threshold(
    policy: Policy, size: int, cast: tuple[Outcome, ...]
) -> None:
    assert tally(policy, board(size), votes(*cast)) is R


def test_all_policy_disagreement_is_rework_even_when_nobody_voted_rework() -> None:
    assert tally(ALL, board(3), votes(A, A, S)) is R
    assert tally(ALL, board(3), votes(H, H, A)) is R


def test_votes_by_people_who_are_not_deciders_are_ignored() -> None:
    deciders = [1, 2, 3]
    outsiders_vote = {1: A, 7: A, 8: A, 9: A}
    assert tally(MAJORITY, deciders, outsiders_vote) is None
    assert tally(ONE, deciders, {42: S}) is None
    assert tally(ALL, deciders, {1: A, 2: A, 3: A, 99: S}) is A
    # outsiders' votes cannot tip a split board either way
    assert tally(MAJORITY, deciders, {1: A, 2: H, 3: S, 10: A, 11: A}) is R


# --- missing_for_submission ---------------------------------------------------------------


def test_complete_request_lacks_nothing() -> None:
    gate = bp1()
    assert missing_for_submission(gate, all_done(gate), all_linked(gate)) == []


def test_not_relevant_and_still_open_with_comments_are_accepted_on_optional_items() -> None:
    gate = bp1()
    answers = all_done(gate) | {
        "affected_parties": ChecklistAnswer(Answer.NOT_RELEVANT, "Kun intern bruk"),
        "overlap_checked": ChecklistAnswer(Answer.STILL_OPEN, "Sjekkes i april"),
    }
    assert missing_for_submission(gate, answers, all_linked(gate)) == []


def test_missing_lists_every_problem_at_once() -> None:
    gate = bp1()
    answers = {
        # need_described is not answered at all
        "strategic_fit": ChecklistAnswer(Answer.STILL_OPEN, "Venter på kommuneplanen"),
        "affected_parties": ChecklistAnswer(Answer.NOT_RELEVANT),
        "overlap_checked": ChecklistAnswer(Answer.STILL_OPEN, "   "),
        "colour_of_logo": ChecklistAnswer(Answer.DONE),
    }
    documents = [
        DocumentLink("concept_mandate", "ftp://files.asker.example/mandat.pdf"),
        DocumentLink("press_release", "https://asker.example/press.pdf"),
    ]

    missing = missing_for_submission(gate, answers, documents)

    assert [(p.field, p.code) for p in missing] == [
        ("item-colour_of_logo", "checklist_item_unknown"),
        ("item-need_described", "checklist_unanswered"),
        ("item-strategic_fit", "checklist_mandatory"),
        ("item-affected_parties", "checklist_comment_needed"),
        ("item-overlap_checked", "checklist_comment_needed"),
        ("doc-concept_mandate", "document_link_invalid"),
        ("doc-press_release", "document_unknown"),
        ("doc-concept_mandate", "document_missing"),
        ("doc-budget_sketch", "document_missing"),
    ]
    assert missing[0].params == {"item": "colour_of_logo", "gate": "BP1"}
    assert missing[2].params == {"item": "strategic_fit", "answer": "still_open"}


def test_mandatory_item_answered_not_relevant_is_reported_twice_over() -> None:
    gate = bp1()
    answers = all_done(gate) | {"need_described": ChecklistAnswer(Answer.NOT_RELEVANT)}
    missing = missing_for_submission(gate, answers, all_linked(gate))
    assert missing == [
        Problem.of(
            "checklist_mandatory",
            "item-need_described",
            item="need_described",
            answer="not_relevant",
        ),
        Problem.of(
            "checklist_comment_needed",
            "item-need_described",
            item="need_described",
            answer="not_relevant",
        ),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "mailto:ole@asker.example",
        "file:///C:/Users/ole/mandat.docx",
        "\\\\fileserver\\prosjekt\\mandat.docx",
        "https://",
        "docs.asker.example/mandat.pdf",
        "",
    ],
)
def test_a_document_link_must_be_an_http_address(url: str) -> None:
    gate = bp1()
    documents = [DocumentLink("concept_mandate", url), *all_linked(gate)[1:]]
    missing = missing_for_submission(gate, all_done(gate), documents)
    assert missing == [
        Problem.of("document_link_invalid", "doc-concept_mandate", document="concept_mandate"),
        Problem.of("document_missing", "doc-concept_mandate", document="concept_mandate"),
    ]


def test_http_and_https_links_with_surrounding_spaces_are_accepted() -> None:
    gate = bp1()
    documents = [
        DocumentLink("concept_mandate", "  http://intranett.asker.example/mandat  "),
        DocumentLink("budget_sketch", "https://docs.asker.example/budsjett.xlsx"),
    ]
    assert missing_for_submission(gate, all_done(gate), documents) == []


# --- events_still_awaited -----------------------------------------------------------------


def test_events_still_awaited_keeps_the_workflow_order_and_ignores_other_events() -> None:
    gate = bp1(requires_events=("mandate_signed", "budget_allocated"))
    assert events_still_awaited(gate, set()) == ("mandate_signed", "budget_allocated")
    assert events_still_awaited(gate, {"budget_allocated", "unrelated"}) == ("mandate_signed",)
    assert events_still_awaited(gate, {"budget_allocated", "mandate_signed"}) == ()


def test_gate_without_required_events_awaits_nothing() -> None:
    assert events_still_awaited(bp1(), {"budget_allocated"}) == ()
