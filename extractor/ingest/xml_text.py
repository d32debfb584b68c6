"""Inline XML content (JATS and PubMed) -> one line of readable text.

Inside a paragraph, a title or a table cell, markup is dropped to its text: emphasis,
cross-references (`see Table <xref>2</xref>` reads `see Table 2`), named content, links.
What the markup means for a reader is kept in plain characters, written the way the
project's text sources (pandoc markdown) write it, so one pattern set reads both:

* a superscript is `^x^` (`10<sup>4</sup>` -> `10^4^`, a footnote marker `12.3^a^`);
  a superscript made only of citations becomes ` [12]`, which the matchers know as a
  citation of someone else's result;
* a subscript is its text (`HbA<sub>1c</sub>` -> `HbA1c`, `CO<sub>2</sub>` -> `CO2`);
* a footnote cross-reference in a table (`<xref ref-type="table-fn">a</xref>`) is a
  marker `^a^` even without a superscript;
* MathML is read as a formula would be typed (`p < 0.05`, `x^2^`, `(a)/(b)`), TeX
  as its source when there is no MathML;
* whitespace is collapsed; a line break inside a cell or a title becomes a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from extractor.ingest.xml_safe import local_name

# Elements whose content is not text of the document at this place.
_SKIP = frozenset(
    {
        "graphic",
        "inline-graphic",
        "media",
        "inline-supplementary-material",
        "fn",
        "alt-text",
        "long-desc",
        "object-id",
        "annotation",
        "annotation-xml",
    }
)
# Elements that separate words like a paragraph break does when found inside a cell.
_BLOCKISH = frozenset(
    {"p", "title", "list", "list-item", "disp-formula", "def", "term", "break", "label", "tr"}
)
_CITATION_TYPES = frozenset({"bibr"})
_FOOTNOTE_TYPES = frozenset({"table-fn", "fn"})
# MathML operators read with a space on each side: relations and ± ×.
_SPACED_OPERATORS = frozenset("=<>≤≥≠≈±×÷∼~≪≫⩽⩾") | {"<=", ">="}
_WHITESPACE = re.compile(r"\s+")
_CITATION_FILLER = re.compile(r"^[\s,;–—\-]*$")


def collapse(text: str) -> str:
    """One space between words, none at the ends (every Unicode space counts)."""
    return " ".join(text.split())


def inline_text(element: Element) -> str:
    """The readable text of `element`'s content, on one line."""
    return collapse("".join(_pieces(element)))


def _pieces(element: Element) -> Iterable[str]:
    """Text of `element`'s content (not its tail)."""
    children = list(element)
    if element.text:
        yield _trim_layout(element.text, children[0] if children else None)
    for index, child in enumerate(children):
        yield from _child(child)
        if child.tail:
            following = children[index + 1] if index + 1 < len(children) else None
            yield _trim_layout(child.tail, following)


_SCRIPTS = ("sub", "sup")


def _trim_layout(text: str, following: Element | None) -> str:
    """Drop the indentation that pretty-printing put before a sub/superscript.

    PubMed writes `&#946;\\n\\t\\t<sub>2</sub>-agonist`: the newline and tabs are layout,
    not a space in the text (`β2-agonist`). A plain space stays (`10 <sup>4</sup>`), and
    so does a line break after one (`CO<sub>2</sub>\\n levels` is two words).
    """
    if "\n" not in text:
        return text
    if following is not None and local_name(following.tag) in _SCRIPTS:
        stripped = text.rstrip()
        if "\n" in text[len(stripped) :]:
            text = stripped
    return text


def _child(child: Element) -> Iterable[str]:
    name = local_name(child.tag)
    if name in _SKIP:
        return
    if name == "math":
        yield math_text(child)
        return
    if name in ("inline-formula", "disp-formula", "alternatives"):
        yield " " + formula_text(child) + " " if name == "disp-formula" else formula_text(child)
        return
    if name == "tex-math":
        yield tex_text(child)
        return
    if name == "sup":
        yield _superscript(child)
        return
    if name == "xref" and child.get("ref-type") in _FOOTNOTE_TYPES:
        marker = inline_text(child)
        yield marker if not marker or "^" in marker else f"^{marker}^"
        return
    if name in _BLOCKISH:
        yield " "
        yield from _pieces(child)
        yield " "
        return
    yield from _pieces(child)


def _superscript(sup: Element) -> str:
    text = inline_text(sup)
    if not text:
        return ""
    if _only_citations(sup):
        return f" [{text}]"  # "shown before<sup>4</sup>" reads "shown before [4]"
    if "^" in text:  # a footnote xref inside already wrote its marker
        return text
    return f"^{text}^"


def _only_citations(sup: Element) -> bool:
    """A superscript holding citation cross-references and separators only."""
    children = list(sup)
    if not children or any(
        local_name(c.tag) != "xref" or c.get("ref-type") not in _CITATION_TYPES for c in children
    ):
        return False
    fillers = [sup.text or ""] + [c.tail or "" for c in children]
    return all(_CITATION_FILLER.match(f) for f in fillers)


def formula_text(formula: Element) -> str:
    """A formula as text: its MathML if it has any, else its TeX, else its plain text."""
    for element in formula.iter():
        if local_name(element.tag) == "math":
            return math_text(element)
    for element in formula.iter():
        if local_name(element.tag) == "tex-math":
            return tex_text(element)
    return inline_text(formula)


_TEX_DOCUMENT = re.compile(r"\\begin\{document\}(.*?)\\end\{document\}", re.S)


def tex_text(element: Element) -> str:
    """The TeX source of a formula, without a wrapping LaTeX document or `$` signs."""
    tex = "".join(element.itertext())
    document = _TEX_DOCUMENT.search(tex)
    if document:
        tex = document.group(1)
    return collapse(tex.replace("$", " ").replace("\\[", " ").replace("\\]", " "))


def math_text(element: Element) -> str:
    """MathML read as typed text: `<mi>p</mi><mo>&lt;</mo><mn>0.05</mn>` -> `p < 0.05`."""
    return collapse(_math(element))


def _math(element: Element) -> str:
    name = local_name(element.tag)
    children = [c for c in element if local_name(c.tag) not in ("annotation", "annotation-xml")]
    if name in ("mi", "mn", "mtext", "ms"):
        return "".join(element.itertext())
    if name == "mo":
        operator = "".join(element.itertext()).strip()
        return f" {operator} " if operator in _SPACED_OPERATORS else operator
    if name == "mspace":
        return " "
    if name == "semantics":
        return _math(children[0]) if children else ""
    parts = [_math(c) for c in children]
    if name == "msup" and len(parts) == 2:
        return f"{parts[0]}^{parts[1].strip()}^"
    if name == "msub" and len(parts) == 2:
        return f"{parts[0]}{parts[1]}"
    if name == "msubsup" and len(parts) == 3:
        return f"{parts[0]}{parts[1]}^{parts[2].strip()}^"
    if name == "mfrac" and len(parts) == 2:
        return f"{_grouped(parts[0])}/{_grouped(parts[1])}"
    if name == "msqrt":
        return f"√{_grouped(''.join(parts))}"
    if name == "mroot" and len(parts) == 2:
        return f"{parts[1]}√{_grouped(parts[0])}"
    if name == "mfenced":
        opening, closing = element.get("open", "("), element.get("close", ")")
        return opening + element.get("separators", ",")[:1].join(parts) + closing
    return "".join(parts)


def _grouped(text: str) -> str:
    text = text.strip()
    simple = re.fullmatch(r"[\w.,]+", text)
    return text if simple else f"({text})"
