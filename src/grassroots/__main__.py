from grassroots.cli import main

raise SystemExit(main())
