from mlpscan.cli import main

raise SystemExit(main())
