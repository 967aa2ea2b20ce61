"""``python -m precedent``: see :mod:`precedent.cli`."""
import sys

from .cli import main

sys.exit(main())
