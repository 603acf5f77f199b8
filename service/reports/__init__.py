"""Sourcing reports, ClaimReview, Web Annotation and exports: one query layer, pure shaping,
renderers per format."""
