# `make test` is the README's test command; .ci/run calls it too.
.PHONY: test lint install samples bench

test: install
	python -m pytest

# What .ci/run checks before the tests: ruff, and the import contract in pyproject.toml.
lint:
	ruff check .
	lint-imports

install:
	bash scripts/install-system-deps.sh
	python -m pip install -q -e ".[test]"

samples:
	python samples/make_samples.py

bench:
	python benchmarks/run.py
