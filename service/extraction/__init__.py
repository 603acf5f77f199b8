"""Text → candidate claims. Pure: no Flask, no database. Deterministic and versioned.

Pipeline: blocks (lines) → non-editorial blocks skipped → sentences (pysbd, exact spans) →
attribution → speakers resolved within the document → claim date → check-worthiness.

With the spaCy model installed (`make install`), attribution, speakers and check-worthiness
come from a parse (service/extraction/parsed.py, version "parse-3"); without it, from the
regular-expression rules below (version "rules-1"), and `nlp.status()` says so.
"""

from __future__ import annotations

import numpy as np

from service.extraction import checkworthy, nlp
from service.extraction.attribution import attribute, is_follow_on_quote
from service.extraction.boilerplate import dateline_alone, dateline_length, trim_credit
from service.extraction.checkworthiness import proper_nouns, score
from service.extraction.dates import resolve_date
from service.extraction.document import (
    SOURCING,
    editorial_blocks,
    fallback_speaker,
    label_cut,
    mend,
    name_transcript_voices,
    not_a_claim,
    script_labels,
    source_previous,
)
from service.extraction.model import Candidate, DocumentContext, ResolvedDate
from service.extraction.scoring import FEATURES, capped
from service.extraction.segment import checkable, sentences
from service.extraction.speakers import PeopleTracker

RULES_VERSION = "rules-1"
#: parse-2: check-worthiness read by the learnt head (checkworthy.py) where the sentence
#: encoder is installed; claims stored by parse-1 keep parse-only scores until re-extracted.
#: parse-3: a page's headline and deck that state something are claims (document.py
#: `leading_headings`); documents extracted before keep theirs without until re-extracted.
PARSE_VERSION = "parse-3"
CHECKWORTHY = 0.5
#: The bar for joining link suggestions (a stored vector, the reviewers' queue), under the bar
#: for showing a claim to an editor: the link gold joins sentences a reader would not check
#: on their own ("the plan was drafted in Miami") to ones they would. Chosen on dev once the
#: learnt check-worthiness head (checkworthy.py) had put more of them under 0.5: with the
#: queue at 0.5 the seeds' dev queue fell from 60 suggestions (P 0.55, R 0.19) to 51 (0.55,
#: 0.16); at 0.3 (questions capped under it) it is 62 (0.55, 0.20), the dev stories 166
#: (0.80, 0.29). evals/README.md.
LINKABLE = 0.3

__all__ = [
    "CHECKWORTHY",
    "LINKABLE",
    "Candidate",
    "DocumentContext",
    "extract",
    "extractor_version",
]


def extractor_version() -> str:
    """The version of the extractor this process runs: the parse when the model loads (it is
    loaded once per process, so a broken model package is reported as the rules it falls back
    to, never as a parse that then fails)."""
    return PARSE_VERSION if nlp.pipeline() is not None else RULES_VERSION


def extract(body: str, context: DocumentContext | None = None) -> list[Candidate]:
    """The candidate claims of a document, in reading order, with exact spans into `body`."""
    context = context or DocumentContext()
    pipeline = nlp.pipeline()
    if pipeline is not None:
        from service.extraction.parsed import extract_parsed

        return with_vectors(extract_parsed(body, context, pipeline))
    return extract_rules(body, context)


def with_vectors(found: list[Candidate]) -> list[Candidate]:
    """Each parsed candidate's sentence vector, in one batched pass of the encoder, and its
    check-worthiness read again by the learnt head over its features and that vector
    (checkworthy.py). Without the encoder the parse-only score stands and no vector is set."""
    from service.linking import semantic

    scored = [c for c in found if c.features]
    vectors = semantic.embed([c.text for c in scored]) if scored else None
    if vectors is None:
        return found
    features = np.array([[c.features[k] for k in FEATURES] for c in scored], dtype=np.float32)
    head = checkworthy.head()
    for candidate, vector, p, worded in zip(
        scored,
        vectors,
        head.probabilities(features, vectors),
        head.wording(vectors),
        strict=True,
    ):
        candidate.vector = vector
        # Rounded as it is stored, so that every bar reads the stored score.
        candidate.checkworthiness = round(
            capped(float(p), candidate.features, candidate.reasons), 3
        )
        if worded >= checkworthy.WORDING_SAYS:
            candidate.reasons.append("worded like sentences people marked check-worthy")
        elif worded <= -checkworthy.WORDING_SAYS:
            candidate.reasons.append("worded like sentences people marked not check-worthy")
    return found


def extract_rules(body: str, context: DocumentContext) -> list[Candidate]:
    """The fallback without a parser: regular-expression attribution and scoring."""
    people = PeopleTracker()
    out: list[Candidate] = []
    known = proper_nouns(body)
    block_of: list[int] = []
    all_blocks, editorial = editorial_blocks(body, context)
    labels = script_labels(all_blocks, context)
    for block in editorial:
        if block.heading:
            # Without a parse a headline that asserts cannot be told from a title or a date.
            continue
        previous: Candidate | None = None
        label = labels.get(block.index)
        opens = True  # the paragraph's first sentence, or one after a lone dateline
        for whole in mend(sentences(block.span), body):
            sent = label_cut(whole, block.span, label)
            if sent is None:
                continue
            text = trim_credit(sent.text)
            lead = dateline_length(text, opens=opens)
            text = text[lead:]
            opens = dateline_alone(text)
            if not checkable(text) or len(text.split()) < 3 or opens:
                continue
            start = sent.start + lead
            end = start + len(text)
            if (
                previous is not None
                and previous.attribution == "direct_quote"
                and is_follow_on_quote(text)
            ):
                previous.end = end
                previous.text = body[previous.start : end]
                continue
            found = attribute(text, start, people)
            people.observe(text, start)
            if previous is not None and SOURCING.match(text):
                source_previous(previous, found)
                continue
            speaker: str | None
            cue: str | None
            if block.comment and (found is None or found.kind != "direct_quote"):
                # A commenter's own assertions are theirs, whoever they are about.
                speaker, kind, cue, confidence = block.comment, "author", "reader comment", 0.5
            elif label is not None and (found is None or found.kind != "direct_quote"):
                # A labelled turn is its speaker's, whoever it reports (as the parse does).
                speaker, kind = label.speaker, "transcript_turn"
                cue = "labelled turn" if label.end else "the labelled turn above"
                confidence = 0.9 if label.end else 0.8
            elif found:
                speaker, kind = found.speaker, found.kind
                cue, confidence = found.cue, found.confidence
            elif block.caption:
                speaker, kind, cue, confidence = context.outlet, "author", "photo caption", 0.6
            else:
                speaker, kind = fallback_speaker(context)
                cue, confidence = None, 0.6
            when: ResolvedDate | None = resolve_date(text, context.published_on)
            value, reasons = score(
                text,
                attributed=found is not None,
                dated=when is not None,
                quoted=kind == "direct_quote",
                known=known,
            )
            if not_a_claim(value, reasons, attributed=found is not None):
                continue
            candidate = Candidate(
                start=start,
                end=end,
                text=body[start:end],
                speaker=speaker,
                attribution=kind,
                cue=cue,
                confidence=confidence,
                claim_date=when,
                checkworthiness=value,
                reasons=reasons,
            )
            if speaker:
                candidate.speaker_role = people.roles.get(speaker)
            if label is not None and cue in ("labelled turn", "the labelled turn above"):
                candidate.speaker_role = label.role or candidate.speaker_role
            out.append(candidate)
            block_of.append(block.index)
            previous = candidate
    if context.kind == "transcript":
        return name_transcript_voices(out, block_of, all_blocks)
    return out
