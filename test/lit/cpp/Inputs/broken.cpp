// A C++ task file that does not compile.
#include <cstdint>

namespace demo {
int64_t add(int64_t a, int64_t b) { return a + b }
}  // namespace demo
