"""Linking: from annotated sentences and rule matches to evidence rows.

The steps know no English: every word they react to comes from `patterns/` through the
rules' matches and the shared word lists. In data-flow order:

1. `readings`  each statistic's kind, from the best evidence rule that holds it, refined by
               the ConText modifiers whose scope covers it (blocked, change, event ...);
2. `arms`      the document's arms (declared once, mentioned often); `arm_linking`
               links each value to one of them;
3. `times`     baseline / follow-up and months, linked to values;
4. `measures`  the outcome phrases and terms; `measure_linking` gives each value its own;
5. `lists`     `respectively` lists, `versus` pairs and unlabelled pairs distributed;
6. `rows`      p-values and detached intervals attached, n filled, rows built.

`engine.py` runs these steps over a document, with the word lists of `word_lists.py`.
"""
