"""`python -m emulator` is the same as the `job-emulator` command."""

from .cli import main

raise SystemExit(main())
