"""The arms of a study: declared once, mentioned often, linked to the values they own.

A paper names its arms where it assigns patients to them (`randomly assigned to
pramipexole (n = 107) or placebo (n = 105)`, `the White Grape Juice (WGJ) group`) and
then refers to them by those names or abbreviations. So arms are gathered for the whole
document first, from the `arm` rules of `patterns/rules/arms.yml`: a strong rule
(priority >= DECLARES) declares an arm; a weak one (a name after `receiving`, a name
before a colon) only counts where it names an arm the document declared. Every mention of
a known name or abbreviation is then found, and a value takes the arm mentioned right
after it (`22 in the control group`) or, failing that, the one before it in its clause
(`in the SI joint fusion group, pain fell from ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from extractor.link.view import SentenceView
from extractor.memo import BoundedCache
from extractor.rules.match import RuleMatch
from extractor.term_index import _read_tsv

ROLE_FILE = "arm_roles.tsv"  # words that make an arm the comparator (`placebo`, `sham`)

DECLARES = 50  # an arm rule of at least this priority declares an arm
PRIMARY = 55  # arms declared this strongly are the study's arms, paired with bare lists
AFTER_WINDOW = 7  # tokens after a value where its arm may be named
BEFORE_WINDOW = 60  # tokens before a value where the arm of its clause is looked for
# punctuation never glued to a name (`nonblack:` is the name `nonblack`); hyphens,
# slashes and plus signs are (`T-DM1`, `AC/T`)
_NOT_IN_NAMES = frozenset({"(", ")", "[", "]", ",", ";", ".", ":", "?", "!"})
BRACKETED_WORDS = 5  # words before `(ABBR)` that may be what it abbreviates
SPELT_LOOSELY = 4  # letters of a short form from which its last need not be spelt out
_SHORT_IN_BRACKETS = re.compile(r"[(\[]\s*([^()\[\]\s;,=]{1,12})\s*[)\]]")
# one item of a footnote's list of short forms: `EP group, the externship program;`
_GLOSSARY_ITEM = re.compile(
    r"(?:^|[;\n]\s*)(?P<short>[A-Z][A-Za-z0-9-]{1,9})(?:\s+(?:[Gg]roups?|[Aa]rms?))?,\s+"
    r"(?P<long>[A-Za-z][A-Za-z -]{2,60}?)\s*(?=;|\.\s|\.$|\n)"
)
_PARTS_OF_A_NAME = re.compile(r"[\s+/]+")  # `T + P+pac`: the treatments a name joins
_OPENING = "(["
_ENDS_A_NAME = frozenset(",;:.()[]")
_NAME_CHARS = str.maketrans({"-": " ", "‐": " ", "–": " ", "/": " / "})


@dataclass
class Arm:
    name: str  # as first declared
    key: str
    aliases: set[str] = field(default_factory=set)
    n: int | None = None
    order: int = 0
    strength: int = 0  # the highest priority of a rule that declared it
    primary_order: int | None = None  # place among the arms declared at PRIMARY strength


@dataclass(frozen=True)
class Mention:
    start: int  # Doc token indices
    end: int
    arm: Arm


_ARM_KEYS: dict[frozenset[str], BoundedCache[str, str]] = {}  # group nouns -> name -> key
ARM_KEYS_KEPT = 65_536  # names kept per set of group nouns before the memo starts afresh


def arm_key(text: str, group_nouns: frozenset[str]) -> str:
    """A name reduced to what identifies it: lower case, no determiner or `group`.
    Memoised: `mentions` asks it of every word of every sentence (92k calls on 188
    abstracts, over few distinct words). The memo is a dict of strings, which Python's
    garbage collector does not track; an lru_cache keyed by (name, frozenset) kept each
    entry tracked, ~13k after a first pass on the abstracts, enough to set off a full
    collection of the whole heap (~0.1-0.15 s)."""
    keys = _ARM_KEYS.get(group_nouns)
    if keys is None:
        keys = _ARM_KEYS[group_nouns] = BoundedCache(
            partial(_arm_key, group_nouns=group_nouns), ARM_KEYS_KEPT
        )
    return keys[text]


_FIRST_WORDS: dict[frozenset[str], BoundedCache[str, str]] = {}  # group nouns -> word -> first


def first_key_words(group_nouns: frozenset[str]) -> BoundedCache[str, str]:
    """Token text -> the first word of its `arm_key` ('' when none). `mentions` asks it of
    every token of every sentence, so the memo is handed out whole and read with one
    subscript per token, rather than a call and a split each."""
    words = _FIRST_WORDS.get(group_nouns)
    if words is None:
        words = _FIRST_WORDS[group_nouns] = BoundedCache(
            lambda word: next(iter(arm_key(word, group_nouns).split()), ""), ARM_KEYS_KEPT
        )
    return words


def _arm_key(text: str, group_nouns: frozenset[str]) -> str:
    words = text.translate(_NAME_CHARS).lower().split()
    if words and len(words[-1]) > 1 and words[-1].endswith("."):
        words[-1] = words[-1][:-1]  # `group B.` at the end of a sentence
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    while words and words[-1] in group_nouns:
        words = words[:-1]
    return " ".join(words)


class ArmLexicon:
    """The document's arms, in order of declaration."""

    def __init__(
        self,
        group_nouns: frozenset[str],
        abbreviations: dict[str, str] | None = None,
        generic_names: frozenset[str] = frozenset(),
        function_words: frozenset[str] = frozenset(),
    ) -> None:
        self.group_nouns = group_nouns
        self.generic_names = generic_names
        self.name_stop: frozenset[str] = frozenset()
        self.intervention_roles: frozenset[str] = frozenset()
        self.study_intervention: str | None = None
        self.function_words = function_words
        # words that make an arm the comparator (patterns/arm_roles.tsv), as word tuples
        self.comparator_words: frozenset[tuple[str, ...]] = frozenset()
        # how many sentences mention each arm (by key), once the document is read
        self.sentences_of: dict[str, int] = {}
        # verbs that enrol patients (`were randomized`, `were recruited`): a size whose
        # named group is the subject of one is the whole population
        self.enrol_verbs: frozenset[str] = frozenset()
        # verbs that put patients into the arms: a name whose size is followed by one
        # (`Survivors (n = 40) were randomized`) is the whole population
        self.assign_verbs: frozenset[str] = frozenset()
        # words that join the treatments of a combined arm (`A plus B`, `A/B`)
        self.name_joiners: frozenset[str] = frozenset()
        # the arms each declaration listing two or more names together declared
        # (`randomly assigned to A or B`, a title's `A versus B`), with its priority
        self.listings: list[tuple[int, list[Arm]]] = []
        self._roles_read = False  # a role name became an arm's alias (see `role_arm`)
        self.arms: dict[str, Arm] = {}
        self._alias: dict[str, Arm] = {}
        # the document's abbreviations, both ways, by key: `NSM` <-> `non-surgical management`
        self._long_of: dict[str, str] = {}
        self._short_of: dict[str, str] = {}
        for short, long in (abbreviations or {}).items():
            self._long_of[arm_key(short, group_nouns)] = long
            self._short_of[arm_key(long, group_nouns)] = short
        # `adjuvant trastuzumab emtansine (T-DM1)`: a short form in brackets after words
        # it does not spell out letter by letter, by key both ways (see `read_brackets`)
        self._bracketed_short: dict[str, str] = {}
        self._bracketed_long: dict[str, list[str]] = {}
        # the words a bracketed short form follows, as written (`Ganglioside-monosialic
        # acid` for `GM1`): an arm declared by its short form is shown with them
        self._bracketed_text: dict[str, str] = {}

    def read_brackets(self, text: str) -> None:
        """Record every short form written in brackets after a name (`trastuzumab emtansine
        (T-DM1)`, `pectoral nerve (PECS) block`), with the words before it (up to
        BRACKETED_WORDS, back to a word that is never part of a name), where the
        document's abbreviations do not spell it out. Unlike the
        document's abbreviations, whose letters spell the words, these only ever join two
        names of an arm the document declares (see `declare`).
        A spelt-out form that starts with a word never part of a name (`and
        cyclophosphamide` for `AC` after `doxorubicin and cyclophosphamide (AC)`, spelt
        from Adriamycin) is no spelling: the short form is read from its brackets instead."""
        self._drop_unnamed_long_forms()
        self._read_glossary(text)
        for m in _SHORT_IN_BRACKETS.finditer(text):
            short = m.group(1)
            if not _looks_short(short):
                continue
            tail: list[str] = []
            for word in reversed(text[max(0, m.start() - 160) : m.start()].split()):
                opens = word[0] in _OPENING  # `(light touch [LT])`: the bracket's first word
                word = word.lstrip(_OPENING) if opens else word
                treatments = sum(w.lower() not in self.name_joiners for w in tail)
                if tail and word.lower() in self.name_joiners and _letters(short) > treatments:
                    tail.insert(0, word)  # `doxorubicin and ifosfamide (AI)`: a letter for
                    continue  # each treatment the joiner joins
                if word.lower() in self.name_stop or any(c in _ENDS_A_NAME for c in word):
                    if tail and tail[0].lower() in self.name_joiners:
                        del tail[0]  # `placebo and (AI)`: no treatment before the joiner
                    break
                if any(c.isdigit() for c in word) and not any(c.isdigit() for c in short):
                    break  # a dose (`docetaxel 75 mg/m2 (ddAT)`) ends what the name is
                tail.insert(0, word)
                if opens or len(tail) == BRACKETED_WORDS:
                    break
                if (
                    tail[1:]
                    and tail[1].lower() in self.name_joiners
                    and _letters(short) == sum(w.lower() not in self.name_joiners for w in tail)
                ):
                    break  # a treatment for each letter: the name is whole
            tail = self._whole_treatments(short, tail)
            short_key = arm_key(short, self.group_nouns)
            if short_key in self._long_of:
                continue  # spelt out (`lapatinib with vinorelbine (LV)`, not `vinorelbine`)
            key = arm_key(" ".join(tail), self.group_nouns)
            if key and key != short_key:
                self._bracketed_short.setdefault(key, short)
                self._bracketed_long.setdefault(short_key, []).append(key)
                spelt = _spelling_tail(short, tail)
                if spelt and spelt.split()[0].lower() in self.name_stop | self.name_joiners:
                    spelt = None  # `and cyclophosphamide` of `doxorubicin and ...`
                if spelt is None and any(w.lower() in self.name_joiners for w in tail):
                    spelt = " ".join(tail)  # a letter for each treatment joined
                if spelt:
                    self._bracketed_text.setdefault(short_key, spelt)

    def _read_glossary(self, text: str) -> None:
        """`EP group, the externship program; CACP group, the corporate-academic
        cooperation program`: a table's footnote defines its short forms as a list of
        `short, long` items. A long form whose words spell the short form's letters (see
        `_spelling_tail`) is the short form's, where the document defines it no other way."""
        for m in _GLOSSARY_ITEM.finditer(text):
            short, long = m.group("short"), m.group("long").strip()
            words = long.split()
            while words and words[0].lower() in self.name_stop:
                words = words[1:]  # `the externship program`
            short_key = arm_key(short, self.group_nouns)
            if not words or short_key in self._long_of or sum(c.isupper() for c in short) < 2:
                continue  # `Results, the ...` is a word, not a short form
            if _spelling_tail(short, words) != " ".join(words):
                continue  # `BMI, kg/m2`: no spelling of the short form
            self._long_of[short_key] = " ".join(words)
            self._short_of.setdefault(arm_key(" ".join(words), self.group_nouns), short)

    def _whole_treatments(self, short: str, tail: list[str]) -> list[str]:
        """The words a short form follows, back over joiners only where it then has a
        letter for each treatment (`doxorubicin and ifosfamide (AI)`); else from the last
        joiner on (`along with tamoxifen (ACT)` is `tamoxifen`)."""
        joints = [i for i, w in enumerate(tail) if w.lower() in self.name_joiners]
        if not joints:
            return tail
        treatments = len(tail) - len(joints)
        if _letters(short) == treatments and tail[0].lower() not in self.name_joiners:
            return tail
        return tail[joints[-1] + 1 :]

    def _drop_unnamed_long_forms(self) -> None:
        for short_key, long in list(self._long_of.items()):
            words = long.split()
            if not words or words[0].lower() in self.name_stop:
                del self._long_of[short_key]
                self._short_of.pop(arm_key(long, self.group_nouns), None)

    def _bracketed_arm(self, key: str) -> Arm | None:
        """The declared arm a name is the bracketed short form of, or that is the
        bracketed short form of it (`vinorelbine/capecitabine (NX)` for the arm
        `vinorelbine plus capecitabine`: the same words but the joiners)."""
        for long in self._bracketed_long.get(key, ()):
            arm = self.arms.get(long) or self._alias.get(long) or self._same_words(long)
            if arm is not None:
                return arm
        short = self._bracketed_short.get(key)
        if short is not None:
            short_key = arm_key(short, self.group_nouns)
            return self.arms.get(short_key) or self._alias.get(short_key)
        return None

    def _with_long_form(self, key: str, name: str) -> str:
        """An arm declared by a short form the document writes in brackets after other
        words (`Ganglioside-monosialic acid (GM1)`, `light touch [LT]`) is shown with
        them, as the document introduces it: `GM1` alone tells a reader nothing."""
        written = _display(name, self.group_nouns)
        long = self._bracketed_text.get(key)
        if long and _looks_short(written) and " " not in written:
            return f"{long} ({written})"
        return written

    def _covering_arm(self, key: str) -> Arm | None:
        """The one arm declared by the randomisation (or the arms' sizes) whose name holds
        every word of `key` and more (`in the radiotherapy group` after `randomly assigned
        to breast radiotherapy +/- boost or not`); None when no arm, or several, do
        (`pamidronate` of `oral pamidronate` and `no adjuvant pamidronate`)."""
        words = self._content(key)
        if not words:
            return None
        covering = [
            arm
            for arm in self.arms.values()
            if arm.strength >= PRIMARY and words < self._content(arm.key)
        ]
        return covering[0] if len(covering) == 1 else None

    def _same_words(self, key: str) -> Arm | None:
        """The declared arm whose name has the same words as `key`, joiners aside."""
        words = set(key.split()) - self.name_joiners
        if len(words) < 2:
            return None
        for arm in self.arms.values():
            if set(arm.key.split()) - self.name_joiners == words:
                return arm
        return None

    def __len__(self) -> int:
        return len(self.arms)

    def ordered(self) -> list[Arm]:
        """The arms values are paired with in order: those the strongest declaration
        listing several arms together names (`randomly assigned to A or B`, else a title's
        `A versus B`), in its order; else those declared by the strongest declarations
        (randomisation, sizes), when there are two or more; else all."""
        if self.listings:
            best = max(self.listings, key=lambda listing: listing[0])[1]
            if len(best) >= 2:
                return best
        arms = sorted(
            (a for a in self.arms.values() if a.strength >= DECLARES),  # not parallel names
            key=lambda a: a.order,
        )
        strong = [a for a in arms if a.strength >= PRIMARY]
        # in the order the randomisation lists them (a title may name them the other way)
        strong.sort(key=lambda a: a.primary_order if a.primary_order is not None else a.order)
        if len(strong) >= 2:
            return strong
        # a name declared once and never mentioned again (a study group's name, `the
        # Clinical Trials Group`) is no arm the results are reported for
        recurring = [a for a in arms if self.sentences_of.get(a.key, 0) >= 2]
        return recurring if len(recurring) >= 2 else arms

    def is_comparator(self, name: str) -> bool:
        """Whether a name holds a comparator word of `arm_roles.tsv` (`placebo`,
        `control`, `usual care`), as whole words."""
        words = tuple(arm_key(name, frozenset()).split())
        return any(
            words[i : i + len(entry)] == entry
            for entry in self.comparator_words
            for i in range(len(words) - len(entry) + 1)
        )

    def resolve_roles(self) -> bool:
        """`randomised to oral A or no A ... 35 in the control group and 31 in the A
        group`: in a study of two arms named by what they receive, an arm named by its
        role (`control`, `intervention`, `treatment`) is one of them, the comparator (the
        arm with a comparator word, else the one listed last) or the other. The role name
        becomes an alias of that arm, which is shown with both names (`no A (control)`):
        the abstract's reader needs the treatment, and the role is how the text says it.
        A role arm the text says received something (`the control group received routine
        care`) keeps that description. True when a role name was resolved, here or while
        the mentions were read (see `role_arm`)."""
        study = self._study_arms()
        if len(study) != 2:
            return self._roles_read
        marked = [a for a in study if self.is_comparator(a.name)]
        if len(marked) == 2:
            return self._roles_read
        resolved = self._roles_read
        comparator = marked[0] if marked else study[-1]
        intervention = study[0] if comparator is study[1] else study[1]
        for arm in list(self.arms.values()):
            if arm in study or arm.key not in self.generic_names:
                continue
            if len(arm.key.split()) > 1 and self.is_comparator(arm.key):
                continue  # `usual care` says what the arm received
            if "(" in arm.name and not self._named_by_title(arm):
                continue  # `SLN biopsy (test arm, n = 774)`: its own treatment names it
            if self.is_comparator(arm.key):
                target = comparator
            elif arm.key in self.intervention_roles:
                target = intervention
            else:
                continue
            del self.arms[arm.key]
            for key, known in list(self._alias.items()):
                if known is arm:  # what the role arm was said to receive names the target
                    self._alias[key] = target
            self._alias[arm.key] = target
            target.aliases |= arm.aliases | {arm.name}
            target.strength = max(target.strength, arm.strength)
            if target.n is None:
                target.n = arm.n
            target.name = _noted(target.name, _display(arm.key, frozenset()))
            resolved = True
        return resolved

    def outside_study(self, arm: Arm) -> bool:
        """Whether an arm named only weakly and once (`patients undergoing breast surgery`)
        stands beside two or more arms the randomisation (or the arms' sizes) declares and
        is none of them: what it names is what every patient had, not a group."""
        if arm.strength >= PRIMARY or self.sentences_of.get(arm.key, 0) > 1:
            return False  # a group the text comes back to is one results are given for
        strong = [a for a in self.arms.values() if a.strength >= PRIMARY]
        return len(strong) >= 2 and arm not in self.ordered()

    def _study_arms(self) -> list[Arm]:
        """The arms named by what they receive among those values pair with
        (`ordered`); where a listing pairs one of them with a role (`21 treatment group
        and 20 control group`), the one other arm declared as strongly by its treatment
        (`Twenty-three underwent the LYMPHA technique`) completes the pair."""
        study = [a for a in self.ordered() if self._names_treatment(a)]
        if len(study) == 1:
            others = [
                a
                for a in self.arms.values()
                if a.strength >= PRIMARY and a not in study and self._names_treatment(a)
            ]
            if len(others) == 1:
                study = sorted(study + others, key=lambda a: a.order)
        return study

    def role_arm(self, name: str) -> Arm | None:
        """`90.6% controls`, `in the intervention patients`: a role name the document
        never declared as an arm is, in a study of two arms named by what they receive,
        the comparator (the arm with a comparator word, else the one listed last) or the
        other, as `resolve_roles` reads a declared one; None otherwise."""
        key = arm_key(name, self.group_nouns)
        singular = key[:-1] if key.endswith("s") else key
        declared = self.arms.get(singular) or self._alias.get(singular)
        if declared is not None:
            return declared  # `controls` of the declared `control arm`
        role = next((k for k in (key, singular) if k in self.generic_names), None)
        if role is None or len(role.split()) > 1:
            return None
        study = self._study_arms()
        strong = [a for a in self.arms.values() if a.strength >= PRIMARY]
        if len(study) != 2 or any(a not in study and self._names_treatment(a) for a in strong):
            return None  # a third arm declared as strongly: which is `control` is unsaid
        marked = [a for a in study if self.is_comparator(a.name)]
        if len(marked) == 2:
            return None
        comparator = marked[0] if marked else study[-1]
        if self.is_comparator(role):
            target = comparator
        elif role in self.intervention_roles:
            target = study[0] if comparator is study[1] else study[1]
        else:
            return None
        self._alias[key] = target  # the later mentions find it as a name
        if not (target is comparator and marked):  # `usual care` says it already
            target.name = _noted(target.name, _display(role, frozenset()))
        self._roles_read = True
        return target

    def _named_by_title(self, arm: Arm) -> bool:
        """Whether a role arm is shown with the treatment the title names (see
        `_name_role`), not with one the text says it received."""
        return bool(self.study_intervention) and arm.name.startswith(f"{self.study_intervention} (")

    def _names_treatment(self, arm: Arm) -> bool:
        """Whether an arm's name says what it received: not a role or a number alone
        (`control`, `group 2`), though a comparator of several words (`usual care`) or a
        role shown with its treatment (`music therapy (experimental)`) does."""
        return (
            arm.key not in self.generic_names
            or "(" in arm.name
            or (len(arm.key.split()) > 1 and self.is_comparator(arm.key))
        )

    def lookup(self, text: str) -> Arm | None:
        key = arm_key(text, self.group_nouns)
        return self.arms.get(key) or self._alias.get(key)

    def name_for(self, text: str) -> str:
        """The document's name for an arm written as `text` elsewhere (a table's column
        header `Intervention`, `EP group`): the declared arm's, else the long form of an
        abbreviation, else `text` as written."""
        arm = self.lookup(text)
        if arm is not None:
            return arm.name
        key = arm_key(text, self.group_nouns)
        long = self._long_of.get(key)
        if long:
            return long
        if self.study_intervention and key in self.intervention_roles:
            return f"{self.study_intervention} ({text})"
        return text

    def closest(self, text: str) -> Arm | None:
        """The declared arm sharing the most words with a name written differently
        (`the group given tamoxifen alone` -> `tamoxifen alone`), when one arm shares more
        than any other, or as many but more of its own name."""
        words = self._content(text)
        if not words:
            return None

        def score(arm: Arm) -> tuple[int, float]:
            # shared words, then the share of the arm's own words written (`anterior
            # surgery` is the arm `anterior` rather than `posterior surgery`)
            own = self._content(arm.key)
            shared = len(words & own)
            return shared, shared / len(own) if own else 0.0

        scored = sorted(
            ((score(a), a) for a in self.arms.values()),
            key=lambda pair: (-pair[0][0], -pair[0][1]),
        )
        if not scored or scored[0][0][0] == 0:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return scored[0][1]

    def _head_words(self) -> dict[str, Arm]:
        """`the Film`, `cream-treated skin`: the last word of an arm's name of two or more
        words (`Mepitel Film`, `aqueous cream`), declared by the randomisation or the arms'
        sizes, mentions the arm on its own, where no other arm's name has it and it is no
        function word, group noun or role."""
        counts: dict[str, int] = {}
        for arm in self.arms.values():
            for word in set(self._content(arm.key)):
                counts[word] = counts.get(word, 0) + 1
        heads: dict[str, Arm] = {}
        for arm in self.arms.values():
            words = arm.key.split()
            if len(words) < 2 or arm.key in self.generic_names or arm.strength < PRIMARY:
                continue  # only the study's arms, as the randomisation names them
            last = words[-1]
            if counts.get(last) == 1 and last not in self.generic_names and len(last) > 3:
                if not self.is_comparator(last):
                    heads[last] = arm
        return heads

    def _no_modifier(self, token) -> bool:
        """Whether a token before a name's last word leaves it unmodified (`the`, `in`,
        a bracket), so the word alone names the arm."""
        return token.lower_ in self.function_words or not token.is_alpha

    def _content(self, text: str) -> set[str]:
        return {
            w
            for w in arm_key(text, self.group_nouns).split()
            if w not in self.function_words and w not in self.group_nouns
        }

    def declare(self, view: SentenceView, m: RuleMatch) -> None:
        """Add the arms a strong arm rule names (with their n and abbreviations)."""
        if sizes_all_arms(view, m):
            return  # `130 were assigned to A (n = 65) or B`: the listing declares A
        if enrolled_population(view, m, self.enrol_verbs, self.group_nouns, self.assign_verbs):
            return  # `72 patients undergoing surgery were randomly divided ...`
        listed: list[Arm] = []
        for start, end in runs(m.slot("arm")):
            start, end = self._whole_name(view, start, end)
            name = view.text_of(start, end)
            key = arm_key(name, self.group_nouns)
            if not key or key.isdigit():
                continue
            arm = self.arms.get(key) or self._alias.get(key) or self._bracketed_arm(key)
            if arm is not None and key not in self.arms and key not in self._alias:
                arm.aliases.add(name)  # `T-DM1` after `trastuzumab emtansine (T-DM1)`
                self._alias[key] = arm
            if arm is None and key in self.generic_names:
                arm = self._declared_alias(view, m, name, key)
            if arm is None and m.rule.priority < PRIMARY and key not in self._long_of:
                arm = self._covering_arm(key)  # (a defined short form names its own thing)
                if arm is not None:  # `the radiotherapy group` of `breast radiotherapy`
                    arm.aliases.add(name)
                    self._alias[key] = arm
            if arm is None:
                arm = self._new_arm(name, key)
            written = _display(name, self.group_nouns)
            if m.rule.priority > arm.strength and arm.name != written:
                if arm.name.lower() == written.lower():
                    arm.name = written  # a title's `Duloxetine`, the methods' `duloxetine`
            arm.strength = max(arm.strength, m.rule.priority)
            if arm.primary_order is None and m.rule.priority >= PRIMARY:
                arm.primary_order = sum(a.primary_order is not None for a in self.arms.values())
            self._name_role(arm)
            alias = _abbreviation_after(view, end)
            if alias:
                arm.aliases.add(alias)
                self._alias.setdefault(arm_key(alias, self.group_nouns), arm)
            size = _size_in(view, m, start, end)
            if size is not None and arm.n is None:
                arm.n = size
            for a_start, a_end in runs(m.slot("alias")):
                self._add_alias(arm, view.text_of(a_start, a_end))
            if arm not in listed:
                listed.append(arm)
        if len(listed) >= 2:
            self.listings.append((m.rule.priority, listed))

    def _new_arm(self, name: str, key: str) -> Arm:
        """A new arm named `name`, known by its short form too, and shown by both, as the
        document introduces it (`pegylated filgrastim (PEG-G)`): a reader (or a reviewer
        matching arms across papers) may know the arm by either."""
        long = self._long_of.get(key)
        if long and long.split()[0].lower() in self.name_stop:
            long = None  # `adriamycin and cyclophosphamide (AC)` spelt from `and`
        short = self._short_of.get(key) or self._bracketed_short.get(key)
        if long:
            display = f"{long} ({_display(name, self.group_nouns)})"
        elif short and _abbreviates(short, _display(name, self.group_nouns)):
            display = f"{_display(name, self.group_nouns)} ({short})"
        else:
            display = self._spelt_inside(self._with_long_form(key, name))
        arm = Arm(name=display, key=key, order=len(self.arms))
        self.arms[key] = arm
        for other in {arm_key(long, self.group_nouns) if long else None, key} - {None}:
            self._alias.setdefault(other, arm)
        if short:
            arm.aliases.add(short)
            self._alias.setdefault(arm_key(short, self.group_nouns), arm)
        return arm

    def defines_short(self, text: str) -> bool:
        """Whether `text` is a short form the document defines in brackets (`exercise
        placebo (FLEX)`, `National Cancer Institute (NCI)`)."""
        key = arm_key(text, self.group_nouns)
        return _looks_short(text) and (key in self._long_of or key in self._bracketed_long)

    def declare_label(self, text: str, label: str, strength: int) -> Arm:
        """Declare a short form used as a label of compared values (see
        `parallel.declare_compared_labels`): the arm it names, known or new; the whole
        label it ends (`neck-POWIR`, the POWIR arm's value at the neck) names it too."""
        key = arm_key(text, self.group_nouns)
        arm = self.lookup(text) or self._bracketed_arm(key) or self._new_arm(text, key)
        for written in (text, label):
            written_key = arm_key(written, self.group_nouns)
            if written_key not in self.arms and written_key not in self._alias:
                arm.aliases.add(written)
                self._alias[written_key] = arm
        arm.strength = max(arm.strength, strength)
        return arm

    def _declared_alias(self, view: SentenceView, m: RuleMatch, name: str, key: str) -> Arm | None:
        """`randomly assigned to A (group 1, n = 48) or B (group 2)`: a role name given
        to an arm the document already declared by what it received is that arm; it is
        shown with both names (`A (group 1)`)."""
        for a_start, a_end in runs(m.slot("alias")):
            arm = self.lookup(view.text_of(a_start, a_end))
            if arm is not None and arm.key not in self.generic_names:
                arm.aliases.add(name)
                self._alias[key] = arm
                if "(" not in arm.name:
                    arm.name = f"{arm.name} ({_display(name, self.group_nouns)})"
                return arm
        return None

    def name_intervention(self, view: SentenceView, m: RuleMatch) -> None:
        """A title naming what the study tests (`trial of omega 3 fatty acids for ...`):
        the arm the text calls the intervention (or treatment) group is that."""
        spans = runs(m.slot("alias"))
        if self.study_intervention is None and spans:
            self.study_intervention = self._expanded(view.text_of(*spans[0]))
            for arm in self.arms.values():
                self._name_role(arm)

    def _name_role(self, arm: Arm) -> None:
        if (
            self.study_intervention
            and arm.key in self.intervention_roles
            and not arm.aliases
            and "(" not in arm.name
        ):
            arm.name = f"{self.study_intervention} ({arm.name})"

    def _whole_name(self, view: SentenceView, start: int, end: int) -> tuple[int, int]:
        """A name's whole written word: a rule that took only `T` of `T-DM1` (the tokenizer
        splits at the hyphen) declares `T-DM1`, not an arm `T`. Only pieces glued to the
        run without a space are added; a rule's bounds between words are kept."""

        def glued(left: int, right: int) -> bool:
            return view.char_end(left) == view.char_start(right)

        def usable(i: int) -> bool:
            token = view.token(i)
            return not token.is_stat and token.text not in _NOT_IN_NAMES

        while start - 1 >= view.start and glued(start - 1, start) and usable(start - 1):
            start -= 1
        while end < view.end and glued(end - 1, end) and usable(end):
            end += 1
        return start, end

    def _add_alias(self, arm: Arm, text: str) -> None:
        """`the control group received routine care`: the treatment names the arm too, and
        names it better than a generic word (`control`, `intervention`) does."""
        key = arm_key(text, self.group_nouns)
        if not key or key == arm.key:
            return
        if key not in self.arms:  # another declared arm keeps its own name
            arm.aliases.add(text)
            self._alias.setdefault(key, arm)
        if arm.key in self.generic_names and "(" not in arm.name:
            arm.name = f"{self._expanded(_display(text, self.group_nouns))} ({arm.name})"

    def _spelt_inside(self, name: str) -> str:
        """`tamoxifen plus OFS` -> `tamoxifen plus OFS (ovarian function suppression)`: the
        short forms the document defines, inside a name of several words, are followed by
        what they stand for (a name that is one short form is shown by `_new_arm`); the
        name stays as written first, as the text keeps using it."""
        words = _PARTS_OF_A_NAME.split(name)
        if len(words) < 2 or "(" in name:
            return name
        spelt: list[str] = []
        for word in words:
            key = arm_key(word, self.group_nouns) if word and _looks_short(word) else ""
            long = self._long_of.get(key) or self._bracketed_text.get(key)
            if long and long not in spelt and long.lower() not in name.lower():
                spelt.append(long)  # `T + P` after `trastuzumab (T)`, `pertuzumab (P)`
        return f"{name} ({', '.join(spelt)})" if spelt else name

    def _expanded(self, name: str) -> str:
        """`MI sessions` -> `motivational interviewing sessions` where the document
        defines the abbreviation."""
        return " ".join(
            self._long_of.get(arm_key(word, self.group_nouns), word) for word in name.split()
        )

    def mentions(self, view: SentenceView) -> list[Mention]:
        """Every mention of a known arm in the sentence: rule matches and bare names."""
        found: list[Mention] = []
        for m in view.of_action("arm"):
            for start, end in runs(m.slot("arm")):
                name = view.text_of(start, end)
                arm = self.lookup(name) or self.closest(name) or self.role_arm(name)
                if arm is not None:
                    found.append(Mention(start, end, arm))
        if self.arms:
            tokens = view.tokens()
            keys = [*self.arms, *self._alias]
            firsts = {k.split()[0] for k in keys if k}
            longest = max(len(k.split()) for k in keys)
            heads = self._head_words()
            first_words = first_key_words(self.group_nouns)
            i = 0
            while i < len(tokens):
                hit = None
                first = first_words[tokens[i].text]
                if (
                    first
                    and first in heads
                    and not tokens[i].is_stat
                    and (i == 0 or self._no_modifier(tokens[i - 1]))
                ):  # `under the Film`, not `antimicrobial sutures` of `plain sutures`
                    hit = Mention(tokens[i].i, tokens[i].i + 1, heads[first])
                if hit is None and first and first in firsts and not tokens[i].is_stat:
                    for width in range(min(longest + 2, len(tokens) - i), 0, -1):
                        piece = tokens[i : i + width]
                        if any(t.is_stat for t in piece):
                            continue
                        arm = self.lookup(view.text_of(piece[0].i, piece[-1].i + 1))
                        if arm is not None:
                            hit = Mention(piece[0].i, piece[-1].i + 1, arm)
                            break
                if hit:
                    found.append(hit)
                    i += hit.end - hit.start
                else:
                    i += 1
        found.sort(key=lambda x: (x.start, -(x.end - x.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept


def runs(indices: tuple[int, ...]) -> list[tuple[int, int]]:
    """Contiguous runs of token indices as [start, end) pairs (one per named arm)."""
    out: list[tuple[int, int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _display(name: str, group_nouns: frozenset[str]) -> str:
    words = name.split()
    if words and len(words[-1]) > 1 and words[-1].endswith("."):
        words[-1] = words[-1][:-1]  # `group B.` at the end of a sentence, as in `arm_key`
    while words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in group_nouns:
        words = words[:-1]
    return " ".join(words)


def _abbreviation_after(view: SentenceView, end: int) -> str | None:
    """`White Grape Juice (WGJ)`: the bracketed abbreviation right after a name."""
    if end + 2 >= view.end:
        return None
    first, inner, close = view.token(end), view.token(end + 1), view.token(end + 2)
    if first.text != "(" or close.text != ")" or view.feat(inner.i).is_stat:
        return None
    text = inner.text
    if 1 < len(text) <= 10 and any(c.isupper() for c in text) and " " not in text:
        return text
    return None


def sizes_all_arms(view: SentenceView, m: RuleMatch) -> bool:
    """`82 patients were randomly assigned to A or B`: a size whose rule names the first of
    several arms one declaration lists is the size of all of them (the randomised
    population), not of the first (`180 were assigned to A and 176 to B` names one arm
    per size)."""
    own = runs(m.slot("arm"))
    if not m.rule.sizes or not own or any(i > own[0][0] for i in m.slot("value")):
        return False  # `A (n = 212) or B (n = 209)`: a size after its name is that arm's
    for other in view.of_action("arm"):
        if other.rule.sizes or other.rule.priority < DECLARES:
            continue
        listed = runs(other.slot("arm"))
        if len(listed) >= 2 and listed[0][0] == own[0][0] and not counted_apart(view, listed):
            return True
    return False


def counted_apart(view: SentenceView, listed: list[tuple[int, int]]) -> bool:
    """`238 patients randomized to A, 244 to B`: a listing whose names have a count
    between them, at the names' own bracket level, gives each arm its own size; none is
    the whole population's (`82 were assigned to A (group A, n = 30), B (group B, n = 24)
    and C` names the sizes in brackets of their own)."""
    level = view.bracket.get(listed[0][0])
    return any(
        view.feat(i).integer and view.bracket.get(i) == level
        for i in range(listed[0][1], listed[1][0])
    )


ENROL_REACH = 3  # tokens after a group's name where the verb enrolling it may stand


def enrolled_population(
    view: SentenceView,
    m: RuleMatch,
    enrol_verbs: frozenset[str],
    group_nouns: frozenset[str] = frozenset(),
    assign_verbs: frozenset[str] = frozenset(),
) -> bool:
    """`72 patients undergoing breast surgery were randomly divided into ...`, `80
    patients receiving radiotherapy were recruited`: an arm rule whose name is followed
    by a verb that enrols patients describes the whole population, not an arm; so does
    one whose size is followed by a verb that assigns patients to the arms (`Survivors
    (n = 40) were randomized to ...`)."""
    if not m.slot("arm") or m.slot("alias") or not enrol_verbs:
        return False  # `the control group received routine care` says what it received
    values, names = m.slot("value"), m.slot("arm")
    if values and values[0] > names[0]:
        return _assigned_after(view, m.end, assign_verbs)  # else `A (n = 107)`: A's size
    if names[-1] + 1 < view.end and view.feat(names[-1] + 1).lower in group_nouns:
        return False  # `the A and B arms comprised 135 and 137`: named as arms
    for i in range(names[-1] + 1, min(view.end, names[-1] + 1 + ENROL_REACH)):
        if view.feat(i).lower in enrol_verbs:
            return True
        if view.feat(i).is_stat or view.token(i).is_punct:
            return False  # `Nine allocated to A and 17 allocated to B`: the next arm's
    return False


def _assigned_after(view: SentenceView, end: int, assign_verbs: frozenset[str]) -> bool:
    """Whether a verb that assigns patients to the arms follows `end` (past the closing
    bracket of a size) within ENROL_REACH tokens, before any value or punctuation."""
    i = end
    while i < view.end and view.token(i).text in (")", "]"):
        i += 1
    for k in range(i, min(view.end, i + ENROL_REACH)):
        if view.feat(k).lower in assign_verbs:
            return True
        if view.feat(k).is_stat or view.token(k).is_punct:
            return False
    return False


def _size_in(view: SentenceView, m: RuleMatch, start: int, end: int) -> int | None:
    """The n a declaration gives its arm: the match's value nearest the name."""
    if not m.rule.sizes or sizes_all_arms(view, m):
        return None
    values = [i for i in m.slot("value") if view.stat(i) is not None]
    if not values:
        return None
    nearest = min(values, key=lambda i: min(abs(i - start), abs(i - end)))
    stat = view.stat(nearest)
    if stat.value is None or not float(stat.value).is_integer():
        return None
    return int(stat.value)


def _letters(short: str) -> int:
    """The letters of a short form that may each stand for a word (`AI` 2, `T-DM1` 3)."""
    return sum(c.isalpha() and c.isupper() for c in short) or sum(c.isalpha() for c in short)


def _abbreviates(short: str, name: str) -> bool:
    """Whether a short form written in brackets after a name may stand for it: it is no
    word of the name (`Calendula officinalis (Calendula)`) and its first letter starts
    one of the name's words (`trastuzumab emtansine (T-DM1)`, not `raloxifene (STAR)`,
    a trial's name)."""
    if _looks_short(name) or not short[0].isalpha():
        return False
    words = name.replace("-", " ").replace("/", " ").lower().split()
    return short.lower() not in words and any(w.startswith(short[0].lower()) for w in words)


def _noted(name: str, note: str) -> str:
    """A name with a note in brackets, inside the bracket it already ends with
    (`concurrent training (CON)` -> `concurrent training (CON, control)`); unchanged when
    it already says it."""
    if note.lower() in name.lower():
        return name
    if name.endswith(")") and "(" in name:
        inside = name[name.rindex("(") + 1 : -1]
        if not _looks_short(inside) or " " in inside:
            return name  # `music therapy (experimental)` says what it is already
        return f"{name[:-1]}, {note})"
    return f"{name} ({note})"


def _looks_short(text: str) -> bool:
    """A short form: starts with a letter or digit, has a capital, is not a number."""
    return (
        text[0].isalnum() and any(c.isupper() for c in text) and not text.replace(".", "").isdigit()
    )


def load_comparator_words(patterns_dir) -> frozenset[tuple[str, ...]]:
    """The comparator words of `arm_roles.tsv` as lower-case word tuples (hyphens read
    as spaces, as `arm_key` reads names); none when the file is missing."""
    path = patterns_dir / ROLE_FILE
    if not path.is_file():
        return frozenset()
    return frozenset(
        tuple(arm_key(row["entry"], frozenset()).split())
        for _, row in _read_tsv(path, ["entry", "role"])
        if row["role"] == "comparator" and row["entry"].strip()
    )


def _spelling_tail(short: str, words: list[str]) -> str | None:
    """The longest run of the last `words` that the short form could abbreviate: its
    first word starts with the short form's first letter and its letters hold the short
    form's letters in order, its last one aside when it has SPELT_LOOSELY letters or more
    (`low-dose colchicine (COL-2)` -> `colchicine`; `cycle therapy (TC6)` -> None)."""
    letters = [c.lower() for c in short if c.isalpha()]
    if len(letters) >= SPELT_LOOSELY:
        letters = letters[:-1]  # `pectoral nerve (PECS)`: a plural's or a suffix's letter
    for k in range(len(words)):
        if not letters or words[k][0].lower() != letters[0]:
            continue
        text, at = " ".join(words[k:]).lower(), 0
        for letter in letters:
            at = text.find(letter, at) + 1
            if at == 0:
                break
        else:
            return " ".join(words[k:])
    return None
