"""The SQL behind `extract export` and Datasette's meta-analysis queries: one text, two readers.

`extract export` runs these queries on the database file; the Datasette plugin offers the
same strings as canned queries (`meta_analysis_export`, `meta_analysis_comparisons`,
`score_trajectories`). Both register the same SQL functions (`register_functions`), so a
number downloaded from the browser and one exported on the command line come from one query.

How rows become meta-analysis rows (the README and docs/EVIDENCE.md say the same):

1. **Observations**: scores and changes (mean or median with SD/CI) are continuous;
   complications and proportions with a count or percent are dichotomous; effect estimates
   (HR, OR ...) are `effect`. The outcome is `measure`, else the words as written
   (`measure_text`).
2. **Duplicates merged**: the same value at the same study, arm, outcome and time is one
   row, whatever the number of sentences stating it; its `evidence_ids` and `quotes` list
   every mention. A follow-up value stated once with its time and once without ("improved to
   4.97", "4.97 at 12 months") is one row at that time.
3. **One value per point**: when a document states different values at one point, the one
   with an SD (or a count) wins, then the one stated most often, then the first;
   `distinct_values` and `all_values` show the others.
4. **n**: the row's own `n` when the extraction found one (its `n_source` as stored:
   `statistic`, `arm`, `population`, `column header`, `n row`); else a dichotomous row's
   own denominator (`statistic`); else the people sample size stated most often (ties: the
   larger) for the arm (`arm`), or for a name of the same arm in the document, its
   abbreviation or its shorter form (`arm, as "…"`); for rows without an arm, the whole
   study's (`population`). An arm never gets the whole trial's n: `study_n` shows it
   beside. No n found: `n_source = not stated`. An SD is taken as stated, else from a
   stated SE as SE × √n (`sd_source`).
5. **Comparisons**: at each study × outcome × time with two or more arms, the comparator
   is the arm whose name holds a comparator word of `patterns/arm_roles.tsv` (placebo,
   usual care, sham ...), or that abbreviates a name that does; when none or several do,
   the arm the document introduces last. Every other arm is an intervention compared with
   it: one row per comparison, in metafor's columns (m1i, sd1i, n1i, m2i, sd2i, n2i; ai, n1i,
   ci, n2i).
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

from extractor.review.export_words import ExportWords, arm_match, load_words

# The parameters every query takes; '' means "all".
PARAMS = ("measure", "doc_id")

# --- shared steps ------------------------------------------------------------------------

_DATA_TYPE = """case when e.kind in ('score', 'change') then 'continuous'
         when e.kind = 'effect' then 'effect' else 'dichotomous' end"""

# Sample sizes of the arms listed in a CTE `arm_keys (doc_id, group_name)`.
_SIZES = """sizes as (
  -- Sample sizes of people, per document and arm, with how often each N is stated.
  select doc_id, group_name, cast(value as integer) as n, count(*) as times
  from evidence
  where kind = 'sample_size' and value is not null and evidence_counts_people(measure)
  group by doc_id, group_name, cast(value as integer)
),
arm_sizes as (
  -- Most often stated first (a study restates its own N; a screened number appears once),
  -- ties: the larger.
  select a.doc_id, a.group_name,
    (select z.n from sizes z
      where z.doc_id = a.doc_id and z.group_name = a.group_name
      order by z.times desc, z.n desc limit 1) as arm_n,
    (select z.n from sizes z
      where z.doc_id = a.doc_id and evidence_arm_match(z.group_name, a.group_name) = 1
      order by z.times desc, z.n desc, z.group_name limit 1) as alias_n,
    (select z.group_name from sizes z
      where z.doc_id = a.doc_id and evidence_arm_match(z.group_name, a.group_name) = 1
      order by z.times desc, z.n desc, z.group_name limit 1) as alias_name,
    (select z.n from sizes z
      where z.doc_id = a.doc_id and z.group_name is null
      order by z.times desc, z.n desc limit 1) as study_n
  from arm_keys a
)"""

# The n of a row `p` (stated_n, data_type, denominator, group_name) with its arm's sizes `z`.
_N = """case
      when p.stated_n is not null then p.stated_n
      when p.data_type = 'dichotomous' and p.denominator is not null then p.denominator
      when p.group_name is null then z.study_n
      else coalesce(z.arm_n, z.alias_n) end"""
_N_SOURCE = """case
      when p.stated_n is not null then coalesce(p.stated_n_source, 'stated')
      when p.data_type = 'dichotomous' and p.denominator is not null then 'statistic'
      when p.group_name is null then
        case when z.study_n is not null then 'population' else 'not stated' end
      when z.arm_n is not null then 'arm'
      when z.alias_n is not null then 'arm, as "' || z.alias_name || '"'
      else 'not stated' end"""

_OBSERVATIONS = f"""
observations as (
  select e.id, e.doc_id, e.kind, e.group_name,
    coalesce(e.measure, e.measure_text) as measure,
    {_DATA_TYPE} as data_type,
    e.timepoint, e.months, e.statistic, e.value, e.unit, e.sd, e.se, e.ci_low, e.ci_high,
    e.count, e.denominator, e.percent, e.n as stated_n, e.n_source as stated_n_source,
    e.quote, e.char_start,
    evidence_time_as_stated(e.quote, e.quote_start, e.char_start, e.timepoint, e.months)
      as time_stated
  from evidence e
  where e.value is not null
    and coalesce(e.measure, e.measure_text) is not null
    and (e.kind in ('score', 'change', 'effect')
      or (e.kind in ('complication', 'proportion')
        and (e.count is not null or e.percent is not null)))
    and (:measure = '' or coalesce(e.measure, e.measure_text) = :measure)
    and (:doc_id = '' or e.doc_id = :doc_id)
),
timed as (
  -- A follow-up value stated with its time and again without it is one observation: the
  -- untimed mention takes the time of the timed one when exactly one time has that value.
  select o.*,
    case when o.months is null and o.timepoint = 'follow-up' then (
      select case when count(distinct t.months) = 1 then min(t.months) end
      from observations t
      where t.doc_id = o.doc_id and t.measure = o.measure and t.kind = o.kind
        and t.group_name is o.group_name and t.timepoint = 'follow-up'
        and t.months is not null and t.value = o.value)
    else o.months end as at_months
  from observations o
),
mentions as (
  select t.*,
    row_number() over same_value as nth,
    count(*) over same_value as mention_count,
    min(char_start) over same_value as first_at,
    group_concat(id, ' ') over same_value as evidence_ids,
    group_concat(quote, ' | ') over same_value as quotes,
    max(case when months is not null then time_stated end) over same_value as timed_label
  from timed t
  window same_value as (
    partition by doc_id, measure, kind, group_name, timepoint, at_months, value
    order by sd is null and se is null and count is null, char_start
    rows between unbounded preceding and unbounded following)
),
stated as (
  -- One row per distinct value at a point: the mention with an SD (or count) first, then
  -- the first in the document; every mention's id and quote kept.
  select id as evidence_id, doc_id, measure, kind, data_type, group_name, timepoint,
    at_months as months, coalesce(timed_label, time_stated) as time, statistic, value, unit,
    sd, se, ci_low, ci_high, count, denominator, percent, stated_n, stated_n_source,
    mention_count as mentions, first_at,
    evidence_ids, quotes
  from mentions
  where nth = 1
),
points as (
  select s.*,
    row_number() over point as pick,
    count(*) over point as distinct_values,
    group_concat(printf('%.10g', value), '; ') over point as all_values
  from stated s
  window point as (
    partition by doc_id, measure, kind, group_name, timepoint, months
    order by sd is null and se is null and count is null, mentions desc, first_at
    rows between unbounded preceding and unbounded following)
),
arm_keys as (select distinct doc_id, group_name from points),
{_SIZES},
sized as (
  select p.*, z.study_n, {_N} as n, {_N_SOURCE} as n_source
  from points p
  join arm_sizes z on z.doc_id = p.doc_id and z.group_name is p.group_name
),
with_sd as (
  -- An SD as stated, else from a stated SE: SD = SE × √n.
  select s.*,
    case when s.sd is not null then s.sd
         when s.se is not null and s.n > 0 then s.se * evidence_sqrt(s.n) end as export_sd,
    case when s.sd is not null then 'stated'
         when s.se is not null and s.n > 0 then 'SE × √n' end as sd_source
  from sized s
),
arm_rows as (
  select s.*,
    case when data_type = 'continuous' then value end as mean,
    case when data_type = 'effect' then value end as estimate,
    case when data_type = 'dichotomous' then
      coalesce(count, case when percent is not null and n is not null
        then cast(round(percent * n / 100.0) as integer) end) end as events,
    case when data_type = 'dichotomous' then
      case when count is not null then 'count'
           when percent is not null and n is not null then 'percent × n' end end
      as events_source,
    nullif(
      case when data_type = 'continuous' and export_sd is null then 'no SD; ' else '' end
      || case when n is null then 'no n; ' else '' end
      || case when statistic = 'median' then 'median; ' else '' end
      || case when distinct_values > 1 then distinct_values || ' values here; ' else '' end
      || case when data_type = 'dichotomous' and count is null and percent is not null
           then 'events from percent; ' else '' end,
      '') as checks
  from with_sd s
  where pick = 1
)"""

ARMS_SQL = f"""with {_OBSERVATIONS}
select doc_id as study, group_name as arm, measure, kind, data_type, timepoint, months, time,
  statistic, mean, export_sd as sd, sd_source, se, events, percent, estimate, n, n_source,
  study_n, unit, ci_low, ci_high,
  distinct_values, case when distinct_values > 1 then all_values end as all_values, mentions,
  rtrim(checks, '; ') as checks, evidence_id, evidence_ids, quotes
from arm_rows
order by study, measure, kind, arm is not null, arm,
  case timepoint when 'baseline' then 0 when 'follow-up' then 1 else 2 end,
  months is null, months
"""

COMPARISONS_SQL = f"""with {_OBSERVATIONS},
arm_first as (
  -- Where each arm is first named in its document.
  select doc_id, group_name, min(char_start) as first_at
  from evidence where group_name is not null
  group by doc_id, group_name
),
arm_words as (
  -- An arm's comparator word, from its own name or from another name of it in the same
  -- document ("NSM" takes the words of "non-surgical management"); its first mention
  -- under any of its names.
  select a.doc_id, a.group_name,
    coalesce(evidence_comparator_word(a.group_name),
      (select evidence_comparator_word(b.group_name) from arm_first b
        where b.doc_id = a.doc_id and evidence_arm_match(a.group_name, b.group_name) = 1
          and evidence_comparator_word(b.group_name) is not null
        order by b.first_at limit 1)) as comparator_word,
    (select min(b.first_at) from arm_first b
      where b.doc_id = a.doc_id and evidence_arm_match(a.group_name, b.group_name) > 0)
      as first_at
  from arm_first a
),
at_point as (
  select r.*, w.comparator_word, w.first_at as introduced_at,
    count(*) over pt as arms_here,
    sum(w.comparator_word is not null) over pt as worded_arms,
    row_number() over (
      partition by r.doc_id, r.measure, r.kind, r.timepoint, r.months
      order by w.comparator_word is null, w.first_at desc, r.group_name) as comparator_rank
  from arm_rows r
  join arm_words w on w.doc_id = r.doc_id and w.group_name = r.group_name
  window pt as (partition by r.doc_id, r.measure, r.kind, r.timepoint, r.months)
)
select i.doc_id as study, i.measure, i.kind, i.data_type, i.timepoint, i.months, i.time,
  i.group_name as intervention, c.group_name as comparator,
  case when c.worded_arms = 1 then 'comparator word "' || c.comparator_word || '"'
       when c.worded_arms > 1 then 'introduced last of the arms with comparator words'
       else 'introduced last' end as role_from,
  i.mean as m1i, i.export_sd as sd1i, i.events as ai, i.n as n1i, i.n_source as n1_source,
  c.mean as m2i, c.export_sd as sd2i, c.events as ci, c.n as n2i, c.n_source as n2_source,
  i.statistic, i.unit,
  nullif(rtrim(
    case when i.statistic is not c.statistic then 'statistics differ | ' else '' end
    || coalesce('intervention: ' || rtrim(i.checks, '; ') || ' | ', '')
    || coalesce('comparator: ' || rtrim(c.checks, '; '), ''), ' |'), '') as checks,
  i.evidence_ids as intervention_ids, c.evidence_ids as comparator_ids,
  i.quotes as intervention_quotes, c.quotes as comparator_quotes
from at_point i
join at_point c
  on c.doc_id = i.doc_id and c.measure = i.measure and c.kind = i.kind
  and c.timepoint is i.timepoint and c.months is i.months and c.comparator_rank = 1
where i.comparator_rank > 1 and i.data_type in ('continuous', 'dichotomous')
order by study, i.measure, i.kind,
  case i.timepoint when 'baseline' then 0 when 'follow-up' then 1 else 2 end,
  i.months is null, i.months, i.introduced_at
"""

TRAJECTORIES_SQL = f"""with {_OBSERVATIONS},
labelled as (
  select s.*,
    printf('%.10g', value)
      || case when sd is not null then ' (sd ' || printf('%.10g', sd) || ')' else '' end
      || case when ci_low is not null and ci_high is not null
           then ' (CI ' || printf('%.10g', ci_low) || ' to ' || printf('%.10g', ci_high) || ')'
           else '' end as point,
    coalesce(time, 'time not stated') as at
  from stated s
  where kind = 'score'
),
trajectories as (
  -- Aggregate window functions read rows in the window's order, so the values are
  -- concatenated in time order (a plain group_concat's order is unspecified).
  select doc_id, measure, group_name,
    group_concat(case when timepoint = 'baseline' then point end, ' | ') over w as baseline,
    group_concat(case when timepoint is not 'baseline' then at || ': ' || point end, '; ')
      over w as follow_ups,
    count(case when timepoint is not 'baseline' then 1 end) over w as n_follow_ups,
    first_value(stated_n) over w as stated_n,
    row_number() over w as pick
  from labelled
  window w as (
    partition by doc_id, measure, group_name
    order by timepoint is not 'baseline', months is null, months, first_at
    rows between unbounded preceding and unbounded following)
)
select t.doc_id, t.measure, t.group_name,
  coalesce(
    t.stated_n,
    case when t.group_name is null then z.study_n else coalesce(z.arm_n, z.alias_n) end
  ) as n,
  t.baseline, t.follow_ups, t.n_follow_ups
from trajectories t
join arm_sizes z on z.doc_id = t.doc_id and z.group_name is t.group_name
where t.pick = 1
order by t.doc_id, t.measure, t.group_name
"""


# The n of given evidence rows (`:ids`, a JSON list), by the export's rule: the Datasette
# pages show it beside each value.
ROW_N_SQL = f"""with picked as (
  select e.id, e.doc_id, e.kind, e.group_name, e.denominator, e.n as stated_n,
    e.n_source as stated_n_source, {_DATA_TYPE} as data_type
  from evidence e where e.id in (select value from json_each(:ids))
),
arm_keys as (select distinct doc_id, group_name from picked),
{_SIZES}
select p.id,
  case when p.data_type = 'effect' or p.kind = 'sample_size' then null else {_N} end as n,
  case when p.data_type = 'effect' or p.kind = 'sample_size' then null else {_N_SOURCE} end
    as n_source
from picked p
join arm_sizes z on z.doc_id = p.doc_id and z.group_name is p.group_name
"""


def _sqrt(x: float | None) -> float | None:
    return math.sqrt(x) if x is not None and x >= 0 else None


def register_functions(conn: sqlite3.Connection, words: ExportWords | None = None) -> None:
    """The SQL functions the queries above call, over one patterns folder's words."""
    words = words or load_words()
    conn.create_function("evidence_arm_match", 2, arm_match, deterministic=True)
    conn.create_function("evidence_comparator_word", 1, words.comparator_word, deterministic=True)
    conn.create_function(
        "evidence_counts_people", 1, lambda m: int(words.counts_people(m)), deterministic=True
    )
    conn.create_function("evidence_time_as_stated", 5, words.time_as_stated, deterministic=True)
    # SQLite's own sqrt() exists only when it was built with its math functions
    conn.create_function("evidence_sqrt", 1, _sqrt, deterministic=True)


def run_query(
    db_path: Path | str,
    sql: str,
    params: dict[str, Any] | None = None,
    words: ExportWords | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, rows) of one query on an evidence database, opened read-only."""
    values = {name: "" for name in PARAMS}
    values.update({k: ("" if v is None else v) for k, v in (params or {}).items()})
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        register_functions(conn, words)
        cursor = conn.execute(sql, values)
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
    finally:
        conn.close()
