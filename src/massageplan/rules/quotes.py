"""The article's sentences, kept as digests: enough to check that a quote is
the article's, without shipping the article (it is Soothe's, not ours to
relicense).

``rules/article.sentences`` holds one digest per sentence of the article.
Run ``python -m massageplan.rules.quotes ARTICLE > rules/article.sentences``
to make it from the article's text.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable

DIGESTS_FILE = "article.sentences"
_QUOTE_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_CITATION = re.compile(r"\[\d+\]")  # the article's reference marks, not part of a sentence
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def fold(text: str) -> str:
    """Whitespace as single spaces, and curly quotes straight."""
    return " ".join(text.translate(_QUOTE_FOLD).split())


def sentences(text: str) -> list[str]:
    """The sentences of a text, folded: each line (a paragraph or a heading) is
    split after '.', '!' or '?', and the reference marks ('[1]') are left out."""
    found = []
    for line in text.splitlines():
        folded = fold(_CITATION.sub("", line))
        found += [s for s in _SENTENCE_END.split(folded) if s]
    return found


def digest(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()


def digests(text: str) -> list[str]:
    """The digest of each sentence of the article, in its order."""
    return [digest(s) for s in sentences(text)]


def read_digests(lines: Iterable[str]) -> frozenset[str]:
    """The digests of a digests file ('#' starts a comment)."""
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_the_articles(quote: str, known: frozenset[str]) -> bool:
    """Whether ``quote`` is one or more whole sentences of the article."""
    said = sentences(" ".join(quote.splitlines()))
    return bool(said) and all(digest(s) in known for s in said)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m massageplan.rules.quotes ARTICLE > rules/article.sentences")
        return 2
    with open(args[0], encoding="utf-8") as article:
        text = article.read()
    print("# SHA-256 of each sentence of the article (massageplan.rules.quotes), in its order.")
    print("# The article is Soothe's; these let a quote be checked without shipping it.")
    for line in digests(text):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
