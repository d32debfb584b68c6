"""What every prose matcher needs to know about one sentence, computed once.

A number's meaning depends on its neighbours: the timepoint right after it (`30.4 at
6-month follow-up`), the arm named before it (`In the NSM group, ...`), a cue that makes
it a threshold (`at least 20 mm`, `3 or lower`), a scale end (`on a scale of 0 to 6`), an
age, a dose. `SentenceContext` finds those once per sentence so that the matchers for
sample sizes, scores, complications, proportions and effects agree on them, and so that
a number claimed by one matcher is not reported again by another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.declared_sd import attach_declared_sd, declares_sd
from extractor.detached_ci import attach_detached_ci
from extractor.matchers import arms
from extractor.quantities import Quantity, find_quantities
from extractor.types import Evidence, Sentence
from extractor.vocab import Term, Timepoint, Vocabulary

_STOP = (
    r"(?:in|the|of|for|with|was|were|a|an|to|at|than|from|compared|versus|vs|this|that|"
    r"these|those|our|each|both|all|present|same|whole|entire|study|who|which|and|or|"
    r"patients|is|are|had|has|between|among)"
)
_NAME_WORD = rf"(?!{_STOP}\b)[\w][\w\-]*"
_LEAD = r"(?:in|for|among|within|with|versus|vs\.?|than|and|the|to|of)"
_BREAK = re.compile(r";|\bto\b|\bthan\b|\bversus\b|\bvs\b|\bcompared\b|\bwhereas\b|\bwhile\b")
_MEAN = re.compile(r"\b(mean|median|average)\b", re.IGNORECASE)
_DEFINING_AFTER = r"^\s*{defining_after}"  # `3 indicating severe`; words: cues.tsv
# `points` as a compound adjective is a score's unit (`a 7-point reduction`), not a size
_SCORE_UNITS = ("points", "point", "pts", "pt")
# an anchor's label between a scale's ends: `from 0 (no pain) to 10`
_ANCHOR_NOTE = r"(?:\([^()\d]{1,30}\)\s*)?"
_RESUMED = re.compile(r",\s+(?:was|were|is|are|had|has|occurred)\b", re.IGNORECASE)
_COMPARED = re.compile(
    r"\b(?:than|versus|vs\.?|compared\s+(?:with|to)|whereas|while)\b", re.IGNORECASE
)
_CITATION = re.compile(r"\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]|\bet\s+al\b\.?")


def cites_reference(text: str) -> bool:
    """A sentence citing `[12]`, `[8, 13]` or `Smith et al.` reports someone else's result."""
    return bool(_CITATION.search(text))


@dataclass
class SentenceContext:
    """Quantities, terms and cues of one sentence (all offsets absolute)."""

    sentence: Sentence
    vocab: Vocabulary
    quantities: list[Quantity] = field(default_factory=list)
    timepoints: list[Timepoint] = field(default_factory=list)
    instruments: list[Term] = field(default_factory=list)
    complications: list[Term] = field(default_factory=list)
    claimed: set[tuple[int, int]] = field(default_factory=set)
    arms: list[str] = field(default_factory=list)  # arm names given with `(n = N)`
    carried: list[Term] = field(default_factory=list)  # the paragraph's instruments so far
    ranges: dict[tuple[int, int], tuple] = field(default_factory=dict)  # `(mean 6%)` ends
    carried_arms: list[str] = field(default_factory=list)  # the paragraph's arms so far
    carried_contrast: list[str] = field(default_factory=list)  # and its contrasted names
    document_arms: list[str] = field(default_factory=list)  # earlier paragraphs' arms
    sd_declared: bool = False  # an earlier sentence said `x (y)` is mean (SD)

    def __post_init__(self) -> None:
        s = self.sentence
        found = find_quantities(s.text, s.start, self.vocab.number_words)
        self.timepoints = self.vocab.timepoints_in(s.text, s.start)
        times = [(t.start, t.end) for t in self.timepoints]
        self.quantities = attach_detached_ci(s.text, found, s.start, times)
        self.quantities = attach_declared_sd(s.text, self.quantities, s.start, self.sd_declared)
        self.sd_declared = self.sd_declared or declares_sd(s.text)  # for the next sentence
        self.instruments = self.vocab.instruments_in(s.text, s.start)
        if not self.instruments and self.carried:
            # "The mean change was only 0.05 points ..." continues the previous sentence's
            # instrument; the term is placed at this sentence's start, text not repeated
            last = self.carried[-1]
            self.instruments = [Term(s.start, s.start, "", last.canonical, last.category)]
        elif self.carried:
            self.instruments = self._refine_generic(self.instruments)
        self.complications = self.vocab.complications_in(s.text, s.start)
        self.timepoints = [t for t in self.timepoints if not self._time_is_the_change(t)]
        # numbers inside a timepoint (`6-month`, `at 2 years`) are when, not what; inside an
        # instrument's or event's name (`6-minute walk distance`, `grade 3–5 adverse
        # events`) they are part of the name
        self.values = [
            q
            for q in self.quantities
            if q.kind == "value"
            and not any(t.start <= q.start < t.end for t in self.timepoints)
            and not any(t.start <= q.start < t.end for t in self.instruments)
            and not any(t.start <= q.start < t.end for t in self.complications)
        ]
        self.p_values = [q for q in self.quantities if q.kind == "p"]
        self._groups = self._find_groups()
        self._declared, self._contrasted = arms.declared_arms(self)

    @property
    def declared_arms(self) -> list[str]:
        """The arms the paragraph declared, in order of first mention: earlier sentences',
        this one's (randomisation, `X group`) and those given with `(n = N)`."""
        return arms.merge(self.carried_arms, [*self._declared, *self.arms])

    @property
    def contrasted_arms(self) -> list[str]:
        """Names the paragraph only contrasted (`with A (4.2%) than with B (1.8%)`)."""
        return arms.merge(self.carried_contrast, self._contrasted)

    @property
    def known_arms(self) -> list[str]:
        """The arms values are paired with in order: the declared ones, else (a paragraph
        that never declared its arms) the contrasted ones."""
        return self.declared_arms or self.contrasted_arms

    @property
    def respective_arms(self) -> list[str]:
        """The arms a bare `respectively` pairs with: the paragraph's, else those an
        earlier paragraph declared (`Methods: randomly assigned to A or B`)."""
        return self.known_arms or self.document_arms

    def _refine_generic(self, terms: list[Term]) -> list[Term]:
        """`mean SI joint pain improved ...` after a sentence measuring pain on a VAS: VAS pain.

        When every instrument of this sentence is one generic outcome (`pain`) and an
        earlier sentence of the paragraph named a specific form of it (an instrument whose
        canonical name ends with the generic one: `VAS pain`, `NRS back pain`, `KOOS
        pain`), the paragraph is still talking about that instrument (the latest such).
        Written words and span are kept.
        """
        generic = {t.canonical for t in terms}
        if len(generic) != 1:
            return terms
        (name,) = generic
        specific = [
            c for c in self.carried if c.canonical != name and c.canonical.endswith(" " + name)
        ]
        if not specific:
            return terms
        chosen = specific[-1].canonical
        return [Term(t.start, t.end, t.text, chosen, t.category) for t in terms]

    # -- text helpers --------------------------------------------------------------------

    def span(self, start: int, end: int) -> str:
        base = self.sentence.start
        return self.sentence.text[max(0, start - base) : max(0, end - base)]

    def before(self, pos: int, chars: int = 60) -> str:
        return self.span(max(self.sentence.start, pos - chars), pos)

    def after(self, pos: int, chars: int = 60) -> str:
        return self.span(pos, min(self.sentence.end, pos + chars))

    def next_value(self, q: Quantity) -> Quantity | None:
        later = [v for v in self.values if v.start >= q.end]
        return later[0] if later else None

    def prev_value(self, q: Quantity) -> Quantity | None:
        earlier = [v for v in self.values if v.end <= q.start]
        return earlier[-1] if earlier else None

    def right_window(self, q: Quantity) -> tuple[int, int]:
        """From the end of `q` to the next value or a clause break (`;`, `to`, `than`)."""
        nxt = self.next_value(q)
        end = nxt.start if nxt else self.sentence.end
        text = self.span(q.end, end)
        brk = _BREAK.search(text)
        return q.end, q.end + (brk.start() if brk else len(text))

    def left_window(self, q: Quantity) -> tuple[int, int]:
        prev = self.prev_value(q)
        return (prev.end if prev else self.sentence.start), q.start

    # -- meaning of a number -------------------------------------------------------------

    def is_blocked(self, q: Quantity) -> bool:
        """Numbers that are never results: thresholds, scale ends, ages, doses, years."""
        if q.kind != "value" or q.year_like or q.compound and q.unit not in _SCORE_UNITS:
            return True
        if any(t.start <= q.start < t.end for t in self.timepoints):
            return True
        if any(t.start <= q.start < t.end for t in self.instruments):
            return True
        if q.relation in ("<", ">", "<=", ">=") and q.count is None and q.ci_low is None:
            return True
        tail = self.after(q.end, 20)
        if self.vocab.cues_in(tail, "threshold_after") and re.match(r"^\s*or\b", tail):
            return True
        if self.vocab.cue_pattern(_DEFINING_AFTER).match(tail):
            return True
        head = self.before(q.start, 25)
        for term in self.vocab.cues_in(head, "threshold_before"):
            if not head[term.end :].strip(" ()a") and q.count is None:
                return True
        if (
            re.search(r"\b(?:scale|score[sd]?)\s+(?:of|from)\s+$|\bfrom\s+$", head)
            and re.match(rf"^\s*{_ANCHOR_NOTE}(?:to|-|–)\s*\d", self.after(q.end, 40))
            and self.vocab.cues_in(head, "scale")
        ):
            return True
        if self._after_scale_start(q) or self._category_set(q):
            return True
        age = self.vocab.cues_in(self.before(q.start, 18), "age")
        if age and not re.search(r"[,;()]", self.before(q.start, 18)[age[-1].end :]):
            return True
        if self.vocab.cues_in(self.before(q.start, 15) + " " + self.after(q.end, 3), "dose"):
            return True
        own = {self.vocab.unit_of(t.canonical) for t in self.instruments}  # `mL/kg/min`
        if q.unit and q.unit not in own and self.vocab.cues_in(q.unit, "dose"):
            return True
        clause = self.clause_before(q.start)
        cues = self.vocab.cues_in(clause, "definition")
        # `Success, defined as a 25% reduction in pain, was achieved by 35 patients`: the
        # main clause resumes after the bracketing commas, its numbers are results
        return bool(cues) and not _RESUMED.search(clause[cues[-1].end :])

    def _time_is_the_change(self, tp: Timepoint) -> bool:
        """`prolonged median PFS by 3.5 months`, `shortened the stay by 2 days`: after a
        change word, `by <time>` of an instrument measured in time is the change itself."""
        if not re.match(r"(?i)by\s", self.span(tp.start, tp.end)):
            return False
        units = [self.vocab.unit_of(t.canonical) for t in self.instruments if t.end <= tp.start]
        if not any(u and re.fullmatch(r"(?:days?|weeks?|months?|years?|hours?)", u) for u in units):
            return False
        clause = self.clause_before(tp.start)
        return bool(
            self.vocab.cues_in(clause, "change") or self.vocab.cues_in(clause, "difference")
        )

    def _category_set(self, q: Quantity) -> bool:
        """`an ECOG performance status of 0 or 1`, `a Kellgren-Lawrence grade of 3 to 4`: a
        set of categories of an instrument is a criterion, never a result (a result is one
        value)."""
        pair = r"\s*(?:or|to|-|–)\s*"
        nxt, prev = self.next_value(q), self.prev_value(q)
        if nxt is not None and re.fullmatch(pair, self.span(q.end, nxt.start)):
            first, second = q, nxt
        elif prev is not None and re.fullmatch(pair, self.span(prev.end, q.start)):
            first, second = prev, q
        else:
            return False
        if any(
            v.value is None or v.value != int(v.value) or v.value > 10 or v.unit or v.is_percent
            for v in (first, second)
        ):
            return False
        head = self.span(self.sentence.start, first.start)
        return any(
            re.fullmatch(
                r"\s*(?:(?:status|class|grade|stage|score)\s+)?of\s+",
                head[t.end - self.sentence.start :],
            )
            for t in self.instruments
            if t.end > self.sentence.start
        )

    def _after_scale_start(self, q: Quantity) -> bool:
        """`a scale of 1 to 10`: both ends are scale bounds, not results."""
        prev = self.prev_value(q)
        if prev is None:
            return False
        gap = self.span(prev.end, q.start)
        if not re.fullmatch(rf"\s*{_ANCHOR_NOTE}(?:to|-|–)\s*", gap):
            return False
        return bool(self.vocab.cues_in(self.before(prev.start, 25), "scale"))

    def clause_before(self, pos: int) -> str:
        """Text from the last clause boundary (`;`, sentence start) up to `pos`."""
        text = self.span(self.sentence.start, pos)
        cut = max(text.rfind(";"), text.rfind(". "))
        return text[cut + 1 :]

    def statistic(self, q: Quantity) -> str | None:
        found = _MEAN.findall(self.clause_before(q.start))
        if found:
            word = found[-1].lower()
            return "mean" if word == "average" else word
        return "mean" if q.sd is not None else None

    # -- timepoints and groups -----------------------------------------------------------

    def timepoint_right(self, q: Quantity) -> Timepoint | None:
        start, end = self.right_window(q)
        for tp in self.timepoints:
            if start <= tp.start < end:
                return tp
        return None

    def timepoint_left(self, q: Quantity, taken: set[int]) -> Timepoint | None:
        start, end = self.left_window(q)
        inside = [t for t in self.timepoints if start <= t.start and t.end <= end]
        inside = [t for t in inside if t.start not in taken and ";" not in self.span(t.end, end)]
        return inside[-1] if inside else None

    def _find_groups(self) -> list[tuple[int, int, list[str]]]:
        nouns = (
            "|".join(
                re.escape(t.canonical) for t in self.vocab.cues_in("group arm cohort", "group_noun")
            )
            or "group"
        )
        pattern = re.compile(
            rf"\b{_LEAD}\s+(?:the\s+)?(?P<name>{_NAME_WORD}(?:(?:,\s*|\s+and\s+|\s+){_NAME_WORD})"
            rf"{{0,6}}?)\s+(?P<noun>{nouns})(?P<plural>s)?\b",
            re.IGNORECASE,
        )
        found = []
        for m in pattern.finditer(self.sentence.text):
            name = m.group("name")
            names = re.split(r",\s*(?:and\s+)?|\s+and\s+", name) if m.group("plural") else [name]
            base = self.sentence.start
            found.append((base + m.start("name"), base + m.end(), [n.strip() for n in names]))
        found += arms.other_group_forms(self, nouns)
        found.sort()
        return found

    def _attached_end(self, q: Quantity) -> int:
        """The end of `q` with the brackets right after it (`179 of 364 (49.2%)`), which
        belong to it and hold no arm."""
        m = re.match(
            r"(?:\s+(?P<noun>[A-Za-z][\w\-]*))?(?:\s*[(\[][^()\[\]]*[)\]])+", self.after(q.end, 120)
        )
        if m and m.group("noun") and not self.vocab.count_nouns_in(m.group("noun")):
            return q.end  # `142 of 489 patients (29.0%)`: only a counted noun may stand between
        return q.end + m.end() if m else q.end

    def group_right(self, q: Quantity) -> tuple[int, int, list[str]] | None:
        start, end = self.right_window(q)
        attached = self._attached_end(q)
        if attached > start:  # the window ran to a value inside those brackets
            later = [v for v in self.values if v.start >= attached]
            text = self.span(attached, later[0].start if later else self.sentence.end)
            brk = _BREAK.search(text)
            start, end = attached, attached + (brk.start() if brk else len(text))
        for g in self._groups:
            lead = self.span(start, g[0])
            if start <= g[0] < end and re.fullmatch(
                r"[\s,)\]]*(?:(?:points?|%|days?|months?|patients|participants)\s+)?"
                r"(?:(?:at|after)\s+[\w\-]+\s+[\w\-]+\s+)?"
                r"(?:of\s+(?:the\s+|those\s+)?(?:patients|participants|those)\s+)?"
                r"(?:in|for|among|with|of)\s+(?:the\s+)?",
                lead,
            ):
                return g
        return None

    def group_left(self, q: Quantity) -> tuple[int, int, list[str]] | None:
        earlier = [g for g in self._groups if g[1] <= q.start]
        return earlier[-1] if earlier else None

    def group_at(self, pos: int) -> tuple[int, int, list[str]] | None:
        """The arm whose name starts at `pos` (`in the |ketamine group`), if any."""
        return next((g for g in self._groups if g[0] == pos), None)

    def group_for(self, q: Quantity) -> str | None:
        paired = arms.bracket_pair_arm(self, q.start)
        if paired:
            return paired
        right = self.group_right(q)
        if right is None:
            # `6.9 points with A`, `29 (5.8%) receiving B`, `with A (4.2%)`: a known arm
            named = arms.arm_after(self, q.end) or arms.arm_before_bracket(self, q.start)
            named = named or arms.arm_label_before(self, q.start)
            if named:
                return named
        g = right or self.group_left(q)
        if g is None:
            return arms.arm_opening(self, q.start)
        name = g[2][0] if g and len(g[2]) == 1 else None
        prev = self.prev_value(q)
        if (
            name
            and not right
            and prev
            and re.fullmatch(
                r"[\s\])]*(?:versus|vs\.?|compared with)\s*", self.span(prev.end, q.start)
            )
        ):
            # `in the X group (81% versus 26%)`: the second value is the other arm's
            others = [
                a
                for a in self.arms
                if a.lower() not in name.lower() and name.lower() not in a.lower()
            ]
            return others[0] if len(others) == 1 else None
        if name and not right and re.search(_COMPARED, self.span(g[1], q.start)):
            # `2.9 in the intervention arm compared with 4.6 in controls`: a value after the
            # comparison is the other arm's, if the paragraph has exactly one other
            others = [a for a in self.known_arms if not arms.same_arm(a, name)]
            return others[0] if len(others) == 1 else None
        return name

    # -- p-values ------------------------------------------------------------------------

    def p_after(self, q: Quantity, within: int = 40) -> Quantity | None:
        """The p-value closing `q`: after it, before the next value, in the same clause."""
        nxt = self.next_value(q)
        limit = min(q.end + within, nxt.start if nxt else self.sentence.end)
        for p in self.p_values:
            gap = self.span(q.end, p.start)
            if q.end <= p.start < limit and (";" not in gap or re.fullmatch(r"\s*;\s*", gap)):
                return p
        return None

    # -- rows ----------------------------------------------------------------------------

    def evidence(self, kind: str, q: Quantity, rule: str, **attrs) -> Evidence:
        """A row for quantity `q` with its attachments copied; `attrs` override."""
        row = Evidence(
            kind=kind,
            value=q.value,
            char_start=q.start,
            char_end=q.end,
            rule=rule,
            quote=self.sentence.text,
            quote_start=self.sentence.start,
            quote_end=self.sentence.end,
            sd=q.sd,
            ci_low=q.ci_low,
            ci_high=q.ci_high,
            ci_level=q.ci_level,
            range_low=q.range_low,
            range_high=q.range_high,
            count=q.count,
            denominator=q.denominator,
            percent=q.percent,
            p_value=q.p_value,
            p_relation=q.p_relation,
            unit=q.unit if q.unit != "%" or not q.is_percent else "%",
        )
        if q.is_percent:
            row.unit = "%"
        for key, value in attrs.items():
            setattr(row, key, value)
        self.claimed.add((q.start, q.end))
        return row

    def is_claimed(self, q: Quantity) -> bool:
        return (q.start, q.end) in self.claimed
