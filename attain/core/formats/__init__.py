"""Number formats per language (``FORMAT_MODULE_PATH``): Django's own zh-hans format does
not group thousands, so Chinese pages showed 1234567 where English ones showed 1,234,567.
Chinese business documents group by thousands with a comma, as English ones do."""
