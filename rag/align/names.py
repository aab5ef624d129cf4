"""Names that read the same in both languages: countries, places, people, bodies (English → Chinese).

Evidence for :mod:`rag.align.evidence`: a turn that names Burkina Faso in English should name 布基纳法索
in Chinese. Each line of :data:`TABLE` is one *concept*: English alternatives (regular expressions,
matched as whole words, case-sensitive so that "US" is not "us") ``=`` Chinese alternatives (regular
expressions). The Chinese side lists the short forms the ministry's transcripts use: 美方 ("the US
side"), 中美 ("China-US"), 朝方 and so on. Spokespersons (:data:`~rag.sources.lexicon.SPOKESPERSONS_ZH`)
and news outlets (:func:`~rag.sources.outlets.outlets_in`) are added by :func:`concepts_en` /
:func:`concepts_zh` from their own tables.

Only names go here, never ordinary words: a concept that is missing on one side costs little, one
that fires on the wrong turn misleads. Names that both sides spell alike in Latin letters (WHO, 5G,
JCPOA when the Chinese writes it) need no entry; numbers are :mod:`rag.align.evidence`'s job.

    >>> sorted(concepts_en("Japanese PM Abe met Wang Yi in Tokyo"))
    ['Abe', 'Japan', 'Tokyo', 'Wang Yi']
    >>> sorted(concepts_zh("日本首相安倍晋三在东京会见王毅"))
    ['Abe', 'Japan', 'Tokyo', 'Wang Yi']
    >>> sorted(concepts_zh("外交部发言人耿爽答法新社记者问")), sorted(concepts_en("Geng Shuang told AFP"))
    (['AFP', 'Geng Shuang'], ['AFP', 'Geng Shuang'])
"""

from __future__ import annotations

import re

from ..sources.lexicon import SPOKESPERSONS_ZH
from ..sources.outlets import outlets_in

# concept name (first English alternative, unescaped) = Chinese alternatives
TABLE = r"""
US|U\.S\.|United States|Americans?|America|Washington = 美国|美方|中美|美军|美朝|朝美|美韩|韩美|日美|美日|美俄|俄美|(?<![拉欧亚非北南])美(?![元洲好丽食术誉景满妙化德味梦意感])
DPRK|North Korea|North Korean|Pyongyang|Korean Peninsula|Peninsula = 朝鲜|朝方|中朝|美朝|朝美|半岛|平壤
ROK|South Korea|South Korean|Korea|Seoul = 韩国|韩方|中韩|美韩|韩美|日韩|首尔
Japan|Japanese = 日本|日方|中日|日美|美日|日韩|日首相|日外相|日政府
Tokyo = 东京
Russia|Russian|Russians|Moscow|Kremlin = 俄罗斯|俄方|中俄|俄美|美俄|俄外长|俄总统|莫斯科|克里姆林宫
UK|U\.K\.|Britain|British|United Kingdom|London = 英国|英方|中英|伦敦
France|French|Paris = 法国|法方|中法|巴黎
Germany|German|Berlin = 德国|德方|中德|柏林
Italy|Italian|Rome = 意大利|意方|中意|罗马
Spain|Spanish = 西班牙
Netherlands|Dutch = 荷兰
Belgium|Belgian|Brussels = 比利时|布鲁塞尔
Sweden|Swedish = 瑞典
Norway|Norwegian = 挪威
Denmark|Danish = 丹麦
Finland|Finnish = 芬兰
Switzerland|Swiss|Geneva = 瑞士|日内瓦
Austria|Austrian|Vienna = 奥地利|维也纳
Poland|Polish = 波兰
Czech|Czechia|Prague = 捷克|布拉格
Hungary|Hungarian = 匈牙利
Greece|Greek = 希腊
Portugal|Portuguese = 葡萄牙
Ireland|Irish = 爱尔兰
Serbia|Serbian = 塞尔维亚
Ukraine|Ukrainian = 乌克兰|乌方
Belarus|Belarusian = 白俄罗斯
Turkey|Turkish|Türkiye = 土耳其|土方
Cyprus|Cypriot = 塞浦路斯
EU|European Union|Europe|European = 欧盟|欧方|欧洲|中欧
NATO = 北约
UN|United Nations|Security Council|UNSC|UNGA|General Assembly = 联合国|安理会|联大
WHO|World Health Organization|WHA|World Health Assembly = 世卫|世界卫生组织|世界卫生大会
WTO|World Trade Organization = 世贸|世界贸易组织
ASEAN = 东盟
SCO|Shanghai Cooperation Organization = 上合|上海合作组织
BRICS = 金砖
G20 = 二十国集团|G20
G7 = 七国集团|G7
APEC = 亚太经合|APEC
IAEA|International Atomic Energy Agency = 国际原子能机构
JCPOA|Iranian nuclear|Iran nuclear = 伊核|全面协议
INF|Intermediate-Range Nuclear Forces = 中导
FATF = 金融行动特别工作组
IMF|International Monetary Fund = 国际货币基金组织
World Bank = 世界银行|世行
AIIB = 亚投行|亚洲基础设施投资银行
Belt and Road|BRI = 一带一路
CPEC = 中巴经济走廊
African Union|AU = 非盟
Arab League|Arab States = 阿盟|阿拉伯国家
Human Rights Council = 人权理事会
Olympics|Olympic = 奥运|冬奥
COVID-19|coronavirus|novel coronavirus|pandemic|epidemic = 新冠|疫情|肺炎
India|Indian|New Delhi = 印度|印方|中印|新德里
Pakistan|Pakistani|Islamabad = 巴基斯坦|巴方|中巴|伊斯兰堡
Afghanistan|Afghan|Kabul|Taliban = 阿富汗|阿方|阿塔|塔利班|喀布尔
Bangladesh|Bangladeshi = 孟加拉
Sri Lanka|Sri Lankan|Colombo = 斯里兰卡|斯方|科伦坡
Nepal|Nepalese = 尼泊尔
Bhutan = 不丹
Maldives = 马尔代夫
Myanmar|Burmese|Rakhine = 缅甸|缅方|若开
Thailand|Thai|Bangkok = 泰国|泰方
Vietnam|Viet Nam|Vietnamese|Hanoi = 越南|越方|中越|河内
Laos|Lao|Vientiane = 老挝|万象
Cambodia|Cambodian = 柬埔寨|柬方
Malaysia|Malaysian = 马来西亚|马方|中马
Singapore|Singaporean = 新加坡|新方
Indonesia|Indonesian|Jakarta = 印尼|印度尼西亚|雅加达
Philippines|Philippine|Filipino|Manila = 菲律宾|菲方|中菲|马尼拉
Brunei = 文莱
Mongolia|Mongolian = 蒙古|蒙方
Kazakhstan|Kazakh = 哈萨克斯坦
Uzbekistan = 乌兹别克斯坦
Kyrgyzstan|Kyrgyz = 吉尔吉斯斯坦
Tajikistan = 塔吉克斯坦
Turkmenistan = 土库曼斯坦
Central Asia|Central Asian = 中亚
Iran|Iranian|Tehran = 伊朗|伊方
Iraq|Iraqi|Baghdad = 伊拉克
Syria|Syrian|Damascus = 叙利亚|叙方
Israel|Israeli = 以色列|以方
Palestine|Palestinian = 巴勒斯坦
Golan = 戈兰
Jerusalem = 耶路撒冷
Saudi Arabia|Saudi = 沙特
Yemen|Yemeni|Houthi = 也门|胡塞
Egypt|Egyptian|Cairo = 埃及|开罗
Libya|Libyan = 利比亚
Sudan|Sudanese = (?<!南)苏丹
South Sudan = 南苏丹
Ethiopia|Ethiopian = 埃塞俄比亚
Kenya|Kenyan|Nairobi = 肯尼亚|内罗毕
Nigeria|Nigerian = 尼日利亚
South Africa = 南非
Zimbabwe = 津巴布韦
Burkina Faso = 布基纳法索
Madagascar = 马达加斯加
Africa|African = 非洲|中非|非方
Qatar = 卡塔尔
UAE|United Arab Emirates = 阿联酋
Jordan|Jordanian = 约旦
Lebanon|Lebanese = 黎巴嫩
Kuwait = 科威特
Oman = 阿曼
Middle East = 中东
Gulf = 海湾
Canada|Canadian|Canadians|Ottawa = 加拿大|加方|中加
Mexico|Mexican = 墨西哥
Venezuela|Venezuelan|Caracas = 委内瑞拉|委方
Cuba|Cuban|Havana = 古巴
Brazil|Brazilian = 巴西
Argentina|Argentine = 阿根廷
Chile|Chilean = 智利
Peru|Peruvian = 秘鲁
Bolivia|Bolivian = 玻利维亚
Colombia|Colombian = 哥伦比亚
Panama|Panamanian = 巴拿马
Nicaragua = 尼加拉瓜
Dominican Republic = 多米尼加
El Salvador = 萨尔瓦多
Latin America|Latin American|Caribbean = 拉美|拉丁美洲|加勒比
Australia|Australian|Canberra = 澳大利亚|澳方|中澳|堪培拉
New Zealand = 新西兰
Pacific island|Pacific Island|Pacific islands|Pacific Islands = 太平洋岛国
Papua New Guinea = 巴布亚新几内亚
Solomon Islands = 所罗门群岛
Kiribati = 基里巴斯
Micronesia = 密克罗尼西亚
Fiji = 斐济
Vatican|Holy See|Pope = 梵蒂冈|教宗|教皇
Hong Kong|HKSAR = 香港|港澳|涉港
Macao|Macau = 澳门
Taiwan|Taipei|DPP|cross-Strait|Tsai Ing-wen = 台湾|台北|民进党|两岸|台方|涉台|对台|台独|蔡英文
Xinjiang|Uyghurs?|Uighurs?|Urumqi = 新疆|维吾尔|乌鲁木齐|涉疆
Tibet|Tibetan|Lhasa|Dalai Lama = 西藏|涉藏|拉萨|达赖
Wuhan|Hubei = 武汉|湖北
Shanghai = 上海
Guangdong|Guangzhou|Shenzhen = 广东|广州|深圳
Fujian|Xiamen = 福建|厦门
South China Sea|Nansha|Xisha|Spratly|Paracel = 南海|南沙|西沙
Diaoyu = 钓鱼岛
Huawei = 华为
ZTE = 中兴
TikTok|ByteDance = 抖音|字节跳动|TikTok
Airbus = 空客
Boeing = 波音
Wall Street Journal|WSJ = 华尔街日报
Meng Wanzhou = 孟晚舟
Kovrig = 康明凯
Spavor = 斯帕弗
Trump = 特朗普
Pompeo = 蓬佩奥
Pence = 彭斯
Bolton = 博尔顿
Biden = 拜登
Obama = 奥巴马
Mnuchin = 姆努钦
Lighthizer = 莱特希泽
Kudlow = 库德洛
Navarro = 纳瓦罗
Esper = 埃斯珀
Pelosi = 佩洛西
Rubio = 卢比奥
Cotton = 科顿
Brownback = 布朗巴克
Xi Jinping|President Xi = 习近平|习主席
Li Keqiang|Premier Li = 李克强
Wang Yi = 王毅
Yang Jiechi = 杨洁篪
Liu He = 刘鹤
Wang Qishan = 王岐山
Kim Jong Un|Kim Jong-un = 金正恩
Moon Jae-in = 文在寅
Abe|Shinzo Abe = 安倍
Suga = 菅义伟
Putin = 普京
Lavrov = 拉夫罗夫
Modi = 莫迪
Imran Khan = 伊姆兰·汗|伊姆兰
Duterte = 杜特尔特
Mahathir = 马哈蒂尔
Maduro = 马杜罗
Guaido|Guaidó = 瓜伊多
Netanyahu = 内塔尼亚胡
Erdogan|Erdoğan = 埃尔多安
Rouhani = 鲁哈尼
Zarif = 扎里夫
Macron = 马克龙
Merkel = 默克尔
Johnson = 约翰逊
Theresa May = 特雷莎·梅
Morrison = 莫里森
Trudeau = 特鲁多
Freeland = 弗里兰
Guterres = 古特雷斯
Tedros = 谭德塞
Carrie Lam = 林郑月娥
Ghani = 加尼
Bolsonaro = 博索纳罗
Khalilzad = 哈利勒扎德
Biegun = 比根
"""


_META = set("()[]?*+|\\^$.{}")


def _split(alternatives: str) -> list[str]:
    """Top-level alternatives of a pattern ("(?<!南)苏丹|x" -> ["(?<!南)苏丹", "x"])."""
    parts, depth, cur = [], 0, ""
    for ch in alternatives:
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def _compile() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]], re.Pattern[str],
                        dict[str, set[str]], list[tuple[re.Pattern[str], str]]]:
    """English: one alternation tried only at a word start whose first letter some name has (trying
    200 names at every character took 20 ms a turn), the concept looked up by the words matched.
    Chinese: literal names, longest first (a name may belong to two concepts: 美朝 is the US and the
    DPRK), plus the few names written as patterns."""
    en_by_first: dict[str, list[str]] = {}
    en_concepts: list[tuple[re.Pattern[str], str]] = []
    zh_literal: dict[str, set[str]] = {}
    zh_patterns: list[tuple[re.Pattern[str], str]] = []
    for line in (ln for ln in TABLE.strip().splitlines() if ln.strip()):
        en, zh = (s.strip() for s in line.split(" = "))
        name = re.sub(r"[\\?]", "", en.split("|")[0])
        en_concepts.append((re.compile(en), name))
        for alt in _split(en):
            en_by_first.setdefault(alt[0], []).append(alt)
        for alt in _split(zh):
            if _META & set(alt):
                zh_patterns.append((re.compile(alt), name))
            else:
                zh_literal.setdefault(alt, set()).add(name)
    buckets = "|".join(f"(?={re.escape(c)})(?:{'|'.join(sorted(alts, key=len, reverse=True))})"
                       for c, alts in sorted(en_by_first.items()))
    starts = "".join(re.escape(c) for c in sorted(en_by_first))
    en_re = re.compile(rf"(?<![\w-])(?=[{starts}])(?:{buckets})(?![\w-])")
    zh_re = re.compile("|".join(re.escape(a) for a in sorted(zh_literal, key=len, reverse=True)))
    return en_re, en_concepts, zh_re, zh_literal, zh_patterns


_META = set("()[]?*+|\\^$.{}")
_EN_RE, _EN_CONCEPTS, _ZH_RE, _ZH_LITERAL, _ZH_PATTERNS = _compile()
_EN_CACHE: dict[str, str | None] = {}


def _en_concept(words: str) -> str | None:
    if words not in _EN_CACHE:
        _EN_CACHE[words] = next((name for pattern, name in _EN_CONCEPTS if pattern.fullmatch(words)), None)
    return _EN_CACHE[words]


_SPOKESPERSONS_EN = re.compile("|".join(sorted(SPOKESPERSONS_ZH.values(), key=len, reverse=True)))
_SPOKESPERSONS_ZH = re.compile("|".join(sorted(SPOKESPERSONS_ZH, key=len, reverse=True)))


def concepts_en(text: str, outlets: bool = True) -> set[str]:
    """The concepts an English text names: table entries, spokespersons, news outlets (unless
    ``outlets`` is False: looking for them is most of the time this takes)."""
    found = {c for c in map(_en_concept, (m.group(0) for m in _EN_RE.finditer(text))) if c}
    found.update(m.group(0) for m in _SPOKESPERSONS_EN.finditer(text))
    if outlets:
        found.update(name for name, _, _ in outlets_in(text))
    return found


def concepts_zh(text: str, outlets: bool = True) -> set[str]:
    """The concepts a Chinese text names, under the same (English) concept names as :func:`concepts_en`."""
    found = set().union(*(_ZH_LITERAL[m.group(0)] for m in _ZH_RE.finditer(text)))
    found.update(name for pattern, name in _ZH_PATTERNS if pattern.search(text))
    found.update(SPOKESPERSONS_ZH[m.group(0)] for m in _SPOKESPERSONS_ZH.finditer(text))
    if outlets:
        found.update(name for name, _, _ in outlets_in(text))
    return found
