"""The web tier: a FastAPI service in front of the Triton model tier (KServe v2 over HTTP)."""
