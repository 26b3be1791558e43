"""The sentiment of a survey comment, offline: VADER plus a few customer-service words.

VADER (Hutto and Gilbert, 2014; the ``vaderSentiment`` package) scores English text with
a lexicon it ships, so nothing is downloaded at run time, and it handles negation ("not
helpful"), intensifiers ("very") and punctuation. Its ``compound`` score runs from -1
(most negative) to 1; its authors read below -0.05 as negative and above 0.05 as
positive.

VADER was built on social-media text and knows little of a contact centre's vocabulary:
out of the box "Nobody actually solved my issue." scores +0.27 (it does not take
"nobody" as a negation) and "still not fixed", "waited", "unhelpful" carry no weight.
``DOMAIN_VALENCES`` adds such words on VADER's -4..4 scale, only words its lexicon
lacks, so its published scores for everything else are unchanged. dbt calls
:func:`compound_score` as ``csops_sentiment(text)`` (csops/dbt_functions.py).
"""

from __future__ import annotations

import functools
import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Word -> valence on VADER's scale (-4..4), for customer-service words VADER's lexicon
# lacks. Moderate values: a word here tilts a comment, it does not decide it.
DOMAIN_VALENCES = {
    # speed of getting an answer
    "quick": 1.0, "quickly": 1.0, "fast": 1.0, "promptly": 1.2, "speedy": 1.2,
    "slow": -1.2, "slowly": -0.8, "forever": -1.0, "waited": -0.8, "waiting": -0.8, "wait": -0.5,
    "unanswered": -1.5,
    # resolution
    "fixed": 1.3, "sorted": 1.2, "working": 0.8, "works": 0.8, "unfixed": -1.5, "unresolved": -1.8,
    "unsolved": -1.8, "again": -0.5, "twice": -0.6,
    # the agent
    "patient": 1.5, "polite": 1.8, "unhelpful": -1.8, "uninterested": -1.5,
    "disinterested": -1.5, "helpfull": 1.8, "unhelpfull": -1.8, "knowledgeable": 1.5,
    # money and parcels
    "overcharged": -2.0, "refunded": 1.0, "late": -0.8,
}

# VADER's negation list lacks these; rewritten to a negation it knows before scoring.
_NOBODY = re.compile(r"\b(nobody|no[ -]one|noone)\b", re.IGNORECASE)


@functools.cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Built on first use, not at import: reading VADER's lexicon file takes a moment.
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update({word: value for word, value in DOMAIN_VALENCES.items() if word not in analyzer.lexicon})
    return analyzer


def compound_score(text: str | None) -> float | None:
    """VADER's compound score of ``text`` in [-1, 1], to 4 decimals; None for no text (total: never raises)."""
    if not isinstance(text, str) or not text.strip():
        return None
    return round(_analyzer().polarity_scores(_NOBODY.sub("not anybody", text))["compound"], 4)
