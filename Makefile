# Every routine a newcomer needs: `make demo`, `make test`, `make bench`, `make eval`, `make lint`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= instance/demo.db
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test lint bench eval browser clean serve sentiment-model redaction-model

$(STAMP): requirements.txt setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## demo: install, seed the demo organisation, analyse it, and serve it on http://127.0.0.1:5000
demo: $(STAMP)
	RAPPORT_DATABASE=$(DEMO_DB) $(BIN)/rapport demo --reset
	RAPPORT_DATABASE=$(DEMO_DB) $(BIN)/rapport analyze
	RAPPORT_DATABASE=$(DEMO_DB) RAPPORT_ENV=development $(BIN)/rapport serve --host 127.0.0.1 --port 5000

## browser: the Debian chromium that the browser tests drive (needs root; skipped when present)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is missing: install the Debian package 'chromium' to run the browser tests"; fi; }

## node: the npm packages the tests use (axe-core, oidc-provider), pinned by package-lock.json
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

## test: install and run the whole test suite
test: $(STAMP) $(NODE_STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

## lint: ruff, mypy (nlp, reports, survey) and the import contracts (layers, no cycles) in setup.cfg
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy nlp reports survey
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/submit.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/pages.py

eval: $(STAMP)
	$(BIN)/python -m eval

## sentiment-model: retrain the shipped sentiment encoder (nlp/data/sentiment/training_manifest.json), the
## semantic model fitted on dev rows, and the lexical fallback (needs the shared data directory,
## DATA=../shared/data by default; about an hour on two busy cores)
DATA ?= ../shared/data
sentiment-model: $(STAMP)
	nice -n 10 $(BIN)/python -m nlp.sentiment.training.real_voices $(DATA)
	nice -n 10 $(BIN)/python -m nlp.sentiment.training.calibrate $(DATA) --max-rows 1000
	nice -n 10 $(BIN)/python -m nlp.sentiment.training.train --data-dir $(DATA) --kinds lexical

## redaction-model: retrain the name tagger nlp/data/redaction_tagger.npz (WNUT-17 and BTC train splits
## from the shared pii data, found by eval.conll, plus templated feedback; C, threshold and veto chosen
## on the dev splits only; a few minutes), then print its DEV figures (test splits: python -m eval.redaction)
redaction-model: $(STAMP)
	nice -n 10 $(BIN)/python -m eval.redaction_model
	nice -n 10 $(BIN)/python -m eval.redaction --persons-only --dev-only

clean:
	rm -rf $(VENV) node_modules *.egg-info .pytest_cache .ruff_cache
