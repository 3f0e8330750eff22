// Sanitizes names for Kubernetes objects, labels and Argo templates (see Names.h).
#include "backends/k8s/Names.h"

#include <cctype>

namespace flyte::k8s {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// `s` without leading and trailing characters that are not alphanumeric.
std::string trim_to_alnum(std::string s) {
  size_t b = 0;
  while (b < s.size() && !alnum(s[b])) ++b;
  size_t e = s.size();
  while (e > b && !alnum(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::string dns_name(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok) {
      out += l;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  if (out.size() > max) out.resize(max);
  out = trim_to_alnum(out);
  return out.empty() ? "x" : out;
}

bool dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) out += (alnum(c) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (out.size() > 63) out.resize(63);
  return trim_to_alnum(out);
}

std::string template_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (alnum(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  if (out.size() > 128) out.resize(128);
  out = trim_to_alnum(out);
  return out.empty() ? "t" : out;
}

std::string secret_env(std::string_view secret) {
  std::string out = "FLYTE_SECRET_";
  for (char c : secret) {
    out += alnum(c) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  }
  return out;
}

}  // namespace flyte::k8s
