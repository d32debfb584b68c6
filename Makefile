.PHONY: install test lint format extract bench serve

install:
	pip install -e '.[test,dask]'

test:
	python -m pytest

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
