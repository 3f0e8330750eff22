// The cron checker (see Cron.h).
#include "frontend/Cron.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace flyte {
namespace {

struct Field {
  const char* name;
  int lo, hi;
  std::vector<std::string_view> names;  // names[i] is the value lo + i
};

const std::array<Field, 5>& fields() {
  static const std::array<Field, 5> f = {{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day of month", 1, 31, {}},
      {"month",
       1,
       12,
       {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
      {"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
  }};
  return f;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A value of field `f`: digits within its range, or one of its names.
std::optional<int> value(const Field& f, const std::string& text, std::string& problem) {
  if (text.empty()) {
    problem = fmt::format("the {} has an empty value", f.name);
    return std::nullopt;
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < f.names.size(); ++i) {
    if (upper == f.names[i]) return f.lo + static_cast<int>(i);
  }
  if (text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos) {
    problem = fmt::format("'{}' is no {}", text, f.name);
    return std::nullopt;
  }
  int v = std::stoi(text);
  if (v < f.lo || v > f.hi) {
    problem = fmt::format("{} {} is outside {}-{}", f.name, v, f.lo, f.hi);
    return std::nullopt;
  }
  return v;
}

// One item of a field's comma list: `*`, `N`, `N-M`, each with an optional `/STEP`.
bool item(const Field& f, const std::string& text, std::string& problem) {
  std::vector<std::string> parts = split(text, '/');
  if (parts.size() > 2) {
    problem = fmt::format("'{}' in the {} has more than one '/'", text, f.name);
    return false;
  }
  if (parts.size() == 2) {
    const std::string& step = parts[1];
    if (step.empty() || step.size() > 3 ||
        step.find_first_not_of("0123456789") != std::string::npos || std::stoi(step) == 0 ||
        std::stoi(step) > f.hi) {
      problem =
          fmt::format("the step '{}' in the {} is not a number from 1 to {}", step, f.name, f.hi);
      return false;
    }
  }
  const std::string& range = parts[0];
  if (range == "*") return true;
  std::vector<std::string> ends = split(range, '-');
  if (ends.size() > 2) {
    problem = fmt::format("'{}' in the {} is no range", range, f.name);
    return false;
  }
  std::optional<int> a = value(f, ends[0], problem);
  if (!a) return false;
  if (ends.size() == 2) {
    std::optional<int> b = value(f, ends[1], problem);
    if (!b) return false;
    if (*b < *a) {
      problem = fmt::format("the {} range '{}' ends before it starts", f.name, range);
      return false;
    }
  }
  return true;
}

}  // namespace

std::string cron_problem(const std::string& expr) {
  std::istringstream in(expr);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  static const std::array<std::string_view, 7> kShorthands = {
      "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};
  if (words.size() == 1 && !words[0].empty() && words[0][0] == '@') {
    for (std::string_view s : kShorthands) {
      if (words[0] == s) return {};
    }
    return fmt::format("'{}' is no cron shorthand (@hourly, @daily, @weekly, @monthly, @yearly)",
                       words[0]);
  }
  if (words.size() != 5)
    return fmt::format("a cron schedule has five fields (minute hour day month weekday), not {}",
                       words.size());
  for (size_t i = 0; i < 5; ++i) {
    for (const std::string& it : split(words[i], ',')) {
      std::string problem;
      if (!item(fields()[i], it, problem)) return problem;
    }
  }
  return {};
}

}  // namespace flyte
