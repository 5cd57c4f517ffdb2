"""Attribute profiling: disclosures to typed, normalised attributes."""

from reasoners.profile.merge import merge_attributes, merge_history
from reasoners.profile.profiler import ProfilerConfig, RuleProfiler

__all__ = ["ProfilerConfig", "RuleProfiler", "merge_attributes", "merge_history"]
