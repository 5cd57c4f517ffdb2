"""Flags a reasoner leaves in a factor's provenance when it bounded an answer, read back as warnings.

A flag is a note in ``Provenance.fallbacks`` that starts with ``FLAG``; the
pipeline lists each one once in the assessment's warnings, so the bound a
person's k went through is said beside it, not only in the factor table.
"""

from __future__ import annotations

from records.types import Network

FLAG = "flagged: "


def network_flags(net: Network) -> list[str]:
    """The bounds that acted on ``net``, once each, in node order."""
    out: list[str] = []
    for n in net.nodes:
        if n.estimate is None:
            continue
        for f in n.estimate.provenance.fallbacks:
            if f.startswith(FLAG) and f[len(FLAG):] not in out:
                out.append(f[len(FLAG):])
    return out
