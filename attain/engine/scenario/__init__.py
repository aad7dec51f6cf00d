"""Load a scenario (spec sections 1-7, 9) and check everything section 10 asks for.

``load_scenario(path)`` returns ``(scenario, problems)``: a typed, frozen
:class:`~attain.engine.model.Scenario` when there is no problem, else ``None`` and every
problem found (the loader never stops at the first one).

One module per part of the document, each a set of functions that take the shared
:class:`~attain.engine.scenario.reader.Reader` (where problems go):

- ``document``: the file, the top-level settings and the order the sections are read in;
- ``reader``: the small typed readers (text, number, date, period, lists of rows …);
- ``org``: units and people; ``usage``: which fields of each record table are used;
- ``records``: record tables and their row checks; ``measures``: measures;
- ``targets``, ``decompositions``, ``plans`` and ``components`` (a plan's components).
"""

from .document import load_scenario, scenario_from_data

__all__ = ["load_scenario", "scenario_from_data"]
