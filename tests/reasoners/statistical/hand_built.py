"""Hand-built attributes for the shared k_dev cases (as the profiler would produce them)."""

from __future__ import annotations

from records.types import Attribute


def A(i: str, cat: str, value: str, **facets) -> Attribute:
    return Attribute(id=i, category=cat, value=value, facets=facets)


CASES: dict[str, tuple[float, list[Attribute]]] = {
    "k002": (689_000_000, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Location", "China", place="China", country="CN", level="country"),
    ]),
    "k005": (4_370_000, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "20s", age_low=20, age_high=29),
        A("a3", "Location", "Germany", place="Germany", country="DE", level="country"),
    ]),
    "k009": (286_000, [
        A("a1", "Gender", "man", sex="male"),
        A("a2", "Location", "Auckland", place="Auckland", country="NZ", level="city", geonameid=2193733, admin1="E7"),
        A("a3", "Pet", "cat", pet="cat"),
    ]),
    "k011": (25_900, [
        A("a1", "Gender", "man", sex="male"),
        A("a2", "Age", "50", age_low=50, age_high=50),
        A("a3", "Location", "Madrid", place="Madrid", country="ES", level="city", geonameid=3117735, admin1="29"),
    ]),
    "k013": (436, [
        A("a1", "Gender", "man", sex="male"),
        A("a2", "Age", "33", age_low=33, age_high=33),
        A("a3", "Occupation", "registered nurse", occupation="registered nurse", soc="29-1141", status="employed"),
        A("a4", "Location", "Ohio", place="Ohio", country="US", level="admin1", admin1="OH"),
    ]),
    "k017": (36, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "27", age_low=27, age_high=27),
        A("a3", "Occupation", "electrician", occupation="electrician", soc="47-2111", status="employed"),
        A("a4", "Location", "Queensland", place="Queensland", country="AU", level="admin1", admin1="04"),
    ]),
    "k023": (18_000, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "28", age_low=28, age_high=28),
        A("a3", "Occupation", "software developer", occupation="software developer", soc="15-1252", status="employed"),
        A("a4", "Location", "United States", place="United States", country="US", level="country"),
    ]),
    "k026": (4_500, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "35", age_low=35, age_high=35),
        A("a3", "Race_Nationality", "Singaporean Chinese", nationality="SG", ethnicity="chinese"),
        A("a4", "Relationship_Status", "single", status="single"),
    ]),
    "k028": (158, [
        A("a1", "Gender", "man", sex="male"),
        A("a2", "Age", "28", age_low=28, age_high=28),
        A("a3", "Occupation", "software developer", occupation="software developer", soc="15-1252", status="employed"),
        A("a4", "Location", "San Francisco", place="San Francisco", country="US", level="city", admin1="CA",
          geonameid=5391959),
        A("a5", "Finance", "250k", income_usd=250000),
    ]),
    "k031": (1, [
        A("a1", "Location", "Loving County", place="Loving County", country="US", level="city", admin1="TX",
          population=64),
        A("a2", "Occupation", "county sheriff", occupation="sheriff", soc="33-3051", status="employed",
          unique=True),  # the profiler flags "the sheriff" as an office one person holds
        A("a3", "Age", "mid-50s", age_low=54, age_high=56),
        A("a4", "Relationship_Status", "married", status="married"),
        A("a5", "Family", "three grandchildren", relation="grandchildren", count=3),
        A("a6", "Pet", "horse", pet="horse"),
    ]),
    "k038": (28, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "74", age_low=74, age_high=74),
        A("a3", "Relationship_Status", "widowed", status="widowed"),
        A("a4", "Occupation", "retired", occupation="retired", status="retired"),
        A("a5", "Location", "The Villages", place="The Villages", country="US", level="city", admin1="FL",
          population=79077),
        A("a6", "Pet", "two cats", pet="cat", count=2),
    ]),
    "k044": (3.0, [
        A("a1", "Gender", "woman", sex="female"),
        A("a2", "Age", "38", age_low=38, age_high=38),
        A("a3", "Location", "Westport", place="Westport", country="IE", level="city", population=6872),
        A("a4", "Relationship_Status", "married", status="married"),
        A("a5", "Family", "three children", relation="children", count=3),
        A("a6", "Pet", "dog", pet="dog"),
    ]),
}
