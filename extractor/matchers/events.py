"""Which event a complication count or rate belongs to.

Lists of events carry one count per item (`surgical wound problems (4%, 17/432),
trochanteric bursitis (2%, 8/432), facet pain (less than 1%, 3/432)`): a number belongs
to the event named in its own item, the noun phrase right before it, never to a term
elsewhere in the sentence. Where the number closes a clause whose subject is the event
(`Pain was the most commonly reported event (2% [119/5,319])`, `The reoperation rate for
implant-related adverse events was 3%`), the subject's head decides. Items that give a
reason (`Revisions were done ... to treat symptom recurrence (n=34)`) or a subset (`with
most implants deemed to be too short (n=30)`) count the event named before them.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.vocab import Term

_GENERIC = {"any adverse event", "any complication"}
_DELIM = re.compile(r"[,;:(\[]|\band\b|\bfollowed by\b|\bincluded\b|\bwere\b|\bwas\b")
_FUNCTION = re.compile(
    r"^(?:and|or|the|a|an|followed by|in|of|with)\s+|\s+(?:in|was|were|of|is|are|"
    r"in less than|less than|reported in|occurred in)\s*$",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"(?:^|\s)(?:for|to\s+(?!\d)[a-z]+|because\s+of|due\s+to|owing\s+to)\b", re.IGNORECASE
)
_PREDICATE = re.compile(
    r"^(?:\w+ly\s+)?(?:\w+ed|seen|found|done|given|present|low|high|rare|common|"
    r"uncommon|similar|higher|lower)\b",
    re.IGNORECASE,
)
# words that name no event: `Only 3.3% of patients needed MUA`, `..., occurred in 28 (7.6%)`,
# `in 18.2% vs 24.6%`
_ONLY_FUNCTION = re.compile(
    r"(?:(?:in|mean|median|average|of|the|was|were|to|a|an|only|just|about|approximately|"
    r"nearly|almost|around|roughly|overall|occurred|observed|reported|recorded|noted|seen|"
    r"vs\.?|versus|compared|than)"
    r"\s*)*",
    re.IGNORECASE,
)
_SUBSET = re.compile(r"^(?:with\s+(?:most|all|some|many)|of\s+(?:which|whom)|mostly)\b", re.I)
# a symptom is an outcome, not an event, when a change or score word follows it
_SYMPTOM_AS_OUTCOME = r"^\s*{symptom_outcome}"  # words: cues.tsv
_ONSET_BEFORE = r"{onset}\s+(?:[\w\-]+\s+){0,2}$"  # `new-onset ...`; words: cues.tsv
# a symptom as the subject of an occurrence verb: `Somnolence was reported in 12 patients`
_OCCURRED_IN = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?(?:(?:was|were)\s+(?:reported|observed|recorded|noted|seen)\s+"
    r"in|(?:occurred|developed|emerged|appeared)\s+in|affected)\s+(?:only\s+)?"
    r"(?:\d|the\s+|[a-z]+(?:-[a-z]+)?\s+(?:patients?|participants?|subjects?|of)\b)",
    re.IGNORECASE,
)
_STOP_WORD = r"(?:and|or|in|after|no|not|without|where|which|that|when|whose)"
# the verbs between the count and the event are data (`event_verb` in cues.tsv)
_NAMED_GAP = (
    r"^\s+(?:\((?P<pct>[^()]*%)\s*\)\s+)?"
    r"(?:(?:cases?|episodes?|instances?)\s+of\s+|"
    r"(?:of\s+(?:the|these|those|our)\s+)?"
    r"(?:patients?|participants?|subjects?|people|individuals|women|men|knees?|hips?|"
    r"shoulders?|joints?|eyes?|limbs?|feet|ankles?|wrists?|elbows?)\s+"
    r"(?:\((?P<pct2>[^()]*%)\s*\)\s+)?(?:who\s+)?)?"
    r"(?:{event_verb}\s+)?(?:(?!" + _STOP_WORD + r"\b)[a-z][\w\-]*\s+){0,3}$"
)


def events_in(ctx: SentenceContext) -> list[Term]:
    """The sentence's event terms; a symptom only where it is reported as an event; none
    inside an instrument's name (`WOMAC stiffness`, `KOOS pain`)."""
    terms = [
        t
        for t in ctx.complications
        if not any(
            i.start <= t.start and t.end <= i.end and i.end - i.start > t.end - t.start
            for i in ctx.instruments
        )
    ]
    if all(t.category == "symptom" for t in terms):
        return [t for t in terms if _symptom_is_event(ctx, t)]
    return [t for t in terms if t.category != "symptom" or not _outcome_use(ctx, t)]


def _outcome_use(ctx: SentenceContext, term: Term) -> bool:
    return bool(ctx.vocab.cue_pattern(_SYMPTOM_AS_OUTCOME).match(ctx.after(term.end, 30)))


def _symptom_is_event(ctx: SentenceContext, term: Term) -> bool:
    """`3 patients reported SI joint pain`: an onset verb makes the symptom an event."""
    negated = re.search(r"\b(?:no|not|without)\s+(?:[\w\-]+\s+){0,2}$", ctx.before(term.start, 30))
    if _outcome_use(ctx, term) or negated:
        return False  # `reported no pain at rest`: the absence of a symptom is an outcome
    if any(tp.timepoint == "baseline" and 0 <= tp.start - term.end < 20 for tp in ctx.timepoints):
        return False  # `had leg pain at baseline`: a characteristic, not an event
    if _OCCURRED_IN.match(ctx.after(term.end, 40)):
        return True  # `Dizziness occurred in 22 patients`: the symptom is the event counted
    return bool(ctx.vocab.cue_pattern(_ONSET_BEFORE).search(ctx.before(term.start, 50))) or bool(
        re.match(r"(?i)(?:new|worsening|recurrent|persistent|continued)\b", term.text)
    )


def event_for(ctx: SentenceContext, q: Quantity, events: list[Term]) -> tuple[Term | None, str]:
    """The event a rate belongs to: its own list item, else the clause's subject."""
    prev = ctx.prev_value(q)
    start = prev.end if prev else ctx.sentence.start
    while prev is not None and prev.relation and ")" in ctx.span(prev.end, q.start):
        # `Hyperkalaemia (potassium >5.5 mmol/l) occurred in 21`: a definition, not an item
        start = prev.end + ctx.span(prev.end, q.start).index(")") + 1
        opening = ctx.span(ctx.sentence.start, prev.start).rfind("(")
        defined = [t for t in events if t.end <= ctx.sentence.start + opening]
        tail = ctx.span(start, q.start)
        if defined and opening >= 0 and _ONLY_FUNCTION.fullmatch(_strip(tail)):
            return defined[-1], ""
        prev = ctx.prev_value(prev)
    head = ctx.span(start, q.start)
    cut, last = 0, ""
    for m in _DELIM.finditer(head.rstrip(" ([")):
        if any(t.start <= start + m.start() < t.end for t in events):
            continue  # `Nausea and vomiting occurred in 18`: the `and` is inside the event
        cut, last = m.end(), m.group()
    phrase = _strip(head[cut:])
    if re.fullmatch(r"(?:(?:less|more|fewer|greater) than|<|>|≤|≥|)", phrase.strip()):
        # `toe numbness (less than 1%, 2/432)`: the event is before the parenthesis
        outer = head[:cut].rstrip(" ([")
        cut = max((m.end() for m in _DELIM.finditer(outer)), default=0)
        phrase = _strip(outer[cut:])
    if _ONLY_FUNCTION.fullmatch(phrase):
        phrase = ""  # only function words: the event is named elsewhere in the sentence
    item_start = start + cut
    before_item = [t for t in events if t.end <= item_start]
    in_phrase = [t for t in events if item_start <= t.start and t.end <= q.start]
    reason = _REASON.search(head[cut:])
    if (reason and (not in_phrase or item_start + reason.start() < in_phrase[0].start)) or (
        _SUBSET.match(phrase)
    ):  # `done to drain a haematoma (n=5)`: the reason for the event named before
        subject = _first_specific(before_item) or (before_item[-1] if before_item else None)
        if subject is not None:
            return subject, phrase
    clause = [t for t in events if start <= t.start and t.end <= q.start]
    if in_phrase:
        if in_phrase[0].canonical in _GENERIC and last in ("was", "were"):
            subject = _subject(ctx, clause, item_start)
            if subject is not None:  # `Pain was the most commonly reported event (2%)`
                return subject, subject.text
        return in_phrase[0], phrase
    if clause and last in ("was", "were"):  # `Heterotopic ossification was seen in 7%`
        subject = _subject(ctx, clause, item_start) or clause[-1]
        if subject.canonical in _GENERIC and phrase and not _PREDICATE.match(phrase):
            return None, phrase  # `The most common adverse events were nausea (12%)`
        return subject, subject.text
    after = [t for t in events if t.start >= q.end]
    before = [t for t in events if t.end <= q.start]
    if not phrase and after:
        return after[0], ""
    if not phrase and before:
        return before[-1], phrase
    return None, phrase  # an event the vocabulary does not name: the words as written


def _strip(text: str) -> str:
    phrase = text.strip(" ,;([)]")
    for _ in range(3):
        phrase = _FUNCTION.sub("", phrase).strip(" ,;([)]")
    return phrase


def _first_specific(terms: list[Term]) -> Term | None:
    specific = [t for t in terms if t.canonical not in _GENERIC]
    return specific[0] if specific else None


def _subject(ctx: SentenceContext, clause: list[Term], verb_end: int) -> Term | None:
    """The head event of the subject before `was/were`: the term named as a `rate`, else
    the first one (`reoperation rates for implant-related adverse events`)."""
    subject = [t for t in clause if t.end <= verb_end]
    if not subject:
        return None
    for t in subject:
        if re.match(r"^\s*(?:rates?|incidence|frequency)\b", ctx.after(t.end, 12)):
            return t
    specific = _first_specific(subject)
    return specific or subject[0]


def named_count_term(
    ctx: SentenceContext, q: Quantity, events: list[Term]
) -> tuple[Term, Quantity | None] | None:
    """The event a bare count names (`two cases of implant loosening`, `3 patients reported
    SI joint pain`), with the `(11.5%)` written after `N patients` if any."""
    for term in events:
        if term.start < q.end or term.start - q.end > 90:
            continue
        m = ctx.vocab.cue_pattern(_NAMED_GAP).match(ctx.span(q.end, term.start))
        if not m:
            continue
        pct = None
        if m.group("pct") or m.group("pct2"):
            inside = [v for v in ctx.values if v.is_percent and q.end < v.start < term.start]
            pct = inside[0] if inside else None
        return term, pct
    return None


def specific_in_paren(ctx: SentenceContext, term: Term, events: list[Term]) -> Term | None:
    """`1 event (SI joint pain because of ...)`: the parenthesis names the generic event."""
    if term.canonical not in _GENERIC:
        return None
    m = re.match(r"^\s*\(\s*", ctx.after(term.end, 5))
    if not m:
        return None
    return next((t for t in events if t.start == term.end + m.end()), None)


def _related_to(ctx: SentenceContext, term: Term) -> str | None:
    """The noun phrase in `<events> were (probably) related to the <NP>`, if any."""
    if term.canonical not in _GENERIC:
        return None
    tail = re.sub(r"\s*\([^()]*(?:\([^()]*\)[^()]*)*\)", "", ctx.after(term.end, 300))
    m = re.match(
        r"^\s*(?:were|was)\s+(?:[a-z]+\s+){0,3}related\s+to\s+(?:the\s+)?"
        r"(?P<np>[\w\-]+(?:\s+(?!and\b|or\b|at\b|in\b)[\w\-]+){0,3})",
        tail,
        re.IGNORECASE,
    )
    return m.group("np") if m else None


def relation_event(ctx: SentenceContext, term: Term) -> Term | None:
    """`Two events (...) were definitely related to the device` → the device-related event
    of the vocabulary (`<word>-related adverse event`), if it names one."""
    np = _related_to(ctx, term)
    for word in reversed(np.split()) if np else []:  # the head noun is the last word
        found = ctx.vocab.complications_in(f"{word}-related adverse event")
        if found and found[0].start == 0 and found[0].canonical not in _GENERIC:
            t = found[0]
            return Term(term.start, term.end, term.text, t.canonical, t.category)
    return None


_NOT_ARM = re.compile(
    r"(?:^|\s)(?:device|implant|procedure|surgery|operation|treatment|intervention|drug|"
    r"medication|anaesthesia|anesthesia|study)s?$",
    re.IGNORECASE,
)


def relation_group(ctx: SentenceContext, term: Term) -> str | None:
    """`11% (5/46) of the events were related to non-surgical management`: the share of
    events attributed to a treatment arm belongs to that arm (not to `the device`)."""
    np = _related_to(ctx, term)
    return np if np and not _NOT_ARM.search(np) else None


_LEAD_ARM = re.compile(
    r"^(?:With|In|For|Among|After)\s+(?:the\s+)?(?P<name>[A-Z][\w\-]*[A-Z][\w\-]*)\s*,"
)


def lead_group(ctx: SentenceContext) -> str | None:
    """`With NSM, 3 patients reported ...`: an arm abbreviation opening the sentence is the
    group of its counts (not an instrument, event or counted unit such as `RCTs`)."""
    m = _LEAD_ARM.match(ctx.sentence.text)
    if not m:
        return None
    name = m.group("name")
    vocab = ctx.vocab
    if vocab.instruments_in(name) or vocab.complications_in(name) or vocab.count_nouns_in(name):
        return None
    return name
