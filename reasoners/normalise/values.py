"""The smaller categories' facets: relationships, family, pets, orientation,
nationality, education, finance and health (docs/architecture.md, "Attributes
and their facets").

Each function takes a span's text and returns the facets it can establish,
or an empty dict. Word lists are short and kept here; the demonym and
ethnicity lists are data files beside the other normaliser tables.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from reasoners.normalise.tables import read_rows
from reasoners.normalise.text import NUMBER_PATTERN, fold, number_word

Facets = dict[str, str | int | float | bool]


def _has(text: str, *words: str) -> bool:
    return any(re.search(rf"\b{w}\b", text) for w in words)


# --- relationships ---------------------------------------------------------------

# Checked in order: the first that matches decides ("divorced, now engaged" is engaged).
_RELATIONSHIP = (
    ("widowed", (r"widow(?:ed|er)?", r"lost my (?:husband|wife|spouse|partner)")),
    ("engaged", (r"engaged", r"fianc[eé]e?", r"my fiance")),
    ("separated", (r"separated", r"going through a divorce", r"getting divorced")),
    ("divorced", (r"divorc(?:ed|ee|e)", r"my ex[- ]?(?:husband|wife)")),
    ("married", (r"married", r"my (?:husband|wife|hubby|spouse)", r"newlywed", r"wedded")),
    ("partnered", (
        r"my (?:bf|gf|boyfriend|girlfriend|partner|so|s/o|significant other)",
        r"in a relationship", r"dating", r"taken", r"common[- ]law", r"de facto", r"living together",
    )),
    ("single", (r"single", r"never married", r"unmarried", r"my ex", r"broke up", r"dumped", r"no partner")),
)


def relationship_status(phrase: str) -> Facets:
    """``status`` from "married", "my bf", "widowed", "single (never married)", ..."""
    text = phrase.lower().replace("’", "'")
    if re.search(r"\b(?:never|not|un)[- ]?married\b", text):
        return {"status": "single"}
    for status, patterns in _RELATIONSHIP:
        if any(re.search(rf"(?<![\w-]){p}(?![\w])", text) for p in patterns):
            return {"status": status}
    return {}


def partner(phrase: str, category: str) -> Facets:
    """Husband_BF / Wife_GF: the author's relationship and the partner's sex."""
    text = phrase.lower()
    out: Facets = {}
    if _has(text, "husband", "hubby", "wife", "wifey", "spouse"):
        out["status"] = "married"
    elif _has(text, "fianc[eé]e?"):
        out["status"] = "engaged"
    elif _has(text, "bf", "gf", "boyfriend", "girlfriend", "partner", "so"):
        out["status"] = "partnered"
    if _has(text, "wife", "wifey", "girlfriend", "gf", "fianc[eé]e"):
        out["partner_sex"] = "female"
    elif _has(text, "husband", "hubby", "boyfriend", "bf", "fiance"):
        out["partner_sex"] = "male"
    elif category == "Wife_GF":
        out["partner_sex"] = "female"
    elif category == "Husband_BF":
        out["partner_sex"] = "male"
    return out


# --- family and pets -----------------------------------------------------------------

# Relation words to the facet's value; the plural forms carry a count.
_RELATIONS = (
    (r"grand(?:kids|children|sons|daughters)|grandkid|grandchild|grandson|granddaughter", "grandchildren"),
    (r"kids|children|sons|daughters|boys|girls|babies|toddlers|teens|twins|stepkids", "children"),
    (r"kid|child|son|daughter|baby|toddler|newborn|infant|stepson|stepdaughter", "child"),
    (r"mom|mum|mother|mama|dad|father|parents?", "parent"),
    (r"brothers?|sisters?|siblings?", "sibling"),
)
_PARENT_OF = re.compile(rf"\b(?:mom|mum|mother|dad|father|parent)\s+(?:of|to)\s+({NUMBER_PATTERN})\b")


def family(phrase: str) -> Facets:
    """``relation`` and ``count``: "three kids" -> children, 3; "a dad of two" -> children, 2."""
    text = phrase.lower()
    m = _PARENT_OF.search(text)
    if m:
        n = number_word(m.group(1)) or 1
        return {"relation": "children" if n > 1 else "child", "count": n}
    for pattern, relation in _RELATIONS:
        m = re.search(rf"(?:\b({NUMBER_PATTERN})\s+(?:\w+\s+)?)?\b({pattern})\b", text)
        if not m:
            continue
        count = number_word(m.group(1)) if m.group(1) else None
        word = m.group(2)
        if relation == "parent":
            relation = "mother" if word in ("mom", "mum", "mother", "mama") else (
                "father" if word in ("dad", "father") else "parents")
        if relation == "child" and count and count > 1:
            relation = "children"
        if relation == "children" and count is None and word == "twins":
            count = 2
        out: Facets = {"relation": relation}
        if count is not None:
            out["count"] = count
        elif relation == "child":
            out["count"] = 1
        return out
    return {}


_PETS = {
    "cat": r"cats?|kittens?|kitty|kitties", "dog": r"dogs?|pupp(?:y|ies)|pups?|doggos?",
    "horse": r"horses?|ponies|pony|mares?|geldings?", "rabbit": r"rabbits?|bunn(?:y|ies)",
    "bird": r"birds?|parrots?|budgies?|parakeets?", "fish": r"fish|goldfish|aquarium",
    "reptile": r"snakes?|lizards?|geckos?|turtles?|tortoises?", "rodent": r"hamsters?|guinea pigs?|rats?|mice|gerbils?",
    "chicken": r"chickens?|hens?", "goat": r"goats?",
}


def pets(phrase: str) -> Facets:
    """``pet`` and ``count``: "my two cats" -> cat, 2; "a very stupid dog" -> dog (no count: at least one)."""
    text = phrase.lower()
    found = []
    for pet, pattern in _PETS.items():
        m = re.search(rf"(?:\b({NUMBER_PATTERN})\s+(?:[\w-]+\s+){{0,2}})?\b({pattern})\b", text)
        if m:
            word = (m.group(1) or "").lower()
            count = number_word(word) if word and word not in ("a", "an") else None
            if count is None and m.group(2).endswith("s") and m.group(2) not in ("fish",):
                count = 2  # "my cats": more than one
            found.append((m.start(2), pet, count))
    if not found:
        return {}
    _, pet, count = min(found)
    # "My cat" says the author has a cat, not that they have exactly one.
    return {"pet": pet} if count is None else {"pet": pet, "count": count}


# --- orientation -------------------------------------------------------------------------

_ORIENTATIONS = (
    ("lesbian", r"lesbian|wlw|sapphic"),
    ("bisexual", r"bi|bisexual|pansexual|pan"),
    ("asexual", r"asexual|ace|aromantic"),
    ("gay", r"gay|homosexual|mlm"),
    ("queer", r"queer|lgbt\w*"),
    ("straight", r"straight|heterosexual|hetero"),
)


def orientation(phrase: str) -> Facets:
    text = phrase.lower()
    for value, pattern in _ORIENTATIONS:
        if re.search(rf"\b(?:{pattern})\b", text):
            return {"orientation": value}
    return {}


# --- nationality and ethnicity ------------------------------------------------------------


@functools.cache
def _demonyms(data_dir: Path | None = None) -> tuple[dict[str, tuple[str, bool]], dict[str, str]]:
    dem = {
        fold(r["demonym"]): (r["country"], r.get("ethnic_label") == "yes")
        for r in read_rows("demonyms.csv", data_dir, ("demonym", "country"))
    }
    eth = {fold(r["phrase"]): r["ethnicity"] for r in read_rows("ethnicities.csv", data_dir, ("phrase", "ethnicity"))}
    return dem, eth


_IMMIGRATION = (
    ("refugee", r"refugee|asylum"), ("visa", r"visa|h-?1b|work permit"),
    ("permanent resident", r"green card|permanent resident|\bpr\b"),
    ("immigrant", r"immigrant|immigrated|moved here from|expat|emigrated|migrant"),
    ("citizen", r"citizen|naturali[sz]ed"),
)


def nationality(phrase: str, data_dir: Path | None = None) -> Facets:
    """``nationality`` (ISO2), ``ethnicity``, ``immigration`` from demonyms and words.

    With two demonyms the one that is commonly an ethnic label gives the
    ethnicity and the other the nationality ("Singaporean Chinese", "Chinese
    American"); with two of a kind, the last is the nationality.
    """
    demonyms, ethnicities = _demonyms(data_dir)
    # "Turkish-Dutch", "Nigerian-British": a hyphen joins two demonyms, as a space does.
    words = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", fold(phrase)).split()
    found: list[tuple[int, str, str, bool]] = []  # position, word, country, ethnic label
    out: Facets = {}
    i = 0
    while i < len(words):
        for n in (2, 1):
            key = " ".join(words[i:i + n])
            if key in demonyms:
                found.append((i, key, *demonyms[key]))
                i += n - 1
                break
            if key in ethnicities and "ethnicity" not in out:
                out["ethnicity"] = ethnicities[key]
                i += n - 1
                break
        i += 1
    if len(found) == 1:
        out["nationality"] = found[0][2]
    elif len(found) >= 2:
        ethnic = [f for f in found if f[3]]
        civic = [f for f in found if not f[3]]
        if ethnic and civic:
            out["nationality"] = civic[-1][2]
            out.setdefault("ethnicity", ethnic[0][1])
        else:
            out["nationality"] = found[-1][2]
            out.setdefault("ethnicity", found[0][1])
    text = " ".join(words)
    for value, pattern in _IMMIGRATION:
        if re.search(rf"\b(?:{pattern})", text):
            out["immigration"] = value
            break
    return out


# --- education -----------------------------------------------------------------------------

_EDUCATION = (
    ("doctorate", r"ph\.? ?d|doctorate|doctoral|dphil|md|jd|edd"),
    ("master", r"master'?s?|mba|msc|m\.?s\.?|ma|mfa|med|grad school|graduate degree|postgrad\w*"),
    ("bachelor", r"bachelor'?s?|ba|bsc|b\.?s\.?|bs|bsn|undergrad(?:uate)? degree|college degree|university degree|college grad(?:uate)?|graduated (?:from )?(?:college|uni\w*)"),
    ("associate", r"associate'?s?(?: degree)?|community college|tafe|trade school|vocational"),
    ("secondary", r"high school|secondary school|ged|a[- ]levels?|gcses?|hs diploma|diploma"),
    ("student", r"student|studying|freshman|sophomore|undergrad|in college|at uni\w*|in school|phd candidate"),
)
_FIELD = re.compile(r"\b(?:in|of)\s+([a-z][a-z &-]{2,40}?)(?:\s+(?:at|from|and)\b|[,.;]|$)")


def education(phrase: str) -> Facets:
    """``level`` and, when named after "in"/"of", ``field`` ("master's in nursing")."""
    text = phrase.lower().replace("’", "'")
    out: Facets = {}
    # A student is a student even when a degree is named ("PhD student").
    if re.search(r"\b(?:student|candidate|studying)\b", text):
        out["level"] = "student"
    else:
        for level, pattern in _EDUCATION:
            if re.search(rf"(?<![\w'])(?:{pattern})(?![\w])", text):
                out["level"] = level
                break
    m = _FIELD.search(text)
    if m and out:
        out["field"] = m.group(1).strip()
    return out


# --- finance ---------------------------------------------------------------------------------

_MONEY = re.compile(
    r"(?:[$£€]|usd|aud|cad|gbp|eur)?\s*(\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d+)?)\s*(k|m|mil|million|grand|thousand)?\b",
    re.I,
)
# Rough conversion to US dollars, so that incomes compare across posts; a
# deployment that needs exact figures converts at the post's date.
_TO_USD = {"$": 1.0, "£": 1.27, "€": 1.08, "aud": 0.66, "cad": 0.74, "gbp": 1.27, "eur": 1.08, "usd": 1.0}
_HOURS_PER_YEAR = 2080


def finance(phrase: str) -> Facets:
    """``income_usd`` ("$85k", "250k TC", "£40,000 a year"), ``debt_usd``, ``housing``."""
    text = phrase.lower().replace("’", "'")
    out: Facets = {}
    for m in _MONEY.finditer(text):
        raw = m.group(0).strip()
        digits = m.group(1)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
            digits = digits.replace(".", "")  # 85.000 written with a dot for thousands
        number = float(digits.replace(",", ""))
        unit = (m.group(2) or "").lower()
        if unit in ("k", "grand", "thousand"):
            number *= 1_000
        elif unit in ("m", "mil", "million"):
            number *= 1_000_000
        currency = next((c for c in _TO_USD if raw.startswith(c)), None)
        if currency is None and not unit and number < 1000:
            continue  # a bare small number is not money ("2 kids", "3 years")
        usd = number * _TO_USD.get(currency or "$", 1.0)
        after = text[m.end():m.end() + 25]
        before = text[max(0, m.start() - 25):m.start()]
        if re.search(r"(?:an? hour|/hr|/hour|per hour|hourly)", after):
            usd *= _HOURS_PER_YEAR
        if re.search(r"debt|loans?|owe|in the hole", before + after):
            out.setdefault("debt_usd", round(usd))
        elif re.search(r"rent|mortgage|a month|/mo|per month|monthly", after) and usd < 20_000:
            continue  # a monthly payment, not an income
        else:
            out.setdefault("income_usd", round(usd))
    if _has(text, "mortgage"):
        out["housing"] = "mortgage"
    elif _has(text, "homeowner", "own my (?:home|house|place|flat|condo)", "bought (?:a|my) (?:house|home|flat|condo|place)", "paid off"):
        out["housing"] = "own"
    elif _has(text, "rent", "renting", "renter", "landlord", "lease", "tenant"):
        out["housing"] = "rent"
    return out


# --- health ------------------------------------------------------------------------------------

# Canonical condition -> patterns. Order matters only where patterns overlap.
_CONDITIONS = (
    ("pregnancy", r"pregnan\w*|expecting a baby|weeks along|trimester"),
    ("type 1 diabetes", r"type 1 diabet\w*|t1d|type one diabet\w*"),
    ("type 2 diabetes", r"type 2 diabet\w*|t2d|type two diabet\w*"),
    ("diabetes", r"diabet\w*"),
    ("adhd", r"adhd|add|attention deficit"),
    ("autism", r"autis\w*|asd|asperger'?s?|on the spectrum"),
    ("bipolar disorder", r"bipolar"),
    ("ptsd", r"c?ptsd|post[- ]traumatic"),
    ("ocd", r"ocd|obsessive[- ]compulsive"),
    ("eating disorder", r"anorexi\w*|bulimi\w*|eating disorder|binge eating"),
    ("schizophrenia", r"schizo\w*"),
    ("depression", r"depress\w*|mdd"),
    ("anxiety", r"anxi\w*|panic attacks?|panic disorder|gad"),
    ("cancer", r"cancer|leukemia|lymphoma|tumou?r|chemo\w*|oncolog\w*"),
    ("multiple sclerosis", r"multiple sclerosis|\bms\b"),
    ("epilepsy", r"epilep\w*|seizures?"),
    ("asthma", r"asthma\w*"),
    ("hiv", r"hiv"),
    ("long covid", r"long covid"),
    ("chronic fatigue", r"chronic fatigue|me/cfs|cfs"),
    ("chronic pain", r"chronic pain|fibromyalgia|fibro"),
    ("endometriosis", r"endometriosis|endo"),
    ("pcos", r"pcos|polycystic"),
    ("infertility", r"infertil\w*|ivf"),
    ("celiac disease", r"celiac|coeliac"),
    ("crohn's disease", r"crohn'?s|ulcerative colitis|ibd"),
    ("hypertension", r"hypertension|high blood pressure"),
    ("heart disease", r"heart (?:disease|attack|failure)|cardiac arrest"),
    ("deafness", r"deaf|hard of hearing"),
    ("blindness", r"blind|visually impaired"),
    ("wheelchair user", r"wheelchair"),
    ("addiction", r"addict\w*|alcoholi\w*|sober|recovery|substance"),
)


def health(phrase: str) -> Facets:
    """``condition`` (canonical name) and ``pregnant``."""
    text = phrase.lower().replace("’", "'")
    for condition, pattern in _CONDITIONS:
        if re.search(rf"\b(?:{pattern})\b", text):
            out: Facets = {"condition": condition}
            if condition == "pregnancy":
                out["pregnant"] = True
            return out
    return {}
