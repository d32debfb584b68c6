"""PMC JATS (NLM) article XML -> `RawText`: the article as a reader would read it.

The rendering is the text every evidence span points into, so it is built for the
section finder and the matchers that already read text and PDF sources:

* the article title, then `Abstract` on its own line; a structured abstract's sections
  are labels at the start of their first paragraph (`Methods: We randomly ...`), which
  the section finder reads as sublabels of the abstract, as in a PubMed abstract;
* each body `<sec>` title is a heading line of its own (`2.1 Participants`), so known
  headings (patterns/sections.tsv) open sections and unknown ones stay subheadings;
* paragraphs are paragraphs, one line each, separated by a blank line; a table or figure
  placed inside a paragraph splits it there;
* `<table-wrap>` is a table block in the canonical form (xml_tables.py); figure
  captions are paragraphs starting with their label (`Figure 1. Flow of ...`);
* inline markup is dropped to its text (xml_text.py).

Back matter (references, acknowledgements, funding, conflicts, author contributions and
notes) is left out: none of it is this article's evidence, and a reference list is
thousands of numbers (years, volumes, pages) that would only be noise if a heading the
section finder does not know ("Literature Cited") let them through. Appendices
(`<app-group>`) are kept, because trials put outcome tables there, and so are tables and
figures gathered in a `<floats-group>` at the end of the article.

A file that breaks off or turns malformed after its front matter is read up to the fault,
with a warning saying where; a fault inside the front matter, an entity declaration or an
external reference makes the whole file an error.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from extractor.ingest.xml_safe import (
    Root,
    XmlSyntaxError,
    iterparse,
    local_name,
    read_all,
)
from extractor.ingest.xml_tables import table_lines, table_wrap_blocks
from extractor.ingest.xml_text import collapse, formula_text, inline_text
from extractor.types import IngestError, RawText

SOURCE_TYPE = "jats"

# DOCTYPE public identifiers of the NLM/JATS tag sets (Archiving, Publishing, Authoring).
_JATS_DOCTYPE_WORDS = ("JATS", "NLM", "Journal Archiving", "Journal Publishing")
_JATS_NAMESPACE_WORDS = ("jats", "nlm.nih.gov")

# Containers whose children are read as blocks.
_CONTAINERS = frozenset({"disp-quote", "boxed-text", "statement", "list-item", "def-item", "app"})
# Blocks that break a paragraph when placed inside it.
_PARAGRAPH_BREAKERS = frozenset(
    {
        "table-wrap",
        "table-wrap-group",
        "fig",
        "fig-group",
        "list",
        "disp-quote",
        "boxed-text",
        "statement",
        "def-list",
    }
)
# Not read anywhere in the body.
_SKIPPED = frozenset(
    {
        "supplementary-material",
        "ref-list",
        "fn-group",
        "glossary",
        "ack",
        "notes",
        "sec-meta",
        "media",
        "graphic",
        "alternatives",
    }
)
_MAIN_ABSTRACT_TYPES = frozenset({"", "structured", "abstract", "normal"})


def is_jats(root: Root) -> bool:
    """An NLM/JATS article: root `article` in no or a JATS namespace, recognised by its
    DOCTYPE, its namespace or its first child `front` (which JATS requires).

    DocBook also names its root `article`, with other DOCTYPEs and no `front`.
    """
    if root.tag != "article":
        return False
    if root.namespace and not any(w in root.namespace.lower() for w in _JATS_NAMESPACE_WORDS):
        return False
    if root.doctype_public and any(w in root.doctype_public for w in _JATS_DOCTYPE_WORDS):
        return True
    return root.first_child == "front" or bool(root.namespace)


def read_jats(data: bytes) -> RawText:
    """The readable text of a JATS article (plain or gzip bytes)."""
    article, warnings = parse_article(read_all(data))
    if local_name(article.tag) != "article":
        raise IngestError(
            f"XML, but not a PMC/JATS article or a PubMed record "
            f"(its root element is <{local_name(article.tag)}>)"
        )
    blocks = list(article_blocks(article))
    text = "\n\n".join(block for block in blocks if block)
    if not text.strip():
        raise IngestError("the JATS article has no title, abstract or body text")
    if _child(article, "body") is None:
        warnings.append("the article has no body: only its front matter was read")
    return RawText(pages=[text], source_type=SOURCE_TYPE, warnings=tuple(warnings), reflow=False)


def parse_article(xml: bytes) -> tuple[Element, list[str]]:
    """The article's element tree, and warnings about what could not be read.

    Parsing is safe (xml_safe). If the XML breaks after the front matter is complete, the
    tree built so far is kept: the abstract and every section before the fault are read.
    """
    if not xml.strip():
        raise IngestError("the file is empty")
    root: Element | None = None
    front_read = False
    depth = 0
    try:
        for event, element in iterparse(io.BytesIO(xml), ("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
            else:
                depth -= 1
                if depth == 1 and local_name(element.tag) == "front":
                    front_read = True
    except XmlSyntaxError as error:
        if root is None or not front_read:
            raise
        return root, [f"{error}; the article was read up to there"]
    if root is None:
        raise IngestError("the XML has no root element")
    return root, []


def article_blocks(article: Element) -> Iterator[str]:
    """Title, abstracts, body, appendices and floats, in reading order."""
    meta = _descendant(_child(article, "front"), "article-meta")
    title_group = _child(meta, "title-group")
    title = _child(title_group, "article-title")
    if title is not None:
        heading = inline_text(title)
        subtitle = _child(title_group, "subtitle")
        if subtitle is not None and inline_text(subtitle):
            heading = f"{heading}: {inline_text(subtitle)}"
        yield heading
    abstracts = [c for c in _children(meta, "abstract")]
    abstracts.sort(key=lambda a: a.get("abstract-type", "") not in _MAIN_ABSTRACT_TYPES)
    for abstract in abstracts:
        yield from abstract_blocks(abstract)
    body = _child(article, "body")
    if body is not None:
        yield from blocks(body)
    back = _child(article, "back")
    for app_group in _children(back, "app-group"):
        yield from blocks(app_group)
    floats = _child(article, "floats-group")
    if floats is not None:
        yield from blocks(floats)


def abstract_blocks(abstract: Element) -> Iterator[str]:
    """`Abstract`, then paragraphs; a section's title labels its first paragraph."""
    kind = abstract.get("abstract-type", "")
    title = _child(abstract, "title")
    if kind in _MAIN_ABSTRACT_TYPES:
        yield "Abstract"
    elif title is not None and inline_text(title):
        yield inline_text(title)
    yield from _abstract_content(abstract)


def _abstract_content(container: Element) -> Iterator[str]:
    for child in container:
        name = local_name(child.tag)
        if name == "sec":
            label = _section_title(child).rstrip(":.").strip()
            first = True
            for block in _abstract_content(child):
                if first and label:
                    yield f"{label}: {block}"
                else:
                    yield block
                first = False
            if first and label:  # a titled section with no text
                yield label
        elif name in ("title", "label"):
            continue
        else:
            yield from _block(child)


def blocks(container: Element) -> Iterator[str]:
    """The blocks (headings, paragraphs, tables, captions) of a body-like container."""
    for child in container:
        yield from _block(child)


def _block(element: Element) -> Iterator[str]:
    name = local_name(element.tag)
    if name in _SKIPPED:
        return
    if name == "sec":
        heading = _section_title(element)
        if heading:
            yield heading
        for child in element:
            if local_name(child.tag) not in ("title", "label"):
                yield from _block(child)
    elif name == "p":
        yield from _paragraph(element)
    elif name == "table-wrap":
        yield from table_wrap_blocks(element)
    elif name in ("table", "array"):  # a table without a wrap (no caption)
        yield "\n".join(table_lines(element))
    elif name == "fig":
        yield _figure_caption(element)
    elif name in ("table-wrap-group", "fig-group"):
        caption = _caption_text(element)
        if caption:
            yield caption
        for child in element:
            if local_name(child.tag) in ("table-wrap", "fig"):
                yield from _block(child)
    elif name in ("list", "def-list"):
        for item in element:
            if local_name(item.tag) in ("list-item", "def-item"):
                yield from _block(item)
    elif name == "disp-formula":
        text = formula_text(element)
        label = _child(element, "label")
        yield f"{text} {inline_text(label)}".strip() if label is not None else text
    elif name in _CONTAINERS or name == "app-group":
        title = _section_title(element)
        if title:
            yield title
        for child in element:
            if local_name(child.tag) not in ("title", "label"):
                yield from _block(child)
    elif name in ("title", "label", "caption"):
        return
    else:
        text = inline_text(element)
        if text:
            yield text


def _paragraph(paragraph: Element) -> Iterator[str]:
    """A paragraph's text; a table, figure or list inside it ends the text before it."""
    piece = Element("p")
    piece.text = paragraph.text
    for child in paragraph:
        if local_name(child.tag) in _PARAGRAPH_BREAKERS:
            text = inline_text(piece)
            if text:
                yield text
            yield from _block(child)
            piece = Element("p")
            piece.text = child.tail
        else:
            piece.append(child)
    text = inline_text(piece)
    if text:
        yield text


def _section_title(section: Element) -> str:
    """`2.1 Participants`: the section's label and title, as printed."""
    label = _child(section, "label")
    title = _child(section, "title")
    parts = [inline_text(e) for e in (label, title) if e is not None]
    return collapse(" ".join(p for p in parts if p))


def _figure_caption(figure: Element) -> str:
    label = _child(figure, "label")
    caption = _child(figure, "caption")
    label_text = inline_text(label).rstrip(".: ") if label is not None else "Figure"
    caption_text = inline_text(caption) if caption is not None else ""
    return f"{label_text}. {caption_text}".strip()


def _caption_text(element: Element) -> str:
    label = _child(element, "label")
    caption = _child(element, "caption")
    parts = [inline_text(e) for e in (label, caption) if e is not None]
    return collapse(" ".join(p for p in parts if p))


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]


def _descendant(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element.iter():
        if local_name(child.tag) == name:
            return child
    return None
