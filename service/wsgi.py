"""WSGI entry point for gunicorn: `gunicorn service.wsgi:app`.

The models a request may need are loaded before the worker takes its first request: the
sentence encoder (suggestions for a claim stored without a vector, an edited claim, fact-check
matching) and the parser (`?wait=true` extraction, /healthz). Loaded on first use instead,
they cost that request 0.25 s and 0.8 s."""

from service.app import create_app
from service.extraction import nlp
from service.linking import semantic

app = create_app()
semantic.encoder()
nlp.pipeline()
