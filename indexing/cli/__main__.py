"""`python -m indexing.cli` is `threadbot`."""

import sys

from . import main

sys.exit(main())
