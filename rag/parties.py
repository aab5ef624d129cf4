"""The parties a question or an answer names: countries, bodies and people, by every name reporters use.

One gazetteer serves follow-ups (:mod:`rag.followup`: "What about Australia?" swaps the party) and the
keyword search (:func:`bm25_expansion`). Rules only; the lists are hand-written.

    >>> places("Did Pompeo and Canada say so?")
    [('Pompeo', 4, 10), ('Canada', 15, 21)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from .text import bm25_tokens

# Countries and other parties of the ministry's answers, with the names reporters use for them: a
# follow-up naming one replaces the party of the topic ("What about Australia?").
_PLACES: dict[str, tuple[str, ...]] = {
    "United States": ("United States", "US", "U.S.", "USA", "America", "American", "Americans", "Washington"),
    "Japan": ("Japan", "Japanese", "Tokyo"), "Australia": ("Australia", "Australian", "Australians", "Canberra"),
    "India": ("India", "Indian", "New Delhi"), "Russia": ("Russia", "Russian", "Moscow"),
    "United Kingdom": ("United Kingdom", "UK", "U.K.", "Britain", "British", "London"),
    "France": ("France", "French", "Paris"), "Germany": ("Germany", "German", "Berlin"),
    "Canada": ("Canada", "Canadian", "Canadians", "Ottawa"), "Philippines": ("Philippines", "Philippine", "Manila"),
    "Vietnam": ("Vietnam", "Viet Nam", "Vietnamese"), "South Korea": ("South Korea", "ROK", "Seoul"),
    "North Korea": ("North Korea", "DPRK", "Pyongyang"), "Pakistan": ("Pakistan", "Pakistani", "Islamabad"),
    "Iran": ("Iran", "Iranian", "Tehran"), "Israel": ("Israel", "Israeli"), "Palestine": ("Palestine", "Palestinian"),
    "Syria": ("Syria", "Syrian"), "Afghanistan": ("Afghanistan", "Afghan"), "Myanmar": ("Myanmar",),
    "European Union": ("European Union", "EU", "Brussels"), "NATO": ("NATO",), "ASEAN": ("ASEAN",),
    "Ukraine": ("Ukraine", "Ukrainian", "Kiev", "Kyiv"), "Venezuela": ("Venezuela", "Venezuelan"),
    "Brazil": ("Brazil", "Brazilian"), "Indonesia": ("Indonesia", "Indonesian"), "Malaysia": ("Malaysia", "Malaysian"),
    "Singapore": ("Singapore",), "Thailand": ("Thailand", "Thai"), "Cambodia": ("Cambodia", "Cambodian"),
    "Nepal": ("Nepal",), "Sri Lanka": ("Sri Lanka",), "Bangladesh": ("Bangladesh",),
    "Turkey": ("Turkey", "Turkish", "Türkiye", "Turkiye"),
    "Saudi Arabia": ("Saudi Arabia", "Saudi"), "Egypt": ("Egypt",), "South Africa": ("South Africa", "South African"),
    "New Zealand": ("New Zealand",), "Italy": ("Italy", "Italian"), "Sweden": ("Sweden", "Swedish"),
    "Czech Republic": ("Czech Republic", "Czech"), "Lithuania": ("Lithuania",), "Mongolia": ("Mongolia",),
    "Iraq": ("Iraq",), "Cuba": ("Cuba",), "Mexico": ("Mexico",), "Netherlands": ("Netherlands", "Dutch"),
    "Norway": ("Norway",), "Poland": ("Poland",), "Spain": ("Spain",), "Kazakhstan": ("Kazakhstan",),
    "Taiwan": ("Taiwan",), "Hong Kong": ("Hong Kong",), "Macao": ("Macao", "Macau"), "Xinjiang": ("Xinjiang",),
    "Tibet": ("Tibet", "Tibetan"), "Africa": ("Africa", "African"), "Laos": ("Laos", "Lao"),
}
# People who are the other party of a story: "And Pompeo?" after a question on Trump swaps the person,
# never a country (a person is swapped only for a person, a place only for a place).
_PEOPLE: dict[str, tuple[str, ...]] = {
    "Trump": ("Donald Trump", "Trump"), "Pompeo": ("Mike Pompeo", "Pompeo"), "Pence": ("Mike Pence", "Pence"),
    "Biden": ("Joe Biden", "Biden"), "Blinken": ("Antony Blinken", "Blinken"), "Bolton": ("John Bolton", "Bolton"),
    "Navarro": ("Peter Navarro", "Navarro"), "Esper": ("Mark Esper", "Esper"), "Pelosi": ("Nancy Pelosi", "Pelosi"),
    "Abe": ("Shinzo Abe", "Abe"), "Modi": ("Narendra Modi", "Modi"), "Morrison": ("Scott Morrison", "Morrison"),
    "Trudeau": ("Justin Trudeau", "Trudeau"), "Johnson": ("Boris Johnson", "Johnson"),
    "Macron": ("Emmanuel Macron", "Macron"), "Merkel": ("Angela Merkel", "Merkel"), "Putin": ("Vladimir Putin", "Putin"),
    "Moon Jae-in": ("Moon Jae-in",), "Kim Jong-un": ("Kim Jong-un", "Kim Jong Un"), "Duterte": ("Rodrigo Duterte", "Duterte"),
    "Tsai Ing-wen": ("Tsai Ing-wen", "Tsai"), "Dalai Lama": ("Dalai Lama",), "Guterres": ("Antonio Guterres", "Guterres"),
    "Tedros": ("Tedros Adhanom Ghebreyesus", "Tedros"),
}
_PARTIES = {**_PLACES, **_PEOPLE}
_PLACE_RX = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(a) for names in _PARTIES.values() for a in names),
                                                       key=len, reverse=True)) + r")(?![\w])")
_PLACE_OF = {a: p for p, names in _PARTIES.items() for a in names}
# Parts of China are the topic of a question ("BNO passports in Hong Kong"), never the other party.
CHINA_PARTS = frozenset({"Taiwan", "Hong Kong", "Macao", "Xinjiang", "Tibet"})


def places(text: str) -> list[tuple[str, int, int]]:
    """``(party, start, end)`` of each country, other party or person named in ``text``.

    >>> places("Did Pompeo and Canada say so?")
    [('Pompeo', 4, 10), ('Canada', 15, 21)]
    >>> places("the Washington Post on the China-Latin America forum")  # names that hold a party's name
    []
    """
    return [(_PLACE_OF[m.group(1)], m.start(), m.end()) for m in _place_matches(text)]


def _place_matches(text: str) -> Iterator[re.Match]:
    """The names of parties in ``text``, outside :data:`_NOT_PARTIES` (blanked to the same length first, so the
    matches' spans are those of ``text``)."""
    return _PLACE_RX.finditer(_NOT_PARTIES.sub(_blank, text))


def sub_parties(repl: Callable[[re.Match], str], text: str) -> str:
    """``text`` with each name :func:`places` finds replaced by ``repl(match)`` (``match.group(1)``: the name as
    written).

    >>> sub_parties(lambda m: "<" + m.group(1) + ">", "Latin America and America")
    'Latin America and <America>'
    """
    out, last = [], 0
    for m in _place_matches(text):
        out += [text[last:m.start()], repl(m)]
        last = m.end()
    return "".join(out) + text[last:]


def party_names(party: str) -> tuple[str, ...]:
    """Every name reporters use for ``party`` (a key of :func:`places`' answers).

    >>> party_names("Pakistan")
    ('Pakistan', 'Pakistani', 'Islamabad')
    """
    return _PARTIES[party]


def names_party(text: str, party: str) -> bool:
    """Whether ``text`` names ``party`` by any of the names reporters use for it.

    >>> names_party("Regarding the French government's plan to sell weapons", "France")
    True
    """
    return any(p == party for p, _, _ in places(text))


# How the ministry's answers write a party that reporters often write otherwise: of each party's names,
# the one the answers of the 500 English pages use most ("US" 5,177 times, "DPRK" 510, "EU" 316, "ROK" 315,
# "Canadian" 281, "UK" 214, "Afghan" 186). Every other party's form is its first name in the lists above.
MINISTRY_FORM = {"United States": "US", "United Kingdom": "UK", "Canada": "Canadian", "South Korea": "ROK",
                 "North Korea": "DPRK", "Afghanistan": "Afghan", "European Union": "EU", "Czech Republic": "Czech"}
# The party a person speaks for: a question on "Pompeo" is answered about "the US".
COUNTRY_OF = {"Trump": "United States", "Pompeo": "United States", "Pence": "United States", "Biden": "United States",
              "Blinken": "United States", "Bolton": "United States", "Navarro": "United States",
              "Esper": "United States", "Pelosi": "United States", "Abe": "Japan", "Modi": "India",
              "Morrison": "Australia", "Trudeau": "Canada", "Johnson": "United Kingdom", "Macron": "France",
              "Merkel": "Germany", "Putin": "Russia", "Moon Jae-in": "South Korea", "Kim Jong-un": "North Korea",
              "Duterte": "Philippines", "Tsai Ing-wen": "Taiwan"}
# Names that hold a party's name without being that party: blanked wherever a text's parties are read (the
# keyword search's additions, a follow-up's swap and boost), so "Latin America" is never the United States.
# A newspaper named after its place ("the Japan Times", "the Korea Herald", "China Daily") is an outlet, not the
# place (one word before the title, so "Abe Japan Times interview" keeps Abe; also "the Times of India" and "the
# Japan News", as written); "Post" only in "Washington Post" ("Canada Post" delivers mail to China).
_NOT_PARTIES = re.compile(r"\b(?:Latin|Central|South) America(?:ns?)?\b|\bWashington Post\b|\bVoice of America\b|"
                          r"\bParis (?:Climate )?(?:Agreement|Accord)\b|\bJohnson & Johnson\b|"
                          r"\b(?:The )?Times of [A-Z][a-z]+\b|\b[A-Z][a-z]+ (?:Times|Daily|Herald|Tribune|Journal)\b|"
                          r"\bJapan News\b")


def ministry_form(party: str) -> str:
    """The name the ministry's answers use for ``party`` (the first of its names unless :data:`MINISTRY_FORM` says).

    >>> ministry_form("North Korea"), ministry_form("Japan")
    ('DPRK', 'Japan')
    """
    return MINISTRY_FORM.get(party) or _PARTIES[party][0]


# Events the ministry's transcripts name otherwise: "Tiananmen" is in no answer of the 500 English pages, and the one
# exchange on its anniversary speaks of "the 1989 political disturbance" (4 June 2019; a reporter's QA found it only by
# a pasted question). Added to the keyword query as parties' forms are.
MINISTRY_TERMS = ((re.compile(r"\bTiananmen\b|\bJune (?:4(?:th)?|[Ff]ourth) (?:incident|crackdown|massacre|movement|"
                              r"anniversary)\b"), "1989 political disturbance"),)


def bm25_expansion(text: str, skip: Iterable[str | None] = ()) -> str:
    """``text`` with the ministry's name added for each party it names otherwise, for the keyword search.

    Reporters write "Washington", "Pyongyang", "Britain" or "Pompeo"; the answers say "the US", "the DPRK",
    "the UK". The words match only in the dense search; BM25 sees them once the ministry's form is added.
    A person adds their country, never their own name again. Only the form is added, not every alias:
    on the 3,644 training queries (eval/sentences_train) adding the form lifts the labelled turn to the top
    for more queries than it drops it from; adding every alias does the opposite (eval/party_expansion.py;
    numbers in eval/results/sentence_head.md §19). A form whose words the text already has (as BM25 reads
    them: "Canadians" holds "Canadian", "tell us" holds "US") is not added, nor anything for a name in
    ``skip`` (an outlet: "the Washington Post") or in :data:`_NOT_PARTIES` ("Latin America"). Names are
    matched as written, case and all ("washington" adds nothing).

    >>> bm25_expansion("Washington not sending senior officials to the second BRF")
    'Washington not sending senior officials to the second BRF US'
    >>> bm25_expansion("Pompeo on North Korea and the DPRK")
    'Pompeo on North Korea and the DPRK US'
    >>> bm25_expansion("US tariffs"), bm25_expansion("China-Latin America forum")
    ('US tariffs', 'China-Latin America forum')
    >>> bm25_expansion("the Tiananmen anniversary")
    'the Tiananmen anniversary 1989 political disturbance'
    >>> bm25_expansion("What was said on June 4 about Huawei?")  # a day, not the event
    'What was said on June 4 about Huawei?'

    """
    forms = []
    for party in named_parties(text, skip):
        if party in _PEOPLE:
            party = COUNTRY_OF.get(party)
            if party is None:
                continue
        forms.append(ministry_form(party))
    forms += [form for rx, form in MINISTRY_TERMS if rx.search(text)]
    return with_words(text, forms)


def named_parties(text: str, skip: Iterable[str | None] = ()) -> list[str]:
    """The parties ``text`` names, in order, leaving out the names in ``skip`` and in :data:`_NOT_PARTIES`.

    >>> named_parties("Pompeo at the China-Latin America forum, asked by the Washington Post", ["the Washington Post"])
    ['Pompeo']
    """
    read = text  # places() blanks _NOT_PARTIES itself
    for phrase in skip:
        if phrase:
            read = read.replace(phrase, " " * len(phrase))
    return [p for p, _, _ in places(read)]


def with_words(text: str, names: Iterable[str]) -> str:
    """``text`` with each of ``names`` added whose words (as BM25 reads them) it does not hold yet.

    >>> with_words("Canadians detained", ["Canadian", "US", "US"])
    'Canadians detained US'
    """
    have = set(bm25_tokens(text))
    add: list[str] = []
    for name in names:
        words = set(bm25_tokens(name))
        if not words <= have:
            add.append(name)
            have |= words
    return " ".join([text, *add])


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))
