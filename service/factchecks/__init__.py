"""External fact-checks: ClaimReview read from pages and feeds, matched against our claims."""
