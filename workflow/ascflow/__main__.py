"""``python -m ascflow``: the console command (:mod:`ascflow.cli`)."""

import sys

from ascflow.cli import main

sys.exit(main())
