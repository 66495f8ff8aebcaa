"""Adapters: the only place stockwise talks to SQL databases, MLflow or Dask."""
