"""kanon's Prefect flows: ingest, assess_batch, assess_text, and their deployments."""
