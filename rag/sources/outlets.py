"""One name per news outlet: the canonical name of every outlet label, and outlets named in free text.

The same outlet appears under many labels ("AFP", "Agence France-Presse", "法新社记者"); turns store the
canonical name (:func:`canonical_outlet`), so filters, counts and citations agree across spellings and
languages. Plain data and four small functions; imports no parser, so asking may use it (like ``lexicon``).

    >>> canonical_outlet("Agence France-Presse"), canonical_outlet(" afp "), canonical_outlet("法新社记者")
    ('AFP', 'AFP', 'AFP')
    >>> canonical_outlet("日本共同社"), canonical_outlet("ITN&BBC"), canonical_outlet("Daily  Planet")
    ('Kyodo News', 'ITN & BBC', 'Daily Planet')
    >>> outlet_aliases("TASS")
    ('TASS News Agency', 'Tass', 'Tass News Agency', '塔斯社', '俄通塔斯社')
    >>> outlets_in("What did Hua Chunying tell Reuters and the Global Times about sanctions?")
    [('Reuters', 27, 34), ('Global Times', 39, 55)]
"""

from __future__ import annotations

import re
import unicodedata

# Canonical name -> aliases (English spellings, then Chinese names without 记者 "journalist").
# The canonical name is the form the ministry's own English pages use most: counted over the 500
# pages of ../shared/corpus/fmprc/en (2018-2020) and the two seeds, counts in the comments ("55:3" =
# canonical 55 times, the runner-up 3 times). Outlets seen only in the Chinese pages (2016-2024) get
# the outlet's own English name, as the ministry's later English pages write it where known.
# A Chinese label with a country in front (日本共同社, 英国《金融时报》) needs no alias: see _ZH_PLACES.
OUTLETS: dict[str, tuple[str, ...]] = {
    # -- in the English pages -------------------------------------------------------------------
    "AFP": ("Agence France-Presse", "Agence France Presse", "法新社"),  # 55:3
    "Reuters": ("Reuters TV", "Thomson Reuters", "路透社", "路透电视台"),  # 73:1; Reuters TV is Reuters
    "Bloomberg": ("Bloomberg News", "彭博社"),  # 20:6
    "CCTV": ("CCTV4", "CCTV-4", "China Central Television", "央视", "中央电视台", "总台央视", "中央广播电视总台央视",
             "央视新闻", "总台央视新闻频道", "央视中文国际频道", "总台央视中文国际频道", "总台中文国际频道",
             # CMG's Chinese-language global programme centre, which makes CCTV-4: one CCTV for the reader.
             "总台华语环球节目中心", "总台华语环球中心", "总台华语中心", "总台央视华语环球节目中心"),  # 52:2 (CCTV4)
    "CGTN": ("China Global Television Network", "总台CGTN", "中国国际电视台"),
    "CNR": ("China National Radio", "央广", "总台央广", "中央广播电视总台央广", "中央人民广播电台", "总台中国之声"),  # 11:5
    "CRI": ("China Radio International", "国广", "总台国广", "中央广播电视总台国广", "中国国际广播电台"),  # 14:4
    "China News Service": ("CNS", "中新社", "中国新闻社"),  # 23:2
    "Xinhua News Agency": ("Xinhua", "新华社"),  # 31
    "Global Times": ("The Global Times", "环球时报"),  # 15:1 (+2 seed)
    "China Daily": ("中国日报",), "Shenzhen TV": ("深圳卫视",), "Phoenix TV": ("凤凰卫视",),
    "The Paper": ("Thepaper", "澎湃新闻"),  # 47 (+2 seed)
    "Beijing Daily": ("北京日报",), "Beijing Youth Daily": ("北京青年报",),
    "Beijing Media Network": ("BTV", "北京广播电视台", "北京广电", "北京电视台", "北京广播电台"),
    "China Review News": ("China Review News Agency", "Hong Kong Review News", "CRNTT", "中评社", "香港中评社"),  # 9:2:1
    "Macau Monthly": ("澳门月刊",), "Chinese Arabic Television": ("China Arab TV", "中阿卫视"),
    "South China Morning Post": ("SCMP", "南华早报"),  # 12:1
    "PTI": ("Press Trust of India", "印度报业托拉斯"),  # 18:1
    "Associated Press of Pakistan": ("APP", "The Associated Press of Pakistan", "巴通社", "巴基斯坦通讯社"),  # 7:1
    "TASS": ("TASS News Agency", "Tass", "Tass News Agency", "塔斯社", "俄通塔斯社"),  # 11:1:1:1
    "RIA Novosti": ("俄新社",),  # 24
    "Sputnik": ("Sputnik News Agency", "Sputnik News", "卫星通讯社", "卫星社"),  # 2:1
    "The Associated Press": ("Associated Press", "AP", "美联社"),  # 1, the only form
    "CNN": ("Cable News Network", "美国有线电视新闻网"), "NBC News": ("NBC", "美国全国广播公司"),
    "National Public Radio": ("NPR", "美国全国公共广播电台", "美国国家公共电台", "美国国家公共广播电台"),
    "Wall Street Journal": ("The Wall Street Journal", "WSJ", "华尔街日报"),
    "Feature Story News": ("FSN", "美国专题新闻社"),  # 3:1
    "BBC": ("British Broadcasting Corporation", "英国广播公司"),
    "ITN": ("ITV News", "ITV", "Independent Television News", "独立电视新闻", "独立电视台"),  # in "ITN&BBC"
    "Sky News": ("天空新闻", "天空新闻频道", "天空新闻台", "天空新闻电视台", "天空电视台"),
    "The Financial Times": ("Financial Times", "金融时报"),  # 2, the only form
    "The Daily Telegraph": ("The Telegraph", "Daily Telegraph", "每日电讯报"),
    "De Telegraaf": ("荷兰电讯报",), "The Globe and Mail": ("Globe and Mail", "环球邮报"),
    "Australian Broadcasting Corporation": ("ABC Australia", "澳大利亚广播公司"),  # 5:2
    "Kyodo News": ("Kyodo", "共同社"),  # 6:2
    "NHK": ("Japan Broadcasting Corporation", "日本广播协会", "日本广播公司", "日本广播电视协会", "日本NHK电视台"),
    "Nihon Keizai Shimbun": ("Nikkei", "日本经济新闻", "日本经济新闻社"),  # 2:1 (NIKKEI)
    "Fuji TV": ("富士电视台",), "TV Asahi": ("朝日电视台",),  # TV Asahi: in a seed
    "TBS": ("Tokyo Broadcasting System", "东京广播公司"), "The Australian": ("澳大利亚人报",),
    "Yonhap News": ("Yonhap", "Yonhap News Agency", "韩联社"),  # 3:2 (1 + seed)
    "KBS": ("Korean Broadcasting System", "韩国广播公司", "韩国广播电视台"),
    "MBC": ("Munhwa Broadcasting Corporation", "韩国文化电视台", "韩国文化广播公司"),
    "EFE News Agency": ("EFE", "Agencia EFE", "埃菲社"),  # 2
    "Prensa Latina": ("拉美社", "拉通社"), "JoongAng Ilbo": ("中央日报",),
    "Islamic Republic News Agency": ("IRNA", "伊朗通讯社"),
    "Swedish TV": ("SVT", "Sveriges Television", "瑞典电视台"), "Voice of Vietnam": ("VOV", "越南之声"),
    # -- only in the Chinese pages (several short entries a line, grouped by where the outlet is) -----
    "China Media Group": ("CMG", "总台", "中央广播电视总台"), "People's Daily": ("人民日报",), "Dragon TV": ("东方卫视",),
    "Hubei Media Group": ("湖北广电", "湖北广播电视台", "湖北广播电视"),
    "MASTV": ("Macau Asia Satellite TV", "澳亚卫视"), "Hong Kong Satellite TV": ("HKSTV", "香港卫视"),
    "RTHK": ("Radio Television Hong Kong", "香港电台"), "24KZ": ("24KZ电视台",),
    "Prasar Bharati": ("印度广播公司", "印度公共广播公司", "印度公共广播电台"), "The Hindu": ("印度教徒报",),
    "RT": ("Russia Today", "今日俄罗斯"), "Ukrinform": ("乌通社", "乌克兰国家通讯社", "乌克兰通讯社"),
    "Anadolu Agency": ("Anadolu", "阿纳多卢通讯社", "安纳多卢通讯社", "阿纳多卢"),
    "TRT": ("土耳其广播电视总台", "土耳其国家广播电视总台", "土耳其广播电视台", "土耳其电视台"),
    "Al Jazeera": ("半岛电视台",), "Middle East News Agency": ("MENA", "中东通讯社", "中东社"),
    "IRIB": ("伊朗声像组织",), "Rudaw": ("如道", "如道媒体集团", "如道电视台"),
    "Antara": ("Antara News Agency", "安塔拉", "安塔拉通讯社"), "CNA": ("Channel NewsAsia", "亚洲新闻台"),
    "Lianhe Zaobao": ("Zaobao", "联合早报"), "YTN": ("联合有线新闻台", "联合有线电视台"),
    "SBS": ("Seoul Broadcasting System", "首尔电视台"),
    "News1": ("News1 Korea", "新一社"), "Edaily": ("易得财经",),
    "Nippon TV": ("NTV", "Nippon Television", "日本电视网", "日本电视台"), "TV Tokyo": ("东京电视台",),
    "Jiji Press": ("Jiji", "时事社"),
    "Asahi Shimbun": ("朝日新闻",),  # "Asahi" alone is no alias: TV Asahi or Asahi Shimbun?
    "Yomiuri Shimbun": ("The Yomiuri Shimbun", "Yomiuri", "读卖新闻"), "Mainichi Shimbun": ("Mainichi", "每日新闻"),
    "Tokyo Shimbun": ("东京新闻",), "Hokkaido Shimbun": ("北海道新闻",),
    "CNBC": (), "The New York Times": ("New York Times", "NYT", "纽约时报"),
    "UPI": ("United Press International", "合众社"), "MNI": ("Market News International", "国际市场新闻社"),
    "O Globo": ("环球报",), "France 24": ("法兰西24电视台",), "Deutsche Presse-Agentur": ("dpa", "德新社"),
    "ARD": ("德国电视一台",), "ZDF": ("德国电视二台",), "Der Spiegel": ("Spiegel", "明镜周刊"),
    "Süddeutsche Zeitung": ("Sueddeutsche Zeitung", "南德意志报"), "Neue Zürcher Zeitung": ("NZZ", "新苏黎世报"),
    "NRC Handelsblad": ("NRC", "新鹿特丹商业报", "新鹿特丹商报"), "NOS": ("荷兰广播电视协会",),
    "ANSA": ("安莎社",), "AGI": ("Agenzia Italia", "意大利新闻社"),  # AGI: most likely, its usual Chinese name
    "ABC (Spain)": ("阿贝赛报",), "El País": ("El Pais", "国家报"), "RTÉ": ("RTE", "爱尔兰广播电视台"),
    "Yle": ("芬兰广播公司",), "Helsingin Sanomat": ("赫尔辛基新闻报", "赫尔辛基新闻"),
    "Sveriges Radio": ("瑞典国家广播电台",), "Danish Broadcasting Corporation": ("DR", "丹麦广播公司"),
    # -- never a label in these pages, but named in questions (for outlets_in) ----------------------
    "The Washington Post": ("Washington Post", "华盛顿邮报"), "Voice of America": ("VOA", "美国之音"),
    "Radio Free Asia": ("RFA", "自由亚洲电台"),
}

# Places a Chinese label may put before the outlet's name (日本共同社 = 共同社): tried when the whole
# label is unknown. "The " likewise for English labels (The Reuters -> Reuters).
_ZH_PLACES = ("日本", "韩国", "美国", "英国", "法国", "德国", "俄罗斯", "加拿大", "澳大利亚", "巴西", "西班牙", "荷兰",
              "土耳其", "印度", "印尼", "伊拉克", "伊朗", "埃及", "芬兰", "瑞典", "丹麦", "意大利", "古巴", "巴基斯坦",
              "哈萨克斯坦", "乌克兰", "新加坡", "越南", "爱尔兰", "香港")
# One question asked by two outlets ("ITN&BBC", "路透社、彭博社记者"): split when every part is known.
_JOINT_RE = re.compile(r"\s*(?:&|/|、|和|\band\b)\s*")
JOINT = " & "  # how a joint label is stored: "ITN & BBC"


def _key(label: str) -> str:
    """Letters and digits only, case-folded, without a trailing 记者 ("journalist")."""
    s = unicodedata.normalize("NFKC", label).casefold().replace("&", "and")
    s = "".join(ch for ch in s if ch.isalnum())
    return s[:-2] if s.endswith("记者") and len(s) > 2 else s


_BY_KEY: dict[str, str] = {}
for _canon, _aliases in OUTLETS.items():
    for _name in (_canon, *_aliases):
        _BY_KEY.setdefault(_key(_name), _canon)  # a clash is a table error: tests check there is none


def _lookup(label: str) -> str | None:
    k = _key(label)
    if not k:
        return None
    if k in _BY_KEY:
        return _BY_KEY[k]
    if k.startswith("the") and k[3:] in _BY_KEY:
        return _BY_KEY[k[3:]]
    for place in _ZH_PLACES:
        if k.startswith(place) and k[len(place):] in _BY_KEY:
            return _BY_KEY[k[len(place):]]
    return None


def canonical_outlet(label: str) -> str:
    """The canonical name of an outlet label; an unknown label comes back with its whitespace collapsed.

    Case, spaces, punctuation, 《》 and a trailing 记者 do not matter; a Chinese label may start with
    a country. A label naming two known outlets becomes both, joined by :data:`JOINT`.

    >>> canonical_outlet("Tass News Agency"), canonical_outlet("加拿大《环球邮报》记者"), canonical_outlet("SCMP")
    ('TASS', 'The Globe and Mail', 'South China Morning Post')
    >>> canonical_outlet("路透社、彭博社记者"), canonical_outlet("The Straits  Times")
    ('Reuters & Bloomberg', 'The Straits Times')
    """
    clean = " ".join(label.split())
    while "&amp;" in clean:  # an HTML page's "ITN&amp;BBC" (and so that a second call changes nothing)
        clean = clean.replace("&amp;", "&")
    found = _lookup(clean)
    if found:
        return found
    parts = [p for p in _JOINT_RE.split(clean) if p]
    if len(parts) > 1:
        names = [_lookup(p) for p in parts]
        if all(names):
            return JOINT.join(dict.fromkeys(n for n in names if n))
    return clean


def outlet_aliases(canonical: str) -> tuple[str, ...]:
    """The aliases of an outlet (any of its labels works), without the canonical name; () if unknown.

    >>> outlet_aliases("Bloomberg News")
    ('Bloomberg News', '彭博社')
    """
    return OUTLETS.get(canonical_outlet(canonical), ())


def outlet_parts(name: str) -> tuple[str, ...]:
    """The outlets of a stored name: ``("ITN", "BBC")`` for the joint ``"ITN & BBC"``, else ``(name,)``.

    >>> outlet_parts("ITN & BBC"), outlet_parts("AFP")
    (('ITN', 'BBC'), ('AFP',))
    """
    return tuple(name.split(JOINT))


# -- outlets named in free text ----------------------------------------------------------------------

# Aliases never matched in free text: ordinary words or other things spelled the same ("the Hindu community",
# "DR Congo", the MENA region, India's NRC, a phone "APP", 国家报告),
# and Chinese names of one or two characters, which occur inside other words (全国广播 holds 国广).
# Kept although they have other meanings, as a question about the ministry rarely means those:
# Bloomberg (also a person), Nikkei (also the index), Anadolu (also Anatolia).
_NOT_IN_TEXT = frozenset({"The Hindu", "DR", "MENA", "NRC", "APP", "ABC (Spain)", "环球报",
                          "国家报"})
# Matched only in exactly this case (all-capital names are too: "AP" never matches "ap" or "Ap").
_EXACT_CASE = frozenset({"The Paper", "Antara", "Sputnik", "Yle", "dpa", "The Australian"})
# Same spelling, another thing: CCTV cameras, the Sputnik V vaccine, "The Australian government" (the
# newspaper only where no word follows but a verb of reporting: "What about The Australian?", "The
# Australian reported"; one mention in the 500 English pages, "The Australian carried an article").
_NOT_FOLLOWED_BY = {"CCTV": r"[\s-]+(?:cameras?|footage|surveillance|systems?)\b", "Sputnik": r"\s*V\b|\s+vaccine",
                    "The Australian": r"\s+(?!(?:reported|reports|said|says|newspaper|quoted|published|wrote|cited|"
                                      r"ran|carried)\b)[\w(\"\u201c]"}
_LATIN_EDGE = "0-9A-Za-z\u00c0-\u024f"  # a Latin alias must not touch these (CJK may touch: "CNN记者")


def _is_cjk(s: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in s)


def _alias_pattern(alias: str) -> str | None:
    if alias in _NOT_IN_TEXT:
        return None
    if _is_cjk(alias):
        return re.escape(alias) if len(alias) > 2 else None
    # Words may be separated by any spaces, hyphens or apostrophes: "Agence France Presse", "People’s".
    body = r"[\s\-\u2010-\u2013.'\u2019]+".join(re.escape(w) for w in re.findall(r"[^\W_]+", alias))
    if not (alias.isupper() or alias in _EXACT_CASE):
        body = f"(?i:{body})"
    tail = f"(?!{_NOT_FOLLOWED_BY[alias]})" if alias in _NOT_FOLLOWED_BY else ""
    return f"{body}(?![{_LATIN_EDGE}]){tail}"  # the edge before it: only word starts are tried (_STARTS)


def _by_initial() -> dict[str, tuple[re.Pattern[str], tuple[str, ...]]]:
    """First character (lower case) -> (one alternation of the aliases starting with it, longest
    first; the group that matched says which outlet). Tried only where a name can start."""
    names = sorted({(a, c) for c, al in OUTLETS.items() for a in (c, *al)}, key=lambda ac: (-len(ac[0]), ac))
    groups: dict[str, list[tuple[str, str]]] = {}
    for alias, c in names:
        p = _alias_pattern(alias)
        if p:
            groups.setdefault(alias[0].lower(), []).append((f"({p})", c))
    return {k: (re.compile("|".join(p for p, _ in v)), tuple(c for _, c in v)) for k, v in groups.items()}


_BY_INITIAL = _by_initial()
# Where a name may start: a Latin word's first character, or any CJK character.
_STARTS = re.compile(f"(?<![{_LATIN_EDGE}])[^\\W_]|[\u2e80-\U0002ffff]")


def outlets_in(text: str) -> list[tuple[str, int, int]]:
    """Outlets named in free text: ``(canonical, start, end)`` of each mention, in text order.

    Whole words only, longest name first where mentions overlap; all-capital names match only in
    capitals; see ``_NOT_IN_TEXT`` for the names that are never matched.

    >>> outlets_in("Xinjiang camps BBC"), outlets_in("an ap of the bbc"), outlets_in("the Straits Times")
    ([('BBC', 15, 18)], [], [])
    >>> outlets_in("Associated Press of Pakistan and AP"), outlets_in("华春莹对法新社记者说")
    ([('Associated Press of Pakistan', 0, 28), ('The Associated Press', 33, 35)], [('AFP', 4, 7)])
    """
    # Every start reports its longest name, so overlapping candidates are all seen ("The Associated
    # Press of Pakistan" holds "The Associated Press" at an earlier start); then longest wins.
    found = []
    for s in _STARTS.finditer(text):
        i = s.start()
        group = _BY_INITIAL.get(text[i].lower())
        m = group[0].match(text, i) if group else None
        if m and m.lastindex:
            found.append((i, m.end(), group[1][m.lastindex - 1]))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))  # longest first, then leftmost
    taken: list[tuple[str, int, int]] = []
    for start, end, c in found:
        if all(end <= s or start >= e for _, s, e in taken):
            taken.append((c, start, end))
    return sorted(taken, key=lambda t: t[1])
