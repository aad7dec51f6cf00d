"""Attain's calculation engine: scenarios in, targets, measures and payouts out.

Pure Python + Polars. Never imports Django or the apps (checked by import-linter).
"""
