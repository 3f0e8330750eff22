// C++ task functions for the cpp lit tests: one per case of the mapping.
#include <flyte/task.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace demo {

int64_t add(int64_t a, int64_t b) { return a + b; }

double mean(const std::vector<double>& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return xs.empty() ? 0 : s / static_cast<double>(xs.size());
}

std::string greet(const std::string& name, std::optional<int64_t> times) {
  std::string out;
  for (int64_t i = 0; i < times.value_or(1); ++i) out += "hello " + name + "\n";
  return out;
}

int64_t count(std::map<std::string, int64_t> m) { return static_cast<int64_t>(m.size()); }

int narrow(int64_t a) { return static_cast<int>(a); }

void mutate(std::string& s) { s += "!"; }

struct Stats {
  double mean;
  int64_t n;
};
Stats stats(const std::vector<double>& xs) { return {mean(xs), static_cast<int64_t>(xs.size())}; }

std::tuple<int64_t, std::string> pair(int64_t n) { return {n, std::to_string(n)}; }

int64_t twice(int64_t a) { return 2 * a; }
double twice(double a) { return 2 * a; }
std::string twice(const std::string& a) { return a + a; }

flyte::Tensor<float> relu(const flyte::Tensor<float>& x, flyte::Context& ctx) {
  ctx.log("relu");
  flyte::Tensor<float> y(x.shape());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : 0;
  return y;
}

void print(std::string s) { (void)s; }

}  // namespace demo
