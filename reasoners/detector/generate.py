"""A generator that enlarges the authored corpus by varying fillers in annotated clauses.

Generated posts are kept apart from authored ones (``generated.jsonl``) and
only ever join the training split: they teach the surface variety of
fillers (ages, places, jobs, relatives), while the authored posts teach how
people actually write.
"""

from __future__ import annotations

import random

from reasoners.detector.corpus import Example, parse_markup

AGES = [str(a) for a in range(16, 80)]
SEX_TAG = ["F", "M", "f", "m"]
PLACES = [
    "Leeds", "Manchester", "Glasgow", "Cardiff", "Belfast", "Dublin", "Cork", "Galway", "Ohio", "Texas",
    "Austin", "Denver", "Chicago", "Seattle", "Toronto", "Calgary", "Vancouver", "Sydney", "Brisbane",
    "Perth", "Auckland", "Wellington", "Lagos", "Nairobi", "Accra", "Cape Town", "Johannesburg", "Mumbai",
    "Pune", "Bangalore", "Delhi", "Karachi", "Dhaka", "Manila", "Cebu", "Singapore", "Kuala Lumpur",
    "Jakarta", "Tokyo", "Osaka", "Seoul", "Berlin", "Munich", "Hamburg", "Warsaw", "Krakow", "Madrid",
    "Barcelona", "Lisbon", "Porto", "Paris", "Lyon", "Amsterdam", "Rotterdam", "São Paulo", "Rio",
    "Mexico City", "Guadalajara", "Bogotá", "Lima", "Santiago", "Buenos Aires", "a small town in Kansas",
    "rural Wales", "the Bay Area", "NYC", "London", "the Midlands", "QLD", "NSW", "BC", "Ontario",
]
JOBS = [
    "nurse", "RN", "ICU nurse", "teacher", "primary school teacher", "software engineer", "web developer",
    "data analyst", "accountant", "electrician", "plumber", "mechanic", "chef", "line cook", "barista",
    "bartender", "truck driver", "delivery driver", "paramedic", "pharmacist", "dentist", "GP", "vet tech",
    "social worker", "police officer", "firefighter", "lawyer", "paralegal", "architect", "civil engineer",
    "carpenter", "welder", "farmer", "cashier", "warehouse worker", "receptionist", "HR manager",
    "project manager", "graphic designer", "journalist", "librarian", "postdoc", "lab technician",
    "flight attendant", "pilot", "hairdresser", "nanny", "care worker", "security guard", "cleaner",
]
NUMS = ["two", "three", "four", "2", "3", "5"]
KIDS = ["kids", "children", "sons", "daughters", "boys", "girls"]
RELATIVES = ["mom", "mum", "dad", "mother", "father", "sister", "brother", "grandma", "grandpa",
             "son", "daughter", "stepdad", "aunt", "uncle", "mother-in-law", "twin brother"]
REL_FACTS = ["has dementia", "just got diagnosed with cancer", "moved in with us", "is turning 70",
             "lost his job", "is in hospital", "has autism", "started school", "passed away last year",
             "is a nurse too", "lives in another country", "won't stop calling me"]
PETS = ["cat", "dog", "two cats", "three dogs", "rescue greyhound", "kitten", "horse", "rabbit",
        "parrot", "corgi", "old lab", "ferret", "bearded dragon", "two guinea pigs"]
CONDITIONS = ["type 1 diabetes", "type 2 diabetes", "asthma", "epilepsy", "endometriosis", "PCOS",
              "Crohn's", "migraines", "arthritis", "long covid", "a chronic illness", "MS"]
MENTAL = ["ADHD", "depression", "anxiety", "PTSD", "OCD", "bipolar disorder", "autism", "an eating disorder",
          "panic attacks", "social anxiety"]
NATIONALITIES = ["Nigerian", "Indian", "Filipino", "Polish", "Mexican", "Brazilian", "Korean-American",
                 "Irish", "Kenyan", "Pakistani", "Vietnamese", "Ghanaian", "Black", "Latina", "half Japanese",
                 "Chinese-Canadian", "Turkish", "South African"]
NAMES = ["Priya", "Tom", "Aoife", "Kofi", "Mei", "Lukas", "Amara", "Diego", "Sana", "Jonas", "Chloe",
         "Emeka", "Hana", "Mateo", "Zainab", "Olu", "Freya", "Ravi", "Nadia", "Ben"]

# Clause templates: inline markup with {slots}. Every clause speaks of the author.
CLAUSES: list[str] = [
    "<Age_Gender>{age}{sex}</Age_Gender> here",
    "<Age_Gender>{age}{sex}</Age_Gender>,",
    "me (<Age_Gender>{age}{sex}</Age_Gender>)",
    "<Age>I'm {age}</Age>",
    "<Age>I am {age} years old</Age>",
    "<Age>I'm in my {decade}</Age>",
    "<Age>I just turned {age}</Age>",
    "<Gender>as a woman</Gender>",
    "<Gender>guy here</Gender>",
    "<Gender>I'm a trans woman</Gender>",
    "<Occupation>I'm a {job}</Occupation>",
    "<Occupation>I work as a {job}</Occupation>",
    "<Occupation>been a {job} for {n} years</Occupation>",
    "<Occupation>I'm retired</Occupation>",
    "<Occupation>I'm a stay at home mom</Occupation>",
    "<Location>I live in {place}</Location>",
    "<Location>here in {place}</Location>",
    "<Location>I moved to {place}</Location> last year",
    "<Location>I grew up in {place}</Location>",
    "<Location>based in {place}</Location>",
    "<Husband_BF>my husband</Husband_BF>",
    "<Husband_BF>my bf</Husband_BF>",
    "<Husband_BF>my boyfriend of {n} years</Husband_BF>",
    "<Wife_GF>my wife</Wife_GF>",
    "<Wife_GF>my gf</Wife_GF>",
    "<Wife_GF>my girlfriend</Wife_GF>",
    "<Relationship_Status>my partner</Relationship_Status>",
    "<Relationship_Status>I'm recently divorced</Relationship_Status>",
    "<Relationship_Status>I'm single</Relationship_Status>",
    "<Relationship_Status>my ex</Relationship_Status>",
    "<Relationship_Status>I'm widowed</Relationship_Status>",
    "<Family>my {num} {kids}</Family>",
    "<Family>my {rel} {relfact}</Family>",
    "<Family>my {rel}</Family>",
    "<Family>I have {num} {kids}</Family>",
    "<Pet>my {pet}</Pet>",
    "<Pet>our {pet}</Pet>",
    "<Health>I have {condition}</Health>",
    "<Health>I'm {weeks} weeks pregnant</Health>",
    "<Mental_Health>I was diagnosed with {mental}</Mental_Health>",
    "<Mental_Health>my therapist</Mental_Health>",
    "<Mental_Health>I've been on sertraline</Mental_Health>",
    "<Race_Nationality>I'm {nationality}</Race_Nationality>",
    "<Race_Nationality>I'm on an H-1B</Race_Nationality>",
    "<Sexual_Orientation>I'm gay</Sexual_Orientation>",
    "<Sexual_Orientation>as a bi woman</Sexual_Orientation>",
    "<Sexual_Orientation>I'm asexual</Sexual_Orientation>",
    "<Appearance>I'm {height}</Appearance>",
    "<Appearance>I have red hair</Appearance>",
    "<Appearance>I'm overweight</Appearance>",
    "<Education>I'm a {year} year {school} student</Education>",
    "<Education>I have a master's in {field}</Education>",
    "<Education>I dropped out of college</Education>",
    "<Finance>I make about {money}</Finance>",
    "<Finance>I have {money} in student loans</Finance>",
    "<Finance>we rent</Finance>",
    "<Name>my name is {name}</Name>",
    "<Contact>{email}</Contact>",
]
# Clauses about other people: never annotated (hard negatives).
NEGATIVES: list[str] = [
    "my coworker is a {job}", "my roommate is from {place}", "my friend just turned {age}",
    "my boss has {condition}", "my neighbour has a {pet}", "my best friend is {nationality}",
    "a guy at work is getting divorced", "my landlord lives in {place}", "when I was {age} I lived in {place}",
    "if I were a {job} I'd quit", "{job}s in {place} are underpaid",
]
OPENERS = ["", "", "", "Throwaway because people know my main. ", "Long time lurker. ", "Need advice. ",
           "Hi all, ", "ok so ", "Quick question: ", "TL;DR at the bottom. "]
QUESTIONS = [
    "Is this normal?", "What should I do?", "Any advice?", "Has anyone been through this?",
    "Am I overreacting?", "How do I even start?", "What would you do?", "Help pls",
    "Any tips appreciated.", "Is it worth it?", "How do I bring this up?", "thoughts?",
]
JOINERS = [", ", ". ", " and ", ", and ", "; ", " - ", ". Also "]


def _fill(template: str, rng: random.Random) -> str:
    decade = rng.choice(["20s", "30s", "40s", "50s", "early 30s", "late 20s", "mid 40s", "sixties"])
    values = {
        "age": rng.choice(AGES), "sex": rng.choice(SEX_TAG), "decade": decade, "job": rng.choice(JOBS),
        "n": str(rng.randint(2, 15)), "place": rng.choice(PLACES), "num": rng.choice(NUMS),
        "kids": rng.choice(KIDS), "rel": rng.choice(RELATIVES), "relfact": rng.choice(REL_FACTS),
        "pet": rng.choice(PETS), "condition": rng.choice(CONDITIONS), "weeks": str(rng.randint(6, 38)),
        "mental": rng.choice(MENTAL), "nationality": rng.choice(NATIONALITIES),
        "height": rng.choice(["6'4", "5'1", "190cm", "4'11", "6 foot 2"]),
        "year": rng.choice(["1st", "2nd", "3rd", "final"]), "school": rng.choice(["uni", "nursing", "med", "law", "college"]),
        "field": rng.choice(["chemistry", "social work", "computer science", "history", "nursing"]),
        "money": rng.choice(["$85k", "£32k", "€45,000", "$40k", "120k", "₹12 lakh"]),
        "name": rng.choice(NAMES),
        "email": f"{rng.choice(NAMES).lower()}.{rng.randint(10, 99)}@example.com",
    }
    return template.format(**values)


def generate(n: int, seed: int = 0) -> list[Example]:
    """``n`` posts with 0-5 annotated clauses each, some with hard negatives."""
    rng = random.Random(seed)
    out: list[Example] = []
    for i in range(n):
        k = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5])
        parts = [_fill(rng.choice(CLAUSES), rng) for _ in range(k)]
        if rng.random() < 0.35 or k == 0:
            parts.insert(rng.randint(0, len(parts)), _fill(rng.choice(NEGATIVES), rng))
        body = ""
        for j, p in enumerate(parts):
            body += p if j == 0 else rng.choice(JOINERS) + p
        text = rng.choice(OPENERS) + body + ". " + rng.choice(QUESTIONS)
        plain, spans = parse_markup(text, f"generated:{i}")
        # A lot of people write without capitals. lower() keeps offsets only when it keeps length.
        if rng.random() < 0.3 and len(plain.lower()) == len(plain):
            plain = plain.lower()
            spans = [type(sp)(sp.start, sp.end, sp.label, plain[sp.start:sp.end]) for sp in spans]
        out.append(Example(f"gen-{seed}-{i:05d}", plain, tuple(spans)))
    return out
