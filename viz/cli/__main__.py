"""``python -m viz.cli ...`` runs ``chainrule ...``."""

import sys

from .main import main

sys.exit(main())
