"""Pure rules: decision transitions and independent origins (no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.domain.enums import ClaimStatus, Role
from service.domain.errors import Forbidden, RuleViolation
from service.domain.independence import Origin, independent_origins, origin_groups
from service.domain.rules import DecisionFacts, check_transition

NONE = DecisionFacts(independent_corroborations=0, confirmed_conflicts=0, evidence_urls=0)
S = ClaimStatus


@pytest.mark.parametrize(
    ("current", "target", "role", "allowed"),
    [
        (S.UNREVIEWED, S.REJECTED, Role.REVIEWER, True),
        (S.REJECTED, S.UNREVIEWED, Role.REVIEWER, True),
        (S.UNREVIEWED, S.UNVERIFIABLE, Role.REVIEWER, False),
        (S.UNREVIEWED, S.UNVERIFIABLE, Role.EDITOR, True),
        (S.UNVERIFIABLE, S.UNREVIEWED, Role.REVIEWER, False),
        (S.UNREVIEWED, S.REJECTED, Role.VIEWER, False),
    ],
)
def test_who_may_make_which_transition(current: S, target: S, role: Role, allowed: bool) -> None:
    if allowed:
        check_transition(role, current, target, "why", NONE)
    else:
        with pytest.raises(Forbidden):
            check_transition(role, current, target, "why", NONE)


def test_a_rejected_candidate_must_be_restored_before_a_verdict() -> None:
    with pytest.raises(RuleViolation, match="restored"):
        check_transition(Role.EDITOR, S.REJECTED, S.UNVERIFIABLE, "why", NONE)


def test_only_unreviewed_candidates_are_rejected() -> None:
    with pytest.raises(RuleViolation):
        check_transition(Role.EDITOR, S.VERIFIED, S.REJECTED, "why", NONE)


@pytest.mark.parametrize("target", [S.DISPUTED, S.FALSE])
def test_disputed_and_false_need_a_conflict_or_evidence(target: S) -> None:
    with pytest.raises(RuleViolation):
        check_transition(Role.EDITOR, S.UNREVIEWED, target, "why", NONE)
    check_transition(Role.EDITOR, S.UNREVIEWED, target, "why", DecisionFacts(0, 1, 0))
    check_transition(Role.EDITOR, S.UNREVIEWED, target, "why", DecisionFacts(0, 0, 1))


def test_verified_needs_independent_corroboration_or_evidence() -> None:
    with pytest.raises(RuleViolation):
        check_transition(Role.EDITOR, S.UNREVIEWED, S.VERIFIED, "why", DecisionFacts(0, 3, 0))
    check_transition(Role.EDITOR, S.UNREVIEWED, S.VERIFIED, "why", DecisionFacts(1, 0, 0))


def test_documents_of_one_outlet_or_lineage_are_one_origin() -> None:
    # doc: (outlet, derived_from)
    docs = {1: (10, None), 2: (10, None), 3: (None, 1), 4: (20, None), 5: (None, None), 6: (30, 4)}
    groups = origin_groups(docs)
    assert groups[1] == groups[2] == groups[3]
    assert groups[4] == groups[6]
    assert len({groups[d] for d in docs}) == 3
    assert independent_origins([1], [2, 3], docs) == 0
    assert independent_origins([1], [2, 4, 6, 5], docs) == 2


def test_a_derived_document_ties_its_whole_outlet_to_the_source() -> None:
    # 3 (outlet 30) derives from 1 (outlet 10): every outlet-30 document shares 1's origin.
    docs = {1: (10, None), 3: (30, 1), 7: (30, None)}
    assert independent_origins([1], [7], docs) == 0


def test_an_opinion_piece_is_no_origin_as_backing() -> None:
    docs = {1: Origin(10, None), 2: Origin(20, None, opinion=True), 3: Origin(20, None)}
    assert independent_origins([1], [2], docs) == 0
    # Its outlet's reporting still counts, once.
    assert independent_origins([1], [2, 3], docs) == 1
    # A claim in an opinion piece is backed by reporting elsewhere.
    assert independent_origins([2], [1], docs) == 1


def test_like_patterns_escape_wildcards_and_backslashes() -> None:
    from service.operations.pagination import like_contains

    assert like_contains("50%_off\\") == "%50\\%\\_off\\\\%"


def test_the_same_verdict_again_only_as_the_re_review_a_revision_asked_for() -> None:
    backed = DecisionFacts(independent_corroborations=1, confirmed_conflicts=0, evidence_urls=0)
    with pytest.raises(RuleViolation, match="already"):
        check_transition(Role.EDITOR, S.VERIFIED, S.VERIFIED, "why", backed)
    flagged = DecisionFacts(1, 0, 0, needs_review=True)
    check_transition(Role.EDITOR, S.VERIFIED, S.VERIFIED, "still holds", flagged)
    # The re-review is held to the verdict's own rules.
    with pytest.raises(RuleViolation, match="independent"):
        check_transition(
            Role.EDITOR, S.VERIFIED, S.VERIFIED, "why", DecisionFacts(0, 0, 0, needs_review=True)
        )
    with pytest.raises(Forbidden):
        check_transition(Role.REVIEWER, S.VERIFIED, S.VERIFIED, "why", flagged)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.VERIFIED, S.FALSE), (S.VERIFIED, S.DISPUTED), (S.DISPUTED, S.VERIFIED)],
)
def test_a_reversed_verdict_needs_support_the_old_one_did_not_cite(current: S, target: S) -> None:
    # Verified on an evidence URL, then marked false with nothing new: the same URL counted
    # as support for the opposite verdict.
    old_evidence = DecisionFacts(0, 0, evidence_urls=1)
    with pytest.raises(RuleViolation, match="sent with this decision"):
        check_transition(Role.EDITOR, current, target, "why", old_evidence)
    new_url = DecisionFacts(0, 0, evidence_urls=2, new_evidence_urls=1)
    check_transition(Role.EDITOR, current, target, "why", new_url)
    linked = DecisionFacts(1, 1, evidence_urls=1)  # a confirmed link of the right kind
    check_transition(Role.EDITOR, current, target, "why", linked)


def test_a_verdict_that_is_not_a_reversal_may_rest_on_evidence_already_there() -> None:
    check_transition(Role.EDITOR, S.UNVERIFIABLE, S.FALSE, "why", DecisionFacts(0, 0, 1))
    check_transition(Role.EDITOR, S.DISPUTED, S.FALSE, "why", DecisionFacts(0, 0, 1))


def test_a_reversal_through_a_status_in_between_is_still_a_reversal() -> None:
    # verified → unverifiable → false passed on the evidence cited for "verified".
    through = DecisionFacts(0, 0, evidence_urls=1, last_verdict=S.VERIFIED)
    with pytest.raises(RuleViolation, match="was verified"):
        check_transition(Role.EDITOR, S.UNVERIFIABLE, S.FALSE, "why", through)
    check_transition(
        Role.EDITOR,
        S.UNVERIFIABLE,
        S.FALSE,
        "why",
        replace(through, evidence_urls=2, new_evidence_urls=1),
    )
