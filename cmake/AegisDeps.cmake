# Every external dependency comes through pkg-config as an imported target
# PkgConfig::<NAME>. scripts/install-deps installs the Debian packages behind them.
find_package(PkgConfig REQUIRED)

pkg_check_modules(TSS2_ESYS    REQUIRED IMPORTED_TARGET tss2-esys)
pkg_check_modules(TSS2_MU      REQUIRED IMPORTED_TARGET tss2-mu)
pkg_check_modules(TSS2_RC      REQUIRED IMPORTED_TARGET tss2-rc)
pkg_check_modules(TSS2_TCTILDR REQUIRED IMPORTED_TARGET tss2-tctildr)
pkg_check_modules(LIBCRYPTO    REQUIRED IMPORTED_TARGET libcrypto>=3.0)
pkg_check_modules(LIBSSL       REQUIRED IMPORTED_TARGET libssl>=3.0)
pkg_check_modules(PROTOBUF_C   REQUIRED IMPORTED_TARGET libprotobuf-c)
pkg_check_modules(GRPC         REQUIRED IMPORTED_TARGET grpc gpr)
pkg_check_modules(JANSSON      REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(LIBGPS       REQUIRED IMPORTED_TARGET libgps)
pkg_check_modules(CHECK        REQUIRED IMPORTED_TARGET check)
pkg_check_modules(SQLITE3      REQUIRED IMPORTED_TARGET sqlite3)

find_program(PROTOC_C protoc-c REQUIRED)
