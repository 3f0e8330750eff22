// Text, JSON and SARIF renderers for diagnostics.
#include "ir/diag/DiagnosticRender.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/Version.h"

namespace flyte {
namespace {

using nlohmann::json;

struct Span {
  LineColumn begin;
  LineColumn end;
};

Span span_of(const SourceManager& sm, SourceRange r) {
  Span s{sm.line_column(r.file, r.begin), sm.line_column(r.file, r.end)};
  if (s.end.line < s.begin.line || (s.end.line == s.begin.line && s.end.column < s.begin.column))
    s.end = s.begin;
  return s;
}

const char* color_of(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
  }
  return "";
}

// Excerpts of lines longer than this many columns show a window of this width around
// the caret, with `...` where the line was cut.
constexpr uint32_t kExcerptColumns = 120;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The byte offset `n` code points before (or after) `at` in `line`, stopping at its ends;
// `n` is lowered by the code points actually passed.
size_t step_back(std::string_view line, size_t at, uint32_t& n) {
  uint32_t want = n;
  n = 0;
  while (at > 0 && n < want) {
    --at;
    while (at > 0 && continuation(line[at])) --at;
    ++n;
  }
  return at;
}
size_t step_forward(std::string_view line, size_t at, uint32_t& n) {
  uint32_t want = n;
  n = 0;
  while (at < line.size() && n < want) {
    ++at;
    while (at < line.size() && continuation(line[at])) ++at;
    ++n;
  }
  return at;
}

// Prints the source line of `r` with a caret under its first column and tildes under
// the rest of the range on that line. Tabs in the line are kept in the underline so the
// caret lines up whatever the terminal's tab width. A line longer than
// `kExcerptColumns` is cut to a window of that many columns around the caret; the work
// done is that of the window, however long the line.
void print_excerpt(const SourceManager& sm, SourceRange r, std::ostream& out, bool color) {
  if (!r.file.valid()) return;
  uint32_t line_no = sm.line_column(r.file, r.begin).line;
  std::string_view line = sm.line_text(r.file, line_no);
  uint32_t line_start = sm.line_start(r.file, line_no);
  size_t caret = std::min<size_t>(r.begin - line_start, line.size());
  while (caret > 0 && caret < line.size() && continuation(line[caret])) --caret;
  // The window [from, to): up to half of it before the caret, the rest after; when the
  // line ends sooner, more before.
  uint32_t before = kExcerptColumns / 2;
  size_t from = step_back(line, caret, before);
  uint32_t after = kExcerptColumns - before;
  size_t to = step_forward(line, caret, after);
  uint32_t more = kExcerptColumns - before - after;
  if (more > 0) from = step_back(line, from, more);
  std::string_view shown = line.substr(from, to - from);
  bool cut_before = from > 0;
  bool cut_after = to < line.size();
  std::string num = std::to_string(line_no);
  std::string gutter(num.size(), ' ');
  out << ' ' << num << " | " << (cut_before ? "..." : "") << shown << (cut_after ? "..." : "")
      << '\n';
  out << ' ' << gutter << " | ";
  std::string under(cut_before ? 3 : 0, ' ');
  for (size_t i = from; i < caret; ++i) {
    if (continuation(line[i])) continue;  // same column
    under += line[i] == '\t' ? '\t' : ' ';
  }
  if (color) under += "\033[1;32m";
  under += '^';
  // Tildes under the rest of the range, up to the end of the line or of the window.
  size_t range_end = r.end >= line_start ? std::min<size_t>(r.end - line_start, line.size()) : 0;
  range_end = std::min(range_end, to);
  uint32_t one = 1;
  for (size_t i = step_forward(line, caret, one); i < range_end; ++i) {
    if (!continuation(line[i])) under += '~';
  }
  if (color) under += "\033[0m";
  out << under << '\n';
}

std::string location(const SourceManager& sm, SourceRange r) {
  if (!r.file.valid()) return "";
  LineColumn lc = sm.line_column(r.file, r.begin);
  return sm.name(r.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

json json_note(const DiagNote& n, const SourceManager& sm) {
  json j = {{"severity", "note"}, {"message", n.message}};
  if (n.range && n.range->file.valid()) {
    Span s = span_of(sm, *n.range);
    j["file"] = sm.name(n.range->file);
    j["line"] = s.begin.line;
    j["column"] = s.begin.column;
    j["end_line"] = s.end.line;
    j["end_column"] = s.end.column;
  }
  return j;
}

std::string dump(const json& j) {
  // Source text may hold invalid UTF-8; replace it rather than fail to print.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json sarif_location(const SourceManager& sm, SourceRange r) {
  Span s = span_of(sm, r);
  return {{"physicalLocation",
           {{"artifactLocation", {{"uri", sm.name(r.file)}}},
            {"region",
             {{"startLine", s.begin.line},
              {"startColumn", s.begin.column},
              {"endLine", s.end.line},
              {"endColumn", s.end.column}}}}}};
}

}  // namespace

bool want_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) != 0;
}

void render_text(const std::vector<Diagnostic>& diags, const SourceManager& sm, std::ostream& out,
                 bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  for (const Diagnostic& d : diags) {
    std::string loc = location(sm, d.range);
    out << bold << loc << (loc.empty() ? "" : ": ") << reset;
    out << (color ? color_of(d.severity) : "") << severity_name(d.severity) << '['
        << diag_code_name(d.code) << "]:" << reset << bold << ' ' << d.message << reset << '\n';
    print_excerpt(sm, d.range, out, color);
    for (const DiagNote& n : d.notes) {
      out << (color ? color_of(Severity::Note) : "") << "note:" << reset << ' ' << n.message;
      if (n.range && n.range->file.valid()) {
        out << ": " << location(sm, *n.range) << '\n';
        print_excerpt(sm, *n.range, out, color);
      } else {
        out << '\n';
      }
    }
  }
}

std::string render_json(const std::vector<Diagnostic>& diags, const SourceManager& sm) {
  json arr = json::array();
  for (const Diagnostic& d : diags) {
    Span s = span_of(sm, d.range);
    json notes = json::array();
    for (const DiagNote& n : d.notes) notes.push_back(json_note(n, sm));
    arr.push_back({{"severity", severity_name(d.severity)},
                   {"code", diag_code_name(d.code)},
                   {"message", d.message},
                   {"file", sm.name(d.range.file)},
                   {"line", s.begin.line},
                   {"column", s.begin.column},
                   {"end_line", s.end.line},
                   {"end_column", s.end.column},
                   {"notes", notes}});
  }
  return dump(arr);
}

std::string render_sarif(const std::vector<Diagnostic>& diags, const SourceManager& sm) {
  json rules = json::array();
  for (size_t i = 0; i < static_cast<size_t>(DiagCode::Count); ++i) {
    auto code = static_cast<DiagCode>(i);
    rules.push_back(
        {{"id", diag_code_name(code)},
         {"shortDescription", {{"text", diag_code_summary(code)}}},
         {"defaultConfiguration",
          {{"level", diag_code_severity(code) == Severity::Error ? "error" : "warning"}}}});
  }
  json results = json::array();
  for (const Diagnostic& d : diags) {
    json r = {{"ruleId", diag_code_name(d.code)},
              {"ruleIndex", static_cast<size_t>(d.code)},
              {"level", d.severity == Severity::Error ? "error" : "warning"},
              {"message", {{"text", d.message}}},
              {"locations", json::array({sarif_location(sm, d.range)})}};
    json related = json::array();
    int id = 0;
    for (const DiagNote& n : d.notes) {
      if (!n.range || !n.range->file.valid()) continue;
      json loc = sarif_location(sm, *n.range);
      loc["id"] = id++;
      loc["message"] = {{"text", n.message}};
      related.push_back(loc);
    }
    if (!related.empty()) r["relatedLocations"] = related;
    results.push_back(r);
  }
  json log = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array(
           {{{"tool",
              {{"driver", {{"name", "flytec"}, {"version", kFlytecVersion}, {"rules", rules}}}}},
             {"columnKind", "unicodeCodePoints"},
             {"results", results}}})}};
  return dump(log);
}

}  // namespace flyte
