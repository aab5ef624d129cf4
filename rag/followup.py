"""Follow-up questions: carry the thread's topic over to a question that leans on it.

Reporters ask in threads: "What did the spokesperson say about Huawei and 5G?", then "And in 2020?",
"What did Zhao Lijian say about it?", "What about Australia?", "Anything earlier?". Alone, those
second questions name no topic. :func:`understand` decides, by rules (no language model), whether a
question leans on the thread and, if so, writes the question *as searched*: the topic of the
thread with the new part (a time, a spokesperson, an outlet, another country) applied on top.

    >>> u = understand("And what about in 2020?", ["What did the spokesperson say about Huawei and 5G?"])
    >>> u.followup, u.searched
    (True, 'What did the spokesperson say about Huawei and 5G? in 2020')
    >>> understand("What about Australia?", ["What did China say about US tariffs on steel?"]).searched
    'What did China say about Australia tariffs on steel?'
    >>> understand("What did China say about the G20 summit in Osaka?", ["Huawei 5G"]).followup
    False

A question is a follow-up when it has back-references or a thread opener ("and", "what about",
"it", "they", "earlier") and at most :data:`MAX_NEW_WORDS` words of its own topic, or when it has
no topic words at all ("In 2020?", "Zhao Lijian?"). Anything else starts a new topic.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .filters import Filters
from .intent import parse_intent, tidy, without_time
from .parties import _PEOPLE, _PLACE_OF, CHINA_PARTS, named_parties, names_party, places, sub_parties
from .retrieval import SearchResult

# A question with more topic words than this is about something of its own.
MAX_NEW_WORDS = 3

_OPENERS = re.compile(r"^\s*(and|but|also|so|then|what about|how about|and what about|and how about|what of|"
                      r"same (question|for)|any(thing)? (more|else|new|earlier|later)|more on)\b", re.I)
_BACKREF = re.compile(r"\b(it|its|that|this|they|them|their|those|these|he|she|his|her|the same|such|there|"
                      r"the issue|the matter|the topic|the case|the move|the decision|the incident)\b", re.I)
_EARLIER = re.compile(r"\b(earlier|before that|before then|previously|first time|the first|prior)\b", re.I)
_LATER = re.compile(r"\b(later|after that|afterwards|since then|subsequently|more recently|most recent|latest|"
                    r"the last time)\b", re.I)
# Words that carry no topic: question words, reporting verbs, the ministry's own names, fillers.
_GENERIC = frozenset("""
a an the and or but also so then what whats what's how about of on in at to for from with by as is are was were be been
do does did done has have had will would can could should shall may might must any anything more else new
say says said saying tell told telling comment comments commented respond responded response react reacted reaction
think thought position view views stance statement statements remark remarks mention mentioned talk talked speak spoke
china china's chinese beijing ministry foreign spokesperson spokespersons spokesman spokeswoman government side
mfa fm official officials why when where who which whether there their them they it its that this these those he she
his her same issue matter topic case move decision incident question questions ask asked asking answer answered
ever yet still again too just only now time times year years month months period earlier later before after since
previously first last latest recent recently most prior subsequently afterwards then's
""".split())



@dataclass(frozen=True)
class Understood:
    """How a question was understood in its thread. ``searched`` is what is searched (``understood_as``)."""

    question: str
    searched: str
    followup: bool
    topic: str | None = None  # the thread's topic as searched before this question
    relative: str | None = None  # "earlier" or "later" than the topic's best answer
    changes: tuple[str, ...] = ()  # what the follow-up changed, in words ("in 2020", "spokesperson Zhao Lijian")
    party: str | None = None  # the other party the follow-up names ("And France?"): its statements are wanted


def topic_words(question: str) -> list[str]:
    """The words of ``question`` that name a topic: not time, names, places or generic words."""
    i = parse_intent(question)
    text = i.search_text
    for phrase in (i.time_phrase, i.outlet_phrase):
        if phrase:
            text = text.replace(phrase, " ")
    text = sub_parties(lambda m: " ", text)  # "Latin America" stays: it is a topic, not a party
    words = re.findall(r"[A-Za-z0-9][\w'’-]*|[\u4e00-\u9fff]+", text)
    return [w for w in words if _names_topic(w) and not re.fullmatch(r"\d{4}", w)]


def _names_topic(word: str) -> bool:
    """Whether a word carries topic: not generic, unless written as an acronym ("WHO" is the World Health
    Organization, "who" a question word)."""
    return word.lower().strip("'’.") not in _GENERIC or (len(word) > 1 and word.isupper() and word.lower() != "us")


def is_followup(question: str) -> bool:
    """Whether ``question`` leans on the thread (see the module docstring for the rule)."""
    own = topic_words(question)
    if not own:
        return True
    leans = bool(_OPENERS.search(question) or _BACKREF.search(question) or _EARLIER.search(question)
                 or _LATER.search(question))
    return leans and len(own) <= MAX_NEW_WORDS


def _cut(text: str, phrase: str | None) -> str:
    if not phrase:
        return text
    i = text.find(phrase)
    return text if i < 0 else tidy(text[:i] + text[i + len(phrase):])


def _in_year(question: str, phrase: str, year: str) -> str:
    """``question`` with ``year`` after its day or month without a year (``phrase``), when that makes a time phrase.

    >>> _in_year("And in July?", "in July", "2019"), _in_year("And on June 4?", "on June 4", "2019")
    ('And in July 2019?', 'And on June 4 2019?')
    """
    for dated in (f"{phrase} {year}", f"{phrase}, {year}"):
        candidate = question.replace(phrase, dated, 1)
        if year in (parse_intent(candidate).time_phrase or ""):
            return candidate
    return question


def understand(question: str, context: list[str] | tuple[str, ...] = ()) -> Understood:
    """``question`` as searched, given the earlier questions of the thread (oldest first)."""
    q = " ".join(question.split())
    topic = None
    for earlier in context:  # the topic as each earlier question left it
        e = " ".join(str(earlier).split())
        if not e:
            continue
        topic = understand(e, [topic] if topic else []).searched
    if topic is None or not is_followup(q):
        return Understood(q, q, False)
    new, old = parse_intent(q), parse_intent(topic)
    if new.yearless_phrase and old.since:  # "And in July?" after "... in June 2019": July 2019 (a reporter's QA)
        q = _in_year(q, new.yearless_phrase, old.since[:4])
        new = parse_intent(q)
    base, changes = topic, []
    if new.time_phrase:
        base = without_time(base, old.time_phrase)  # "protests in June 2019?" -> "protests?"
        changes.append(new.time_phrase)
    if new.spokesperson:
        base = _cut(base, old.spokesperson_phrase)
        changes.append(f"spokesperson {new.spokesperson}")
    if new.outlet:
        base = _cut(base, old.outlet_phrase)
        changes.append(new.outlet)
    new_parties = named_parties(q, (new.outlet_phrase,))  # an outlet named ("And ABC?") is not its country
    if new_parties:
        party = new_parties[0]
        person = party in _PEOPLE  # a person replaces a person, a country a country

        def swappable(p: str) -> bool:
            return p not in CHINA_PARTS and (p in _PEOPLE) == person

        old = next((p for p, _, _ in places(base) if swappable(p) and p != party), None)
        if old:  # the other party changes: the first one becomes the new one, the others of its kind go
            seen: list[bool] = []

            def swap(m: re.Match) -> str:
                if not swappable(_PLACE_OF[m.group(1)]):
                    return m.group(0)
                seen.append(True)
                return party if len(seen) == 1 else ""

            base = tidy(sub_parties(swap, base))
        elif not any(p == party for p, _, _ in places(base)):
            base = f"{base} {party}"
        changes.append(party)
    named = new_parties[0] if new_parties and new_parties[0] not in CHINA_PARTS else None
    relative = "earlier" if _EARLIER.search(q) else "later" if _LATER.search(q) else None
    if relative:
        changes.append(f"{relative} than the previous answer")
    extra = topic_words(q)
    outlet = f"asked by {new.outlet_phrase}" if new.outlet_asked else new.outlet_phrase  # keeps who asked
    added = " ".join(p for p in (new.time_phrase, new.spokesperson_phrase, outlet) if p)
    if extra and _BACKREF.search(q) and not (added or new_parties or relative):
        # A question of its own about the thread's topic ("How did they retaliate?"): its words lead,
        # followed by the topic's words, so the new question is not drowned by the old one.
        changes.append(" ".join(extra))
        keys = [w for w in re.findall(r"[A-Za-z0-9][\w'’.-]*|[\u4e00-\u9fff]+", topic) if _names_topic(w)]
        searched = f"{_name_the_speaker(q, topic)} {' '.join(keys)}"
        return Understood(q, " ".join(searched.split()), True, topic, None, tuple(changes), named)
    if extra:
        changes.append(" ".join(extra))
    searched = " ".join(x for x in (base, added, " ".join(extra)) if x).strip()
    return Understood(q, " ".join(searched.split()), True, topic, relative, tuple(changes), named)


# "And France?" after a question on US arms sales to Taiwan asks for statements about France: a turn
# whose question or answer names the new party is lifted by this much (as an outlet named in the
# question is, rag.retrieval.OUTLET_BOOST): above turns of the same relevance that do not name it.
PARTY_BOOST = 0.25


def focus(result: SearchResult, u: Understood | None) -> SearchResult:
    """The hits of a follow-up that names another party, with the turns naming that party lifted by
    :data:`PARTY_BOOST` and re-ranked; the result unchanged otherwise."""
    if u is None or not u.followup or not u.party or not result.hits:
        return result
    lifted = [replace(h, score=h.score + PARTY_BOOST) if names_party(f"{h.turn.question or ''} {h.turn.text}", u.party)
              else h for h in result.hits]
    lifted.sort(key=lambda h: -h.score)
    result.hits = [replace(h, rank=i) for i, h in enumerate(lifted, start=1)]
    return result


_SPEAKER_RX = re.compile(r"\b(China|Chinese government|Beijing|the ministry|the spokesperson)\b", re.I)
_THEY = {"they": "China", "them": "China", "their": "China's"}


def _name_the_speaker(question: str, topic: str) -> str:
    """"They" named as China when the thread asked what China said or did: in "How did China respond to
    the Hong Kong act?" → "How did they retaliate?", *they* is the ministry's side, and searched as a
    pronoun it matches any answer about anyone.

    >>> _name_the_speaker("How did they retaliate?", "How did China respond to the act?")
    'How did China retaliate?'
    """
    if not _SPEAKER_RX.search(topic):
        return question
    return re.sub(r"\b(they|them|their)\b", lambda m: _THEY[m.group(1).lower()], question, flags=re.I)


def in_thread(retriever, question: str, context: Sequence[str], filters: Filters,  # noqa: ANN001 - a Retriever
              mode: str = "hybrid") -> tuple[str, Filters, Understood | None]:
    """``(text to search, filters, how it was understood)`` for ``question`` asked after ``context``.

    A follow-up is searched with the thread's topic; "anything earlier/later?" also narrows the dates
    to before/after the topic's best answer (one extra search). Without context: the question as is.
    """
    context = [c for c in context if c and str(c).strip()]
    if not context:
        return question, filters, None
    u = understand(question, context)
    if u.relative:
        filters = _relative_dates(retriever, u, filters, mode)
    return (u.searched if u.followup else question), filters, u


def _relative_dates(retriever, u: Understood, filters: Filters, mode: str) -> Filters:  # noqa: ANN001
    """"Anything earlier/later?": the dates before/after the topic's best answer (the form's dates kept
    when they are narrower)."""
    top = retriever.search(u.topic or u.searched, k=1, filters=filters, mode=mode).hits
    day = top[0].source.date if top else None
    if not day:
        return filters
    d = _dt.date.fromisoformat(day)
    if u.relative == "earlier":
        until = (d - _dt.timedelta(days=1)).isoformat()
        return replace(filters, until=min(until, filters.until) if filters.until else until)
    since = (d + _dt.timedelta(days=1)).isoformat()
    return replace(filters, since=max(since, filters.since) if filters.since else since)


