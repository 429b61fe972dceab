"""``python -m workfront_async.testing serve --port N``: run the embedded Workfront.

The same command as ``workfront-async emulator serve`` (every option is
defined once, in the command line).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: returns 0 when the server stops; a usage error
    raises ``SystemExit`` with its exit status (as argparse does)."""
    from ..cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    code = cli_main(["emulator", *args])
    if code:
        raise SystemExit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
