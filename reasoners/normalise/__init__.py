"""Normalisers: place names, ages and sex, occupations and the smaller
categories' values, from a span's text to the facets of docs/architecture.md."""

from reasoners.normalise.ages import parse_age, parse_sex
from reasoners.normalise.occupations import Occupation, normalise_occupation
from reasoners.normalise.places import Place, resolve_place

__all__ = ["Occupation", "Place", "normalise_occupation", "parse_age", "parse_sex", "resolve_place"]
