"""Names the flow tests share (imported by name: a conftest module cannot be, reliably,
when several test folders have one)."""

from __future__ import annotations

STUB = "stub_pipeline:make"
# The real pipeline: statistical reasoner and rule detector, built by the shell's factory.
REAL = "flows.components:pipeline_from_options"
REAL_OPTIONS = {"detector": "rules.v1", "reasoner": "statistical"}
