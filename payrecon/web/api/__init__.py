"""JSON endpoints under /api/v1, documented in /openapi.json from the schemas that validate them."""
