"""`python app.py [--host H] [--port N]`: the chat UI, the same as `esgqa serve`."""

import sys

from esgqa.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
