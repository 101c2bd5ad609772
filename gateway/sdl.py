"""The schema's SDL, checked in as gateway/schema.graphql.

python -m gateway.sdl          # rewrite gateway/schema.graphql from the code
python -m gateway.sdl --check  # exit 1 if the file differs from the code
"""

from __future__ import annotations

import sys
from pathlib import Path

from gateway.schema import schema

SDL_PATH = Path(__file__).with_name("schema.graphql")


def current_sdl() -> str:
    return str(schema) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if "--check" in args:
        if SDL_PATH.read_text(encoding="utf-8") != current_sdl():
            print(f"{SDL_PATH} is out of date: run python -m gateway.sdl", file=sys.stderr)
            return 1
        return 0
    SDL_PATH.write_text(current_sdl(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
