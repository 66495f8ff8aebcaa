"""What the core asks of the outside world, as protocols with plain stand-ins.

Workflows receive a tracker and an executor; adapters (MLflow, Dask) implement them. Both
sides import these protocols from here, so neither imports the other
(``tests/test_architecture.py`` holds the layers).
"""
