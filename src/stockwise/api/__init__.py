"""The REST API and web dashboard (FastAPI): a thin edge over the library and storage."""
