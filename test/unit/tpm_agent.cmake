# (area list; see test/unit/CMakeLists.txt)
