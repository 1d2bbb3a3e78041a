# (filled in by the commit that adds its tests)
