.PHONY: install test test-all lint format extract bench serve

install:
	pip install -e '.[test,dask]'

test:
	python -m pytest

test-all:
	python -m pytest -m "slow or not slow"

lint:
	ruff check . && ruff format --check .

format:
	ruff format . && ruff check --fix .

extract:
	extract corpus/

bench:
	python scripts/benchmark.py

serve:
	extract serve
