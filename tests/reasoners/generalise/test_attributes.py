from records.types import Attribute
from reasoners.generalise import generalise


def test_city_widens_to_division_then_country():
    leeds = Attribute(id="a0", category="Location", value="Leeds", facets={
        "place": "Leeds", "level": "city", "country": "GB", "admin1": "ENG", "population": 536280,
        "admin1_population": 56_500_000, "country_population": 67_000_000})
    wider, what = generalise(leeds)
    assert wider.facets["level"] == "admin1" and wider.facets["population"] == 56_500_000
    assert wider.id == "a0" and "division" in what
    widest, what2 = generalise(wider)
    assert widest.facets["level"] == "country" and widest.facets["population"] == 67_000_000
    assert generalise(widest) is None


def test_age_to_decade_and_job_to_group():
    age = Attribute(id="a1", category="Age", value="34", facets={"age_low": 34, "age_high": 34})
    wider, _ = generalise(age)
    assert (wider.facets["age_low"], wider.facets["age_high"]) == (30, 39)
    assert generalise(wider) is None  # a decade is as wide as it goes
    nurse = Attribute(id="a2", category="Occupation", value="nurse", facets={"soc": "29-1141", "status": "employed"})
    wider, _ = generalise(nurse)
    assert wider.facets["group"] == "healthcare" and wider.facets["soc"] == "29-0000"


def test_partner_becomes_relationship_status_and_others_stay():
    bf = Attribute(id="a3", category="Husband_BF", value="my bf", facets={"status": "partnered", "partner_sex": "male"})
    wider, _ = generalise(bf)
    assert wider.category == "Relationship_Status" and "partner_sex" not in wider.facets
    assert generalise(Attribute(id="a4", category="Pet", value="cat", facets={"pet": "cat"})) is None
