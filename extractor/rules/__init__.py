"""Rules as data: `patterns/rules/*.yml` read strictly, compiled into one spaCy Matcher.

Each rule is an id, an action and a token pattern whose tokens may name a slot (`value`,
`arm`, `measure`, `time`, `unit`); see `patterns/rules/README.md` for the format. Every
evidence row names the rule that made it, and `extract eval` reports precision and recall
per rule.
"""
