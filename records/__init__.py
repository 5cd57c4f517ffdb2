"""The typed records and errors that pass between kanon's stages.

The bottom of the house: this package imports nothing of the project (only
pydantic), so every stage, the storage layer, the flows and the shell may
import it. ``records.types`` holds the records, ``records.errors`` the
typed errors.
"""
