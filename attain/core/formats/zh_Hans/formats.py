"""zh-hans: thousands grouped with a comma, a point for decimals (1,234,567.50)."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
