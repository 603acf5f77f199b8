"""WSGI entry point for gunicorn: `gunicorn service.wsgi:app`.

The models a request may need are loaded before the worker takes its first request: the
sentence encoder (suggestions for a claim stored without a vector, an edited claim, fact-check
matching) and the parser (`?wait=true` extraction, /healthz). Loaded on first use instead,
they cost that request 0.25 s and 0.8 s. A worker holds them either way once used (about 40 MB
more at boot than with the parser alone, measured here). A model that fails to load does not
stop the worker from serving: it is logged, and the requests that need it fail as they would
have."""

import gc
import logging

from service.app import create_app
from service.extraction import nlp
from service.linking import semantic

app = create_app()
for _load in (semantic.encoder, nlp.pipeline):
    try:
        _load()
    except Exception:  # a broken model must not keep the API from serving what needs none
        logging.getLogger(__name__).exception("loading a model at start-up failed")
# The app and its models live as long as the worker: kept out of the collector's sight, they
# are not walked by every full collection of a request's garbage.
gc.freeze()
