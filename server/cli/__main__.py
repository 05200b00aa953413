"""`python -m server.cli`: the same commands as the `pairboard` script."""

import sys

from server.cli import main

sys.exit(main())
