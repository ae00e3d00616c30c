import sys

from s11data.cli import main

sys.exit(main())
