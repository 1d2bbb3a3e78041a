# (area list; see test/integration/CMakeLists.txt)
