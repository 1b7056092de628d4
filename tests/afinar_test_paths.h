// Where tests find the checkout, ../shared, the golden fixtures and the afinar binary. The values
// live in one generated source file per test executable (tests/CMakeLists.txt), so no compile
// command carries an absolute path and ccache reuses test objects across clones.
#pragma once

namespace afinar_test {
const char* source_dir();
const char* shared_dir();
const char* fixtures_dir();
const char* afinar_binary();
}  // namespace afinar_test

#define AFINAR_SOURCE_DIR (::afinar_test::source_dir())
#define AFINAR_SHARED_DIR (::afinar_test::shared_dir())
#define AFINAR_FIXTURES_DIR (::afinar_test::fixtures_dir())
#define AFINAR_BINARY (::afinar_test::afinar_binary())
