# The one place that pins PyTorch: the CPU build 2.13.0, installed before the package.
TORCH := torch==2.13.0
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test wheel-check docs bench clean

$(VENV)/.installed: pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

## demo: set up, then train on a sine wave and forecast it (writes sine_forecast.png)
demo: setup
	MPLBACKEND=Agg $(PY) examples/plot_sine_forecast.py sine_forecast.png

## test: set up, then lint and run the test suite (unit tests, sklearn checks, doctests)
test: setup
	$(VENV)/bin/ruff check sklearn_seq tests examples benchmarks
	$(PY) -m pytest

WHEEL_VENV := build/wheel-check-venv

## wheel-check: build the wheel from a clean copy of the tree, install it (not editable,
## PyTorch first) into a fresh environment and run a smoke test there from an empty folder
wheel-check:
	rm -rf dist $(WHEEL_VENV)
	python3 -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(WHEEL_VENV)/bin/python -m pip install --quiet "$(TORCH)"
	src=$$(mktemp -d) && tar -c --exclude=./.git --exclude=./.venv --exclude=./build \
		--exclude=./dist --exclude='*.egg-info' . | tar -x -C "$$src" && \
		$(WHEEL_VENV)/bin/python -m pip wheel --quiet --no-deps --wheel-dir dist "$$src"; \
		status=$$?; rm -rf "$$src"; exit $$status
	$(WHEEL_VENV)/bin/python -m pip install --quiet dist/*.whl
	empty=$$(mktemp -d) && cd "$$empty" && env -u PYTHONPATH \
		"$(CURDIR)/$(WHEEL_VENV)/bin/python" "$(CURDIR)/.ci/smoke_wheel.py"; \
		status=$$?; rm -rf "$$empty"; exit $$status

$(VENV)/.docs-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

## docs: build the documentation (runs every example for the gallery); warnings are errors
docs: $(VENV)/.docs-installed
	MPLBACKEND=Agg $(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[bench]"
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) benchmarks/bench_forecaster.py
	$(PY) benchmarks/bench_inference.py
	$(PY) benchmarks/bench_forecast_accuracy.py
	$(PY) benchmarks/bench_forecast_suite.py --half all
	$(PY) benchmarks/bench_forecast_intervals.py
	$(PY) benchmarks/bench_forecast_covariates.py
	$(PY) benchmarks/bench_classifier.py
	$(PY) benchmarks/bench_classifier_fit_time.py
	$(PY) benchmarks/bench_classifier_accuracy.py
	$(PY) benchmarks/bench_word2vec.py
	$(PY) benchmarks/bench_text_accuracy.py
	$(PY) benchmarks/bench_parallel.py
	$(PY) benchmarks/bench_threads.py
	$(PY) benchmarks/bench_fit_after_predict.py
	$(PY) benchmarks/bench_cells.py
	$(PY) benchmarks/bench_memory.py
	$(PY) benchmarks/bench_features.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache docs/_build docs/generated docs/auto_examples
