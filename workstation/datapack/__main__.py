import sys

from workstation.datapack.build import main

sys.exit(main())
