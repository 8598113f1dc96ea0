"""Stable paper ids, and the keys duplicates are found by.

A paper's id is chosen in this order (the first that the record has):

1. the value of ``--id-field`` when the user named one (normalised as below when it is a DOI,
   an arXiv id or an OpenAlex URL, else kept as given);
2. its DOI: ``doi:10.1234/abc`` (lowercased, ``https://doi.org/`` and ``doi:`` prefixes removed);
   an arXiv DOI (``10.48550/arXiv.2401.01234``) becomes the arXiv id, so the same preprint gets
   the same id from every source;
3. its arXiv id: ``arxiv:2401.01234`` or ``arxiv:hep-th/9901001`` (version suffix removed);
4. the id its source gives it: ``openalex:W2741809807``, ``s2:<paperId>``, or the ``id`` field of a
   JSON/CSV record as given;
5. ``title:`` and the first 16 hex digits of the SHA-1 of the normalised title.

A DOI comes before an arXiv id because a published paper's DOI names the version of record.
BibTeX citation keys and RIS ``ID`` values are local to one library, so they are not used as ids.
The normalised title is the title lowercased with every character that is not a letter or digit
removed: ``"Attention Is All You Need!"`` -> ``attentionisallyouneed``.
"""

from __future__ import annotations

import hashlib
import re

_DOI_PREFIX = re.compile(r"^\s*(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
_ARXIV_PREFIX = re.compile(
    r"^\s*(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.I
)
_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_ARXIV_IN_TEXT = re.compile(
    r"arxiv(?:\.org/(?:abs|pdf))?[:/ ]\s*(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})", re.I
)
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/|openalex:)([WASICPFTwasicpft]\d+)$", re.I)
_NOT_ALNUM = re.compile(r"[\W_]+")


def norm_doi(value: str) -> str | None:
    """A DOI without URL or ``doi:`` prefix, lowercased, or None when ``value`` is not one."""
    doi = _DOI_PREFIX.sub("", value).strip().lower()
    return doi if _DOI.match(doi) else None


def norm_arxiv(value: str) -> str | None:
    """An arXiv id without prefix, URL or version (``2401.01234``), or None when it is not one."""
    text = _ARXIV_PREFIX.sub("", value).strip()
    text = text.removesuffix(".pdf")
    match = _ARXIV.match(text)
    return match.group(1) if match else None


def arxiv_in_text(value: str) -> str | None:
    """The arXiv id named in a URL or note such as ``arXiv preprint arXiv:2401.01234``."""
    if "arxiv" not in value.lower():
        return None
    match = _ARXIV_IN_TEXT.search(value)
    return match.group(1) if match else None


def norm_source_id(value: str) -> str:
    """A source's own id, as given unless it is a DOI, arXiv id or OpenAlex id (then prefixed)."""
    value = value.strip()
    doi = norm_doi(value)
    if doi:
        return doi_id(doi)
    arxiv = norm_arxiv(value)
    if arxiv:
        return f"arxiv:{arxiv}"
    match = _OPENALEX.match(value)
    if match and "openalex" in value.lower():
        return f"openalex:{match.group(1).upper()}"
    return value


def doi_id(doi: str) -> str:
    """The id of a normalised DOI: ``doi:10.1234/abc``, or ``arxiv:...`` for an arXiv DOI."""
    match = _ARXIV_DOI.match(doi)
    if match:
        arxiv = norm_arxiv(match.group(1))
        if arxiv:
            return f"arxiv:{arxiv}"
    return f"doi:{doi}"


def title_key(title: str) -> str:
    """The normalised title: lowercase, letters and digits only."""
    return _NOT_ALNUM.sub("", title.lower())


def paper_id(
    title: str,
    *,
    doi: str | None = None,
    arxiv: str | None = None,
    source_id: str | None = None,
    explicit: str | None = None,
) -> str:
    """The paper's id by the precedence in this module's docstring (inputs already normalised)."""
    if explicit:
        return norm_source_id(explicit)
    if doi:
        return doi_id(doi)
    if arxiv:
        return f"arxiv:{arxiv}"
    if source_id:
        return source_id
    key = title_key(title) or title.lower()
    return (
        "title:" + hashlib.sha1(key.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:16]
    )
