import sys

from responder.entry import main

if __name__ == "__main__":
    sys.exit(main())
