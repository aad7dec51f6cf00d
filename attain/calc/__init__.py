"""The one adapter between the database and the calculation engine.

- :mod:`~attain.calc.sources`: SQL in, Arrow out (ADBC on PostgreSQL, ``sqlite3`` on a
  SQLite file, else Django's cursor);
- :mod:`~attain.calc.tables`: the engine's record tables, read in bulk;
- :mod:`~attain.calc.org`: the organisation with its assignment history;
- :mod:`~attain.calc.scenario`: a scenario document (parquet files) for a date range;
- :mod:`~attain.calc.periods`: the company's fiscal periods;
- :mod:`~attain.calc.cache`: one data fingerprint and one cache;
- :mod:`~attain.calc.run`: load → compute, the entry every app uses.

It uses the engine's public API only (``attain.engine``), and the apps call the engine
only through it. See ``docs/architecture.md`` and ``docs/engine-data.md``.
"""
