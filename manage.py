#!/usr/bin/env python
"""Django's command-line utility; `attain` does the same and more."""

import sys

from attain.cli import main

if __name__ == "__main__":
    sys.exit(main())
