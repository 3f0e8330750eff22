// The `--verify` consumer.
#include "ir/diag/Verify.h"

#include <fmt/format.h>

#include <optional>
#include <string>

namespace flyte {
namespace {

struct Expectation {
  Severity severity;
  FileId file;
  uint32_t line;
  std::optional<DiagCode> code;
  std::string substring;
  bool matched = false;
};

struct Problem {
  std::string text;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses every `expected-KIND[@LINE] {{TEXT}}` in one comment.
void parse_comment(const SourceManager& sm, SourceRange c, std::vector<Expectation>& out,
                   std::vector<std::string>& problems) {
  std::string_view text = sm.text(c.file).substr(c.begin, c.end - c.begin);
  uint32_t comment_line = sm.line_column(c.file, c.begin).line;
  size_t pos = 0;
  while ((pos = text.find("expected-", pos)) != std::string_view::npos) {
    size_t start = pos;
    pos += 9;
    Severity sev;
    if (text.substr(pos, 5) == "error") {
      sev = Severity::Error;
      pos += 5;
    } else if (text.substr(pos, 7) == "warning") {
      sev = Severity::Warning;
      pos += 7;
    } else if (text.substr(pos, 4) == "note") {
      sev = Severity::Note;
      pos += 4;
    } else {
      continue;
    }
    std::string where = fmt::format("{}:{}", sm.name(c.file), comment_line);
    int64_t line = comment_line;
    if (pos < text.size() && text[pos] == '@') {
      ++pos;
      bool relative = pos < text.size() && (text[pos] == '+' || text[pos] == '-');
      int sign = relative && text[pos] == '-' ? -1 : 1;
      if (relative) ++pos;
      size_t digits_start = pos;
      int64_t n = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && n < 1000000)
        n = n * 10 + (text[pos++] - '0');
      if (pos == digits_start) {
        problems.push_back(where + ": malformed line offset in '" +
                           std::string(text.substr(start, pos - start)) + "'");
        continue;
      }
      line = relative ? line + sign * n : n;
    }
    size_t open = text.find("{{", pos);
    size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos ||
        !trim(text.substr(pos, open - pos)).empty()) {
      problems.push_back(where + ": expected '{{...}}' after '" +
                         std::string(text.substr(start, pos - start)) + "'");
      continue;
    }
    if (line < 1 || line > sm.line_count(c.file)) {
      problems.push_back(where + ": expectation names line " + std::to_string(line) +
                         ", which is not in the file");
      pos = close + 2;
      continue;
    }
    std::string_view body = trim(text.substr(open + 2, close - open - 2));
    Expectation e{sev, c.file, static_cast<uint32_t>(line), std::nullopt, "", false};
    // `E0301`, `E0301: words` or just `words`.
    std::string_view head = body.substr(0, body.find(':'));
    if (auto code = diag_code_from_name(trim(head))) {
      e.code = code;
      if (head.size() < body.size()) e.substring = trim(body.substr(head.size() + 1));
    } else {
      e.substring = body;
    }
    out.push_back(std::move(e));
    pos = close + 2;
  }
}

bool matches(const Expectation& e, Severity sev, DiagCode code, const std::string& message,
             FileId file, uint32_t line) {
  if (e.matched || e.severity != sev || !(e.file == file) || e.line != line) return false;
  if (e.code && *e.code != code) return false;
  return message.find(e.substring) != std::string::npos;
}

}  // namespace

bool verify_diagnostics(const SourceManager& sm, const std::vector<VerifyInput>& inputs,
                        const std::vector<Diagnostic>& diags, std::ostream& out) {
  std::vector<Expectation> expected;
  std::vector<std::string> problems;
  bool check_notes = false;
  for (const VerifyInput& in : inputs) {
    for (SourceRange c : in.comments) parse_comment(sm, c, expected, problems);
  }
  for (const Expectation& e : expected) check_notes |= e.severity == Severity::Note;

  std::vector<std::string> unexpected;
  auto line_of = [&](SourceRange r) {
    return r.file.valid() ? sm.line_column(r.file, r.begin).line : 0;
  };
  for (const Diagnostic& d : diags) {
    uint32_t line = line_of(d.range);
    bool found = false;
    for (Expectation& e : expected) {
      if (matches(e, d.severity, d.code, d.message, d.range.file, line)) {
        e.matched = found = true;
        break;
      }
    }
    if (!found) {
      unexpected.push_back(fmt::format(
          "  {}:{}: {}[{}]: {}", d.range.file.valid() ? sm.name(d.range.file) : "<unknown>", line,
          severity_name(d.severity), diag_code_name(d.code), d.message));
    }
    if (!check_notes) continue;
    for (const DiagNote& n : d.notes) {
      if (!n.range) continue;
      uint32_t nline = line_of(*n.range);
      bool note_found = false;
      for (Expectation& e : expected) {
        if (matches(e, Severity::Note, d.code, n.message, n.range->file, nline) ||
            (!e.code &&
             matches(e, Severity::Note, DiagCode::Count, n.message, n.range->file, nline))) {
          e.matched = note_found = true;
          break;
        }
      }
      if (!note_found) {
        unexpected.push_back(
            fmt::format("  {}:{}: note: {}", sm.name(n.range->file), nline, n.message));
      }
    }
  }

  bool ok = problems.empty() && unexpected.empty();
  for (const std::string& p : problems) out << "verify: error: " << p << '\n';
  std::string missing;
  for (const Expectation& e : expected) {
    if (e.matched) continue;
    ok = false;
    missing += fmt::format("  {}:{}: {} {}{}{}\n", sm.name(e.file), e.line,
                           severity_name(e.severity), e.code ? diag_code_name(*e.code) : "",
                           e.code && !e.substring.empty() ? ": " : "", e.substring);
  }
  if (!missing.empty()) out << "verify: error: diagnostics expected but not seen:\n" << missing;
  if (!unexpected.empty()) {
    out << "verify: error: diagnostics seen but not expected:\n";
    for (const std::string& u : unexpected) out << u << '\n';
  }
  return ok;
}

}  // namespace flyte
