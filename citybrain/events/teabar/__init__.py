"""市民茶话吧 (the citizens' tea bar): public discussion threads."""
