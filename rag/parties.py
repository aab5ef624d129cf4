"""The parties a question or an answer names: countries, bodies and people, by every name reporters use.

Follow-ups (:mod:`rag.followup`: "What about Australia?" swaps the party) read them here. Rules only; the
lists are hand-written.

    >>> places("Did Pompeo and Canada say so?")
    [('Pompeo', 4, 10), ('Canada', 15, 21)]
"""

from __future__ import annotations

import re

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
    "Nepal": ("Nepal",), "Sri Lanka": ("Sri Lanka",), "Bangladesh": ("Bangladesh",), "Turkey": ("Turkey", "Turkish"),
    "Saudi Arabia": ("Saudi Arabia", "Saudi"), "Egypt": ("Egypt",), "South Africa": ("South Africa",),
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
    """
    return [(_PLACE_OF[m.group(1)], m.start(), m.end()) for m in _PLACE_RX.finditer(text)]


def names_party(text: str, party: str) -> bool:
    """Whether ``text`` names ``party`` by any of the names reporters use for it.

    >>> names_party("Regarding the French government's plan to sell weapons", "France")
    True
    """
    return any(_PLACE_OF[m.group(1)] == party for m in _PLACE_RX.finditer(text))

