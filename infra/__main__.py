"""``python -m infra``: see infra/cli.py."""

from infra.cli import main

main()
