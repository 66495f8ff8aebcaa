"""Use cases: each workflow runs one job end to end on the core library.

Edges (CLI, API) parse their input, call one workflow and render its result; workflows
never print and never import an edge framework.
"""
