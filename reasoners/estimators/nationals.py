"""Citizens among the residents of their own country, where no table row gives the share ("nationals.v1").

"Nigerian guy here" with no stated place is read as a resident of Nigeria
(the statistical reasoner makes the country the base); the factor is then
the share of that country's residents who are its citizens. The facts table
(``data/facts/nationality.csv``) has it for the countries with large migrant
populations; for the rest the share is high everywhere. UN DESA's
International Migrant Stock 2020 puts 3.6% of the world's people outside
their country of birth, and outside the countries in the table the
foreign-born share is mostly under 5% (a few percent in most of Africa,
Asia and Latin America). So: 0.95, interval 0.75 to 1.0, said as a guess
from the global figure, never the 0.05 category prior, which would make a
plain nationality a 1-in-20 filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from records.types import Estimate, SubQuestion
from reasoners.estimators.common import first, location_of, make_estimate

NAME = "nationals.v1"
DATASET = "UN DESA International Migrant Stock 2020 (world: 3.6% foreign-born)"
SHARE = (0.95, 0.75, 1.0)


@dataclass
class NationalsEstimator:
    name: str = NAME

    def estimate(self, question: SubQuestion) -> Estimate | None:
        if question.kind != "fraction" or len(question.target) != 1:
            return None
        nat = first(question.target, "Race_Nationality")
        loc = location_of(question)
        if nat is None or loc is None or set(nat.facets) - {"nationality"}:
            return None  # an ethnicity or an immigrant status is another question
        country, there = nat.facets.get("nationality"), loc.facets.get("country")
        if not isinstance(country, str) or not isinstance(there, str) or country.upper() != there.upper():
            return None
        v, lo, hi = SHARE
        return make_estimate("fraction", v, lo, hi, component=NAME, source="derived", dataset=DATASET, year=2020,
                             note=f"citizens among residents of {country.upper()}: the global share, no table for the country")
