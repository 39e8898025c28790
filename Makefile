# `make test` is the README's test command; .ci/run calls it too.
.PHONY: test install samples bench

test: install
	python -m pytest

install:
	bash scripts/install-system-deps.sh
	python -m pip install -q -e ".[test]"

samples:
	python samples/make_samples.py

bench:
	python benchmarks/run.py
