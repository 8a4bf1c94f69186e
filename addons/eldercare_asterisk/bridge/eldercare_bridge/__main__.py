"""``python3 -m eldercare_bridge [--options]`` (see --help; env vars EC_*)."""

import asyncio
import logging
import sys

from .config import Config
from .spool import SpoolLocked


def main(argv=None):
    cfg = Config.from_env(argv=sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=getattr(logging, str(cfg.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("eldercare_bridge").info("config: %s", cfg.redacted())
    from .app import run

    try:
        asyncio.run(run(cfg))
    except SpoolLocked as exc:
        logging.getLogger("eldercare_bridge").error("%s", exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
