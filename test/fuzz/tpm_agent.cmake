# (area list; see test/fuzz/CMakeLists.txt)
