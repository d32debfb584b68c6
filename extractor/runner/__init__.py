"""Running a corpus: the walk, budgets and supervised workers, shards and the Dask engine."""
