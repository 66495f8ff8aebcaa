"""API routers, one per resource family; each route parses, calls one helper, renders."""
