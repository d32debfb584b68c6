"""Why a sentence gives the rows it gives: tokens, annotations, rule matches, rows.

For pattern authors: `extract explain "In the placebo group, pain fell to 3.1 ± 1.2."`
prints each token with what annotation made of it (a statistic and its shape, a
vocabulary term and its canonical name), every rule that matched and its slots, and the
rows the sentence produces with the rule that made each.
"""

from __future__ import annotations

from extractor.pipeline import Extractor, extract_document


def explain(text: str, extractor: Extractor) -> str:
    from extractor.annotate.document import annotate

    lines: list[str] = []
    chunks = list(extractor.splitter.docs(text))
    sentences = annotate(text, chunks, extractor.prose.parser, extractor.prose.terms)
    docs = {id(s.span.doc): (s.span.doc, s.features) for s in sentences}
    for doc, features in docs.values():
        lines.append("tokens:")
        for token in doc:
            note = []
            feature = features[token.i]
            if feature.is_stat:
                stat = feature.stat
                attached = {
                    k: v
                    for k, v in vars(stat).items()
                    if v not in (None, False, "")
                    and k not in ("start", "end", "text", "value_end", "shape", "kind")
                }
                note.append(f"stat {stat.shape} {attached}")
            if feature.vocab:
                note.append(f"{feature.vocab}: {feature.canonical} {feature.category}".rstrip())
            lines.append(f"  {token.i:3} {token.text!r:28} {'; '.join(note)}")
        lines.append("rules:")
        for m in extractor.prose.rules.matches(features, 0, len(doc)):
            slots = {k: [doc[i].text for i in v] for k, v in m.slots.items()}
            lines.append(f"  {m.rule.id:32} {doc[m.start : m.end].text!r} {slots}")
    lines.append("rows:")
    result = extract_document(text.encode("utf-8"), "explain.txt", extractor)
    for row in result.evidence:
        fields = {
            k: v
            for k, v in row.as_row().items()
            if v not in (None, "", [])
            and k
            not in (
                "quote",
                "quote_start",
                "quote_end",
                "id",
                "doc_id",
                "rule",
                "char_start",
                "char_end",
            )
        }
        mention = (result.text or "")[row.char_start : row.char_end]
        lines.append(f"  {row.rule:30} «{mention}» {fields}")
    return "\n".join(lines)
