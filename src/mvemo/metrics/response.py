"""Generated-text responses: the parser P(r) and the Error Rate (MVEmo eq. 21-22).

Models that generate text (LLMs, MLLMs) are asked to answer in the fixed format::

    Emotion Category: <category>, Emotion Intensity: <intensity>

:func:`parse_response` reads that format tolerantly (case, spacing, markdown,
surrounding text, a newline or semicolon instead of the comma) but strictly about the
label sets: the category must be one of the 28 categories and the intensity one of
0.0, 0.1, ..., 1.0.  The Error Rate is the share of responses that fail the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from mvemo.errors import ParameterError
from mvemo.representation import default_circumplex, normalize_category_name

__all__ = ["ParsedResponse", "parse_response", "parse_responses", "error_rate"]

# Markdown emphasis, code and heading marks; removed before matching.
_MARKDOWN = re.compile(r"[*`#>]+|(?<!\w)_+|_+(?!\w)")
_CATEGORY = re.compile(
    r"emotion[\s_-]*category\s*[:=\uff1a]\s*[\"'\[(]?\s*(?P<value>[^\n,;:\"'\])]*?)\s*[\"'\])]?\s*"
    r"(?=[,;\n.]|emotion[\s_-]*intensity|$)",
    re.IGNORECASE,
)
_INTENSITY = re.compile(
    r"emotion[\s_-]*intensity\s*[:=\uff1a]\s*[\"'\[(]?\s*(?P<value>[^\s,;\"'\])]*)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[+]?(?:\d+(?:\.\d*)?|\.\d+)$")


@dataclass(frozen=True, slots=True)
class ParsedResponse:
    """Result of parsing one response.

    Attributes
    ----------
    category : str or None
        The category, normalised (``None`` if the response failed).
    intensity : float or None
        The intensity on the 0.1 grid (``None`` if the response failed).
    error : str or None
        Why the response failed: ``"ill-formatted: ..."``, ``"category outside the
        label set: ..."`` or ``"intensity outside the label set: ..."``; ``None`` if valid.
    """

    category: str | None
    intensity: float | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True if the response is well-formatted and inside the label sets."""
        return self.error is None


def _single(matches: list[str], field: str) -> tuple[str | None, str | None]:
    values = {m.strip().rstrip(".").strip() for m in matches}
    if not values:
        return None, f"ill-formatted: no 'Emotion {field}:' field"
    if len(values) > 1:
        return None, f"ill-formatted: conflicting 'Emotion {field}' values {sorted(values)}"
    return values.pop(), None


def parse_response(response: str | None) -> ParsedResponse:
    """Parse one generated response in the fixed MVEmo answer format.

    Parameters
    ----------
    response : str or None
        Raw model output; ``None`` (no response) counts as ill-formatted.

    Returns
    -------
    ParsedResponse

    Examples
    --------
    >>> parse_response("**Emotion Category:** Sad, **Emotion Intensity:** 0.7")
    ParsedResponse(category='sad', intensity=0.7, error=None)
    >>> parse_response("Emotion Category: nostalgic, Emotion Intensity: 0.5").error
    "category outside the label set: 'nostalgic'"
    >>> parse_response("I think it is sad.").error
    "ill-formatted: no 'Emotion Category:' field"
    """
    if response is None:
        return ParsedResponse(None, None, "ill-formatted: empty response")
    if not isinstance(response, str):
        raise ParameterError(f"a response must be a string or None, got {type(response).__name__}")
    text = _MARKDOWN.sub(" ", response)
    if not text.strip():
        return ParsedResponse(None, None, "ill-formatted: empty response")
    cat_raw, err = _single([m.group("value") for m in _CATEGORY.finditer(text)], "Category")
    if err:
        return ParsedResponse(None, None, err)
    int_raw, err = _single([m.group("value") for m in _INTENSITY.finditer(text)], "Intensity")
    if err:
        return ParsedResponse(None, None, err)
    category = normalize_category_name(cat_raw)
    if category not in default_circumplex().categories:
        return ParsedResponse(None, None, f"category outside the label set: {cat_raw!r}")
    if not _NUMBER.match(int_raw):
        return ParsedResponse(None, None, f"intensity outside the label set: {int_raw!r}")
    value = float(int_raw)
    level = round(value * 10)
    if not (0 <= level <= 10 and abs(value * 10 - level) < 1e-6):
        return ParsedResponse(None, None, f"intensity outside the label set: {int_raw!r}")
    return ParsedResponse(category, level / 10, None)


def parse_responses(responses: Iterable[str | None]) -> list[ParsedResponse]:
    """Parse many responses; see :func:`parse_response`."""
    return [parse_response(r) for r in responses]


def error_rate(responses: Iterable[str | None | ParsedResponse]) -> float:
    """Share of responses that are ill-formatted or outside the label sets (MVEmo eq. 21-22).

    ``ER = (1/N) * sum_i 1[P(r_i) fails]``.

    Parameters
    ----------
    responses : iterable of str, None or ParsedResponse

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> error_rate(["Emotion Category: calm, Emotion Intensity: 0.3", "calm", None])
    0.6666666666666666
    """
    parsed = [r if isinstance(r, ParsedResponse) else parse_response(r) for r in responses]
    if not parsed:
        raise ParameterError("error_rate needs at least one response")
    return float(np.mean([not p.ok for p in parsed]))
