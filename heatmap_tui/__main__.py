from heatmap_tui.cli import main

raise SystemExit(main())
