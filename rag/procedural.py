"""Procedural sentences: the spokesperson's lines that run the conference rather than state a position.

Greetings and hand-overs ("I'd like to make clear the following points."), referrals to another
department, a press release or an answer given before (by us or by whoever was asked), "I have no
information to offer", "we have noted the reports", questions back to the reporter, and restatements of the question ("You mentioned ..."). A
journalist never wants one of these as the first quote of an answer (unless nothing else answers), so
the quote selector ranks them down.

The test for "procedural": would the sentence, quoted alone as the answer, mislead a reporter? A
sentence that goes on to state a position is not procedural even if it opens like one ("We noted the
reports and are deeply saddened ...", "You may have noticed that the two sides recognized ..."), and
a rhetorical question about a third party ("Who didn't act fast enough?") is the spokesperson's
argument, not a question back. The rule is a list of patterns, each with a kind (and, where needed,
an exclusion), so its precision can be measured per kind: ``python -m rag.eval.procedural
eval/procedural --out eval/results/procedural`` (labelled sample and labelling rule in
``eval/procedural/``).

    >>> procedural_kind("I would like to refer you to the competent authorities.")
    'referral'
    >>> procedural_kind("Huawei already gave a response.")  # a response given elsewhere, nothing of it here
    'referral'
    >>> procedural_kind("China firmly opposes the so-called sanctions.") is None
    True
    >>> procedural_kind("Which report are you referring to?")
    'question back'
    >>> procedural_kind("Who didn't act fast enough?") is None
    True
    >>> procedural_kind("Thanks to those efforts, Xinjiang hasn't seen a single terrorist attack.") is None
    True
"""

from __future__ import annotations

import re

# The spokesperson's own stance inside a sentence that opens procedurally ("We noted the reports and
# are deeply saddened"): such a sentence is a statement.
_STANCE = (r"\band\b[^.]*\b(hopes?|glad|pleased|welcomes?|applaud|appreciates?|shocked|saddened|touched|concerns?|"
           r"concerned|regrets?|condemns?|opposes?|supports?|believes?|think of (it|them)|consistent with|feel|sad|"
           r"deplores?|commends?|congratulat\w*|sympath\w*|condolences?)\b|\b(erroneous|groundless|irresponsible|"
           r"absurd|untrue|fabricated|baseless|unfounded|lies|extreme|irrational)\b")
_APOS = "['’]"  # the transcripts use both apostrophes
_YOU_VERBS = (r"refer|referring|referred|mean|meant|mention|mentioned|mentioning|asked|asking|raise|raised|raising|"
              r"said|say that|get|quote|quoted|cite|cited|got|read|seen|see that|heard|attend|attended|need me|want me|"
              r"like me|repeat|restate|wrote|source|think so|questions?")

# What a response given elsewhere is called, and when it was given (the referral kind, below).
_RESPONDED = (r"(responded|answered|made (a |an )?(responses?|answer|statements?)|"
              r"gave (a |an )?(response|answer|statement)|given (a |an )?(response|answer|statement)|"
              r"issued (a |an )?statements?)")
_BEFORE = (r"(yesterday|earlier|before|last (night|week|month)|this (morning|afternoon)|just now|many times|"
           r"on (many|several|multiple) occasions|already|previously|repeatedly|the other day|over the weekend|"
           r"a few days ago|at (previous|earlier|an earlier) (press )?(conferences?|briefings?))")

# What was responded to: not "with countermeasures" or "by taking measures" (an act, not a referral).
_TO = r"( to (?![^.,;]*\b(with|by \w+ing)\b)[^.,;]{0,70})"
_NOT = r"(?<!\bnot )(?<!\bnever )(?<!n.t )"  # "has never made a statement on this before" states something
_END = r"[^\w?]*$"  # the sentence ends there, and not with a question mark
_WHERE = r"( (on|during|at|in) [^.,;]{0,50})?"  # where it was given: "at a press conference"

_RULES: tuple[tuple[str, str, str | None], ...] = (
    ("greeting",
     r"^(good (morning|afternoon|evening)|hello|thank you|thanks(?! to\b))\b"
     rf"|^i(?:{_APOS}| a)m \w+ \w+,? (the )?spokesperson"
     rf"|^(now,? )?(the floor is open|i{_APOS}?m ready to take|i(?:{_APOS}| a)m happy to take) (your )?questions"
     r"|^(next|any other) question|^(that|this) concludes|^the press conference is over"
     # hand-overs that end before any content: "I'd like to make clear the following points."
     rf"|(^|, )(now,? |here,? |first,? )?(i{_APOS}d|i would|let me|i want to|i will|i{_APOS}ll)( like to| just)? "
     r"(make|stress|say|share|give|offer|add|emphasize|reiterate|answer|respond to|take)\b.{0,60}\b(following( points)?"
     r"|(a few|several|some|two|three|four) (more )?(points|words|remarks|comments)|(more|some|further) (details|"
     r"information)|(a )?(thorough|detailed|brief) (response|answer|reply|statement)s?|them one by one)\W*$"
     r"|^before answering (your|the|this) question"
     rf"|^(i(?:{_APOS}| a)m |we(?:{_APOS}re| are) )?(very |so )?(glad|happy|pleased|nice) to (see|have) you\b"
     r"(?! (take|join|attend|participate|come|visit|make|play)\b)"  # "happy to see you take part in the CIIE" is news
     rf"|^welcome (back )?to (the|this|our|today{_APOS}s)\b.{{0,60}}\b(press conference|briefing)",
     r"\b(we|china) (believe|hope|think|support|oppose|welcome)\b"),
    ("referral",
     r"\b(refer|direct) you to\b|\bplease (refer to|ask|consult|check with)\b|\bask the (relevant|competent)\b"
     r"|\b(you may|you might|you can|you could|you should|maybe you could|perhaps you could)( also| still| need to| want to)?"
     r" (consult|check with|contact|turn to|pose|direct|address|refer to|read|look up|stay tuned|keep following)\b"
     r"|\b(leave|direct) (this|these|that|those|the|your|such|it)( specific)?( questions?| matters?)?( \w+)? to the\b"
     r"|\b(better|best) (suited|placed|positioned) to (answer|respond)|\b(is|are) not a (diplomatic|foreign policy) "
     r"(question|issue|matter)\b"
     # an answer given elsewhere: another spokesperson, an earlier briefing, a press release
     r"|\b(responded to|answered|addressed) (similar|this|that|the|your|these|relevant|such|journalists.|reporters.)"
     r"( same| very)? questions?\b|\b(my answer is (just )?the same|same as (the|my) previous (one|answer))\b"
     r"|\b(i|we|china|the chinese side)( have| has| had)?( already| recently| just)?( \w+)? (stated|made clear|"
     r"expounded on|elaborated on|explained) (our|china.s|its|the chinese) (position|stance)\b(?![^.]*( that |:))"
     r"|\b(issued|released|published) (a |the |our |relevant |detailed |further )*(press release|readout|information)s?"
     r"( on [^,.]{0,80})?( (yesterday|today|this morning|already|online|earlier|just now|last \w+))?\W*$"
     r"|\bthere (has|have|was|were|is|will be)( also)?( been)? (a |an )?(detailed |formal )?(press release|readout)\b"
     r"|\bi (also )?(talked|spoke) about (that|this|it) (yesterday|earlier|just now|before|the other day)\b"
     r"|\b(check|read|refer to|seen|see|wait for)( on| out)? (the|our|relevant|that)( relevant)? (press release|readout)s?\b"
     # a response given before, by us or by someone else, with nothing of it in the sentence: "Huawei already gave
     # a response.", "I responded to this yesterday.", "The Chinese embassy in Belgium has responded to this." Not a
     # question or a negation ("Why hasn't the US responded to this?") nor a response "with countermeasures".
     rf"|\b(already|just) {_RESPONDED}{_TO}?{_WHERE}( {_BEFORE})*{_END}"
     # "I just answered a similar question raised by an ROK journalist.", "The embassy has given a response.":
     # nothing follows but who asked or when (", but I still want to underscore ..." goes on to a position)
     rf"|\banswered (a|an) (similar|the same) questions?( [^,;]{{0,60}})?{_END}"
     rf"|\b(has|have|had|also|already)( also| already)? (given|made|issued) (a |an )?(response|statement)s?{_END}"
     rf"|{_NOT}\b{_RESPONDED}{_TO}?{_WHERE} {_BEFORE}{_END}"
     rf"|\b(has|have|had|also|i|we|side|spokesperson|embassy|government|ministry) {_RESPONDED} to (this|that|it|them)"
     rf"( (issue|matter|question))?( {_BEFORE})*{_END}"
     r"|\b(i|we|my colleagues?)( also| myself)?( have| had)? (responded|answered) (yesterday|earlier|before|just now|"
     r"this morning|last week|already)\b(?![^.]*\bthat\b)[^,;:?]*$"
     # "we responded" alone is often an act ("We responded to the epidemic in a timely manner."): only with what
     # was answered (questions, remarks) or when
     r"|^(?=.*\b(questions?|remarks|accusations|yesterday|earlier|before|repeatedly|(many|several) times|occasions|"
     r"briefings?|conferences?|recently|already|each of them)\b).*"
     rf"\b(i|we)( have)?( also| repeatedly)? responded( many times| so many times| repeatedly)?"
     rf"(?![^.]*\b(were|was|is|are)\b){_TO}?( (at|in) [^.,;]{{0,40}})?( {_BEFORE})*{_END}"
     r"|\b(you may|you might|you can|you could)( also)?( want to)? take a look\W*$"
     # "Perhaps you have seen Huawei's response.": a response given elsewhere, nothing of it said
     r"|^(perhaps|maybe) you (have|may have|might have|must have) (already )?(seen|read|noticed) [^.]{0,60}\b(response|"
     r"statement|remarks|readout|press release)s?\W*$"
     # "You need to ask the host of this event." (not "Before decoupling ..., first you need to ask these businesses
     # whether ...": a clause before it makes it an argument)
     rf"|^((maybe|perhaps|apparently|i am afraid|i{_APOS}m afraid|so|then),? )?you (will |would |{_APOS}ll )?(need|have) "
     r"to (ask|consult|check with|contact|turn to|refer to)\b(?! (yourself|the facts)\b)(?![^.]*\b(why|whether|how|if)\b)"
     # "The spokesperson of the Chinese Embassy in Kyrgyzstan has made remarks on it." and nothing of them
     r"|\b(spokesperson|ministry|embassy|department|authorities|consulate)\b[^.]{0,60}\b(made|gave|has made|has given|"
     r"have made|have given) (comments?|remarks|a response|responses) (on|to) (this|that|it)\b"
     r"( and (?![^.]*\b(oppose[sd]?|firmly|urges?|condemns?|resolutely|will take|deplores?)\b)[^.]{0,80})?\W*$",
     # lodging representations is an act the sentence reports, not a referral (eval/procedural: ids 393, 402)
     r"\b(lodged|lodging|made|making) (\w+ ){0,2}representations\b"),
    ("no information",
     r"\b(i )?(have|had|don'?t have|do not have) no (specific |further |more |relevant |new |additional )?(information|"
     rf"details|specifics|update)\b|\bi(?: am|{_APOS}m) not aware\b|\bi (have not|haven{_APOS}t|did not|didn{_APOS}t)"
     rf"( yet)? (seen|heard|read|noticed)\b|\bi don{_APOS}?t have (any )?(specific |further |more |relevant |new )?"
     r"(information|details|specifics|updates?)\b|\bno (further |more )?(information|details) (to|that i can) "
     r"(offer|share|release|provide)\b|\bnothing (more |further |new |else )?to (add|update|offer|share)\b"
     rf"|\bi (will|would|{_APOS}ll) (have to |need to )?check\b|\b(need|have) to check\b|\bget back to you\b"
     rf"|\b(do not|don{_APOS}t|will not|won{_APOS}t|never) (take|answer|respond to|comment on) (any |such )?"
     r"hypothetical (questions?|scenarios?)\b(?![^.]*, but\b)"
     r"|(?<!whether )(?<!more and )\bmore (information|details) (may|will|might|could) (come out|be (released|made "
     r"public|available|announced))\b[^,;:]{0,40}[^\w?]*$"
     r"|\bwe will (release|keep you (posted|updated))\b|\bwill (release|announce|publish|issue|share) [^.]{0,60}"
     r"\b(in due course|in a timely (manner|fashion)|timely|once|when (available|there is|we have)|if (there is|we "
     r"have) any)\b|\b(keep|stay) (following|tuned|posted)\b|\bfollow up on (that|this|it)\W*$"
     rf"|\b(do not|don{_APOS}t|will not|won{_APOS}t|shall not|cannot|can{_APOS}t|not going to) (make |making |offer )?"
     r"(any )?(further |more |specific )?comments?\b|\b(have|make|offer) no (further )?comments?\b"
     r"|\b(not|no)\b[^.]{0,40}\bmaking (any )?(more|further) comments\b|\bcannot (confirm|disclose)\b|\bwon.t repeat\b",
     # a denial ("I am not aware of any such 'camps'") or a position after "but" is a statement
     r"\bnot aware of any (such|connection|so-called)\b|, but (i|we) (believe|think|would like|want to|must|can tell)\b"),
    ("noted",
     r"^([^.]{0,80}?, )?(i|we|china|the chinese side) (have |has )?(also |just )?(noted|noticed|seen|learned of|learned "
     r"about|read|heard|taken note of)\b.{0,60}?\b(reports?|news|statements?|remarks|comments)\b"
     r"|^you (may|might) have (noticed|seen|heard|noted)\b(?! that\b)(?! from [^.]* that\b)"
     r"|^([^,]{0,80}, )?(china|we|the chinese side|the chinese government) (is|are|has been|have been) (closely "
     r"following|following closely|paying close attention to)\b[^,;]*$",
     _STANCE),
    ("question back",
     r"^(?=.*\?[\"'”’)\]]*$)(\W*\w+\W+){0,2}\w+\W*$"  # "Why?", "Is that true?"
     rf"|^(?=.*\?[\"'”’)\]]*$).*\b(you|your)\b.*\b({_YOU_VERBS})\b"
     r"|^(?=.*\?[\"'”’)\]]*$)(?!(\S+\s+){10}).*\b((which|this|that|the) (report|question|source|letter|article|"
     r"interview)|a diplomatic (question|matter|issue))\b"
     # "Which agencies reported this?", short (not "What sources said that the virus came from Wuhan?": an argument)
     r"|^(?!(\S+\s+){6})(which|what) (agenc(y|ies)|media|outlets?|newspapers?|reports?|sources?)\b[^?]*\?[\"'”’)\]]*$"
     r"|^(has|have|did|does) (the |your )?[\w ]{0,30}\b(correspondents?|journalists?|reporters?|colleagues?) (also )?"
     r"(seen|read|heard|noticed) (that|this|it|these|those|the report|the reports)\?[\"'”’)\]]*$",
     # a question put to a third party ("I'd like to ask this question: why does the US ...?") is an argument
     r"\w\s*:\s|\b(just )?like you said\b|\bas you said\b"),
    ("restating",
     r"^(on |regarding |as for |as to )?(you|your questions?) (also |just )?(asked|mentioned|raised|said|are asking|"
     r"were asking|are referring to|were referring to|are talking about|is about|are about|talked about|"
     r"referred to)\b(?![^.]*(, but|; |, as we\b|, we\b|, china\b))",
     None),
)
_PATTERNS = tuple((name, re.compile(rx, re.IGNORECASE), re.compile(ex, re.IGNORECASE) if ex else None)
                  for name, rx, ex in _RULES)


def procedural_kind(sentence: str) -> str | None:
    """The name of the first procedural pattern ``sentence`` matches, or None for a substantive sentence."""
    s = " ".join(sentence.split())
    for name, rx, exclude in _PATTERNS:
        if rx.search(s) and not (exclude and exclude.search(s)):
            return name
    return None


def is_procedural(sentence: str) -> bool:
    return procedural_kind(sentence) is not None
