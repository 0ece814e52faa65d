"""Cadre "8+4" compliance and "1+100" coverage: stored facts, judged when asked.

* ``facts``: the async projection ``CadreCompliance`` and its tables, written
  exactly once from the log, with no "now" in them;
* ``verdicts``: the live queries that load those facts and let the domain's
  ``judge`` decide a cadre's standing, a unit's roll-up and a list's coverage
  with the caller's ``now``.
"""
