"""Editorial decision rules. Pure: the caller gathers the facts, this decides."""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.domain.enums import ClaimStatus, Role
from service.domain.errors import Forbidden, RuleViolation


@dataclass(frozen=True)
class DecisionFacts:
    """What the database knows that the rules need."""

    #: Independent origins among confirmed corroborates/same_claim links.
    independent_corroborations: int
    confirmed_conflicts: int
    #: Evidence URLs on the claim, including those sent with this decision.
    evidence_urls: int
    #: A revision changed the claim's text after its verdict: the same verdict may be given
    #: again (the re-review), under the same rules as the first time.
    needs_review: bool = False
    #: Evidence URLs sent with this decision (counted in evidence_urls too).
    new_evidence_urls: int = 0
    #: The last of verified, disputed or false the claim was given (its history's), if any:
    #: a reversal is judged against it, not only against the status it has now.
    last_verdict: ClaimStatus | None = None


def role_needed_for(current: ClaimStatus, target: ClaimStatus) -> Role:
    """Rejecting a candidate (and restoring it) is review work; any verdict is an editor's."""
    if {current, target} <= {ClaimStatus.UNREVIEWED, ClaimStatus.REJECTED}:
        return Role.REVIEWER
    return Role.EDITOR


def verdict_holds(status: ClaimStatus, facts: DecisionFacts) -> bool:
    """Whether a decided claim still has what its verdict needed: `verified` an independent
    corroboration or an evidence URL, `disputed` and `false` a confirmed conflict or one."""
    if status == ClaimStatus.VERIFIED:
        return facts.independent_corroborations > 0 or facts.evidence_urls > 0
    if status in (ClaimStatus.DISPUTED, ClaimStatus.FALSE):
        return facts.confirmed_conflicts > 0 or facts.evidence_urls > 0
    return True


def check_transition(
    role: Role,
    current: ClaimStatus,
    target: ClaimStatus,
    rationale: str | None,
    facts: DecisionFacts,
) -> None:
    """Raise Forbidden or RuleViolation unless `role` may move a claim from current to target."""
    needed = role_needed_for(current, target)
    if not role.allows(needed):
        raise Forbidden(f"changing a claim from {current} to {target} needs the {needed} role")
    if not rationale or not rationale.strip():
        raise RuleViolation("rationale-required", "a status change needs a rationale", "rationale")
    if current == target and not (facts.needs_review and target != ClaimStatus.UNREVIEWED):
        raise RuleViolation("no-change", f"the claim is already {target}", "status")
    if target == ClaimStatus.REJECTED and current != ClaimStatus.UNREVIEWED:
        raise RuleViolation(
            "reject-unreviewed-only",
            f"only an unreviewed candidate can be rejected; this claim is {current}",
            "status",
        )
    if current == ClaimStatus.REJECTED and target != ClaimStatus.UNREVIEWED:
        raise RuleViolation(
            "restore-first",
            "a rejected candidate must be restored to unreviewed before it is decided",
            "status",
        )
    if target == ClaimStatus.VERIFIED and not verdict_holds(target, facts):
        raise RuleViolation(
            "verified-needs-independent-support",
            "verifying needs a confirmed corroborating link to a claim from an independent "
            "source (another outlet, not derived from this document, and not an opinion "
            "piece) or an evidence URL",
            "status",
        )
    against = (ClaimStatus.DISPUTED, ClaimStatus.FALSE)
    # Through a status in between too: verified, then unverifiable, then false is a reversal.
    was = current if current in (ClaimStatus.VERIFIED, *against) else facts.last_verdict
    if (was == ClaimStatus.VERIFIED and target in against) or (
        was in against and target == ClaimStatus.VERIFIED
    ):
        # A reversed verdict rests on something new: the evidence cited for the old one
        # (URLs carry no side) cannot also be the support for its opposite.
        fresh = replace(facts, evidence_urls=facts.new_evidence_urls)
        if not verdict_holds(target, fresh):
            needs = (
                "a confirmed corroborating link to an independent source"
                if target == ClaimStatus.VERIFIED
                else "a confirmed conflicting link"
            )
            raise RuleViolation(
                "reversal-needs-new-support",
                f"turning a claim that was {was} {target} needs {needs} or an evidence URL "
                f"sent with this decision: the evidence already on it was cited for {was}",
                "status",
            )
    if target in (ClaimStatus.DISPUTED, ClaimStatus.FALSE) and not verdict_holds(target, facts):
        raise RuleViolation(
            f"{target}-needs-conflict-or-evidence",
            f"marking a claim {target} needs a confirmed conflicting link or an evidence URL",
            "status",
        )
