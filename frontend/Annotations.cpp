// The annotation table: for each annotation its places and one argument reader, which
// checks the arguments and records what the accepted ones say.
#include "frontend/Annotations.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <regex>

#include "frontend/Cron.h"
#include "frontend/Suggest.h"
#include "support/ImageRef.h"

namespace flyte {
namespace {

using Place = AnnotationPlace;
using ast::ExprKind;

constexpr unsigned bit(Place p) { return 1u << static_cast<unsigned>(p); }

class Reader;

// One annotation: where it may stand, and the reader of its arguments (their schema).
struct Spec {
  std::string_view name;
  unsigned places;
  std::string_view where;  // for "allowed on …"
  void (Reader::*read)();
};

constexpr unsigned kTaskOrCall = bit(Place::Task) | bit(Place::CallBinding);

const char* place_name(Place p) {
  switch (p) {
    case Place::Task: return "a task";
    case Place::Workflow: return "a workflow";
    case Place::Launch: return "a launch";
    case Place::CallBinding: return "a call";
    case Place::ForBinding: return "a 'for'";
    case Place::Binding: return "a 'let'";
    case Place::Type: return "a type declaration";
  }
  return "here";
}

constexpr std::array<std::string_view, 8> kAccelerators = {
    "nvidia-h100", "nvidia-h200", "nvidia-a100", "nvidia-a100-80gb",
    "nvidia-l4",   "nvidia-t4",   "nvidia-a10g", "nvidia-v100"};

// Reads one annotation's arguments: each method checks them against the annotation's
// schema, reporting what it rejects when there are diagnostics to report to, and records
// what the accepted ones say.
class Reader {
 public:
  Reader(DiagnosticEngine* diags, const ast::TaskDecl* task, AnnotationValues& out)
      : diags_(diags), task_(task), out_(out) {}

  // `place` is null when only reading: then every place is allowed.
  void read(const ast::Annotation& a, std::optional<Place> place);

  void cache() {
    if (task_ != nullptr && !task_->outputs) {
      report(DiagCode::W0004, annotation_->range,
             fmt::format("'@cache' on task '{}', which has no outputs to cache", task_->name.name));
    }
    AnnotationValues::Cache& cache = out_.cache.emplace();
    for (const ast::Arg& a : annotation_->args) {
      if (!a.name) {
        bad(a.range, "'@cache' takes 'version = \"…\"' and 'ignore = [param, …]'");
        continue;
      }
      if (a.name->name == "version") {
        if (a.value->kind != ExprKind::String) {
          bad(a.value->range, "'version' takes a string");
          continue;
        }
        cache.version = static_cast<const ast::StringLit*>(a.value)->value;
      } else if (a.name->name == "ignore") {
        if (a.value->kind != ExprKind::List) {
          bad(a.value->range, "'ignore' takes a list of parameter names: ignore = [threads]");
          continue;
        }
        for (const ast::Expr* x : static_cast<const ast::ListExpr*>(a.value)->elements) {
          if (x->kind != ExprKind::Name) {
            bad(x->range, "'ignore' lists parameter names");
            continue;
          }
          std::string_view p = static_cast<const ast::NameExpr*>(x)->name.name;
          bool found = task_ == nullptr ||
                       std::any_of(task_->params.begin(), task_->params.end(),
                                   [&](const ast::Param& q) { return q.name.name == p; });
          if (found) {
            cache.ignore.emplace_back(p);
          } else {
            bad(x->range, fmt::format("task '{}' has no parameter '{}'", task_->name.name, p));
          }
        }
      } else {
        bad(a.name->range,
            fmt::format("'@cache' has no argument '{}'; it takes 'version' and 'ignore'",
                        a.name->name));
      }
    }
  }

  void retries() { out_.policy.retries = count(0, "a retry count"); }
  void concurrency() { out_.concurrency = count(1, "a number of parallel items"); }
  void timeout() {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return;
    if (e->kind != ExprKind::Duration || static_cast<const ast::DurationLit*>(e)->seconds <= 0) {
      bad(e->range, fmt::format("'@{}' takes a positive duration such as 10m", name()));
      return;
    }
    out_.policy.timeout_s = static_cast<const ast::DurationLit*>(e)->seconds;
  }
  void interruptible() {
    if (annotation_->has_parens) {
      bad(annotation_->range, fmt::format("'@{}' takes no arguments", name()));
      return;
    }
    out_.policy.interruptible = true;
  }
  void device() {
    if (auto w = word({"cpu", "gpu", "auto"})) out_.policy.device = std::string(*w);
  }
  void failure_policy() {
    if (auto w = word({"fail_fast", "continue"})) out_.failure_policy = std::string(*w);
  }
  void image() {
    std::optional<std::string> s = one_string();
    if (!s) return;
    if (std::string why = image_ref_problem(*s); !why.empty()) {
      bad(single()->range, fmt::format("\"{}\" is no image reference: {}", *s, why));
      return;
    }
    out_.image = *s;
  }
  void secret() {
    if (auto s = one_string()) out_.secrets.push_back(*s);
  }

  void checkpoint() {
    const auto& args = annotation_->args;
    if (args.size() != 1 || !args[0].name || args[0].name->name != "every") {
      bad(annotation_->range,
          "'@checkpoint' takes 'every = DURATION', such as @checkpoint(every = 5m)");
      return;
    }
    const ast::Expr* e = args[0].value;
    if (e->kind != ExprKind::Duration || static_cast<const ast::DurationLit*>(e)->seconds <= 0) {
      bad(e->range, "'every' takes a positive duration such as 5m");
      return;
    }
    out_.checkpoint_every_s = static_cast<const ast::DurationLit*>(e)->seconds;
  }

  void resources() {
    if (annotation_->args.empty())
      bad(annotation_->range, "'@resources' takes cpu, mem, gpu or disk");
    ir::Policy& p = out_.policy;
    for (const ast::Arg& a : annotation_->args) {
      if (!a.name) {
        bad(a.range, "'@resources' arguments are named: cpu = 2, mem = 4Gi, gpu = 1, disk = 10Gi");
        continue;
      }
      std::string_view k = a.name->name;
      const ast::Expr* v = a.value;
      if (v->kind == ExprKind::Error) continue;
      if (k == "cpu") {
        double n = v->kind == ExprKind::Int
                       ? static_cast<double>(static_cast<const ast::IntLit*>(v)->value)
                   : v->kind == ExprKind::Float ? static_cast<const ast::FloatLit*>(v)->value
                                                : -1;
        if (n <= 0) {
          bad(v->range, "'cpu' takes a positive number of cores, such as 2 or 0.5");
        } else {
          p.cpu = n;
        }
      } else if (k == "gpu") {
        if (v->kind != ExprKind::Int || static_cast<const ast::IntLit*>(v)->value < 0) {
          bad(v->range, "'gpu' takes a whole number of GPUs");
        } else {
          p.gpu = static_cast<const ast::IntLit*>(v)->value;
        }
      } else if (k == "mem" || k == "disk") {
        if (v->kind != ExprKind::Size || static_cast<const ast::SizeLit*>(v)->bytes <= 0) {
          bad(v->range, fmt::format("'{}' takes a size such as 4Gi or 512Mi", k));
        } else {
          (k == "mem" ? p.mem_bytes : p.disk_bytes) = static_cast<const ast::SizeLit*>(v)->bytes;
        }
      } else {
        bad(a.name->range,
            fmt::format("'@resources' has no '{}'; it takes cpu, mem, gpu and disk", k));
      }
    }
  }

  void accelerator() {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return;
    if (e->kind != ExprKind::String) {
      bad(e->range, "'@accelerator' takes a GPU model name such as \"nvidia-h100\"");
      return;
    }
    const std::string& v = static_cast<const ast::StringLit*>(e)->value;
    if (is_known_accelerator(v)) {
      out_.policy.accelerator = v;
      return;
    }
    if (diags_ == nullptr) return;
    Diagnostic& d =
        diags_->report(DiagCode::E0504, e->range, fmt::format("unknown accelerator \"{}\"", v));
    std::vector<std::string_view> names(kAccelerators.begin(), kAccelerators.end());
    if (auto s = closest_name(v.substr(0, v.find(':')), names)) {
      d.notes.push_back({fmt::format("did you mean \"{}\"?", *s), std::nullopt});
    } else {
      d.notes.push_back(
          {"known: nvidia-h100, nvidia-h200, nvidia-a100, nvidia-a100-80gb, nvidia-l4, "
           "nvidia-t4, nvidia-a10g, nvidia-v100 (MIG slices as \"nvidia-a100:1g.5gb\")",
           std::nullopt});
    }
  }

  void env() {
    if (annotation_->args.empty()) bad(annotation_->range, "'@env' takes KEY = \"value\" pairs");
    for (const ast::Arg& a : annotation_->args) {
      if (!a.name) {
        bad(a.range, "'@env' arguments are KEY = \"value\"");
      } else if (a.value->kind != ExprKind::String) {
        bad(a.value->range, fmt::format("environment variable '{}' takes a string", a.name->name));
      } else {
        out_.env.emplace_back(std::string(a.name->name),
                              static_cast<const ast::StringLit*>(a.value)->value);
      }
    }
  }

  void min_success() {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return;
    double r = e->kind == ExprKind::Float ? static_cast<const ast::FloatLit*>(e)->value
               : e->kind == ExprKind::Int
                   ? static_cast<double>(static_cast<const ast::IntLit*>(e)->value)
                   : -1;
    if (r <= 0 || r > 1) {
      bad(e->range, "'@min_success' takes a ratio greater than 0 and at most 1.0");
      return;
    }
    out_.min_success = r;
  }

  void after() {
    if (annotation_->args.empty()) bad(annotation_->range, "'@after' names at least one binding");
    for (const ast::Arg& a : annotation_->args) {
      if (a.name || a.value->kind != ExprKind::Name) {
        bad(a.range, "'@after' takes binding names");
        continue;
      }
      out_.after.push_back(static_cast<const ast::NameExpr*>(a.value));
    }
  }

  void schedule() {
    const auto& args = annotation_->args;
    if (args.size() != 1 || !args[0].name || args[0].name->name != "cron" ||
        args[0].value->kind != ExprKind::String) {
      bad(annotation_->range, "'@schedule' takes cron = \"MIN HOUR DAY MONTH WEEKDAY\"");
      return;
    }
    const std::string& v = static_cast<const ast::StringLit*>(args[0].value)->value;
    if (std::string problem = cron_problem(v); !problem.empty()) {
      bad(args[0].value->range, fmt::format("\"{}\" is not a cron schedule: {}", v, problem));
      return;
    }
    out_.schedule = v;
  }

 private:
  void report(DiagCode code, SourceRange r, std::string message) {
    if (diags_ != nullptr) diags_->report(code, r, std::move(message));
  }
  void bad(SourceRange r, std::string message) { report(DiagCode::E0502, r, std::move(message)); }

  std::string_view name() const { return annotation_->name.name; }

  // Exactly one positional argument; null (and reported) otherwise.
  const ast::Expr* single() {
    const auto& args = annotation_->args;
    if (args.size() != 1 || args[0].name) {
      bad(annotation_->range, fmt::format("'@{}' takes one argument", name()));
      return nullptr;
    }
    return args[0].value;
  }

  std::optional<int64_t> count(int64_t min, const char* what) {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return std::nullopt;
    if (e->kind != ExprKind::Int || static_cast<const ast::IntLit*>(e)->value < min) {
      bad(e->range, fmt::format("'@{}' takes {}, an integer of at least {}", name(), what, min));
      return std::nullopt;
    }
    return static_cast<const ast::IntLit*>(e)->value;
  }

  std::optional<std::string_view> word(std::initializer_list<std::string_view> allowed) {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return std::nullopt;
    if (e->kind == ExprKind::Name) {
      std::string_view v = static_cast<const ast::NameExpr*>(e)->name.name;
      if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    }
    std::string list;
    for (std::string_view w : allowed) list += (list.empty() ? "" : " | ") + std::string(w);
    bad(e->range, fmt::format("'@{}' takes one of {}", name(), list));
    return std::nullopt;
  }

  std::optional<std::string> one_string() {
    const ast::Expr* e = single();
    if (e == nullptr || e->kind == ExprKind::Error) return std::nullopt;
    if (e->kind != ExprKind::String || static_cast<const ast::StringLit*>(e)->value.empty()) {
      bad(e->range, fmt::format("'@{}' takes a non-empty string", name()));
      return std::nullopt;
    }
    return static_cast<const ast::StringLit*>(e)->value;
  }

  DiagnosticEngine* diags_;
  const ast::TaskDecl* task_;
  AnnotationValues& out_;
  const ast::Annotation* annotation_ = nullptr;
};

// The table of annotations: name, places, and the reader of the arguments.
constexpr std::array<Spec, 16> kSpecs = {{
    {"cache", bit(Place::Task), "tasks", &Reader::cache},
    {"retries", kTaskOrCall, "tasks and calls", &Reader::retries},
    {"timeout", kTaskOrCall, "tasks and calls", &Reader::timeout},
    {"resources", kTaskOrCall, "tasks and calls", &Reader::resources},
    {"accelerator", kTaskOrCall, "tasks and calls", &Reader::accelerator},
    {"interruptible", kTaskOrCall | bit(Place::Workflow), "tasks, calls and workflows",
     &Reader::interruptible},
    {"checkpoint", bit(Place::Task), "tasks", &Reader::checkpoint},
    {"device", kTaskOrCall, "tasks and calls", &Reader::device},
    {"image", bit(Place::Task), "tasks", &Reader::image},
    {"env", bit(Place::Task), "tasks", &Reader::env},
    {"secret", bit(Place::Task), "tasks", &Reader::secret},
    {"concurrency", bit(Place::ForBinding), "'let' bindings of a 'for'", &Reader::concurrency},
    {"min_success", bit(Place::ForBinding), "'let' bindings of a 'for'", &Reader::min_success},
    {"after", bit(Place::CallBinding) | bit(Place::ForBinding) | bit(Place::Binding),
     "'let' bindings", &Reader::after},
    {"failure_policy", bit(Place::Workflow), "workflows", &Reader::failure_policy},
    {"schedule", bit(Place::Launch), "launches", &Reader::schedule},
}};

void Reader::read(const ast::Annotation& a, std::optional<Place> place) {
  std::string_view n = a.name.name;
  if (n.empty()) return;
  auto spec =
      std::find_if(kSpecs.begin(), kSpecs.end(), [&](const Spec& s) { return s.name == n; });
  if (spec == kSpecs.end()) {
    if (diags_ == nullptr) return;
    std::vector<std::string_view> names;
    names.reserve(kSpecs.size());
    for (const Spec& s : kSpecs) names.push_back(s.name);
    Diagnostic& d =
        diags_->report(DiagCode::E0501, a.range, fmt::format("unknown annotation '@{}'", n));
    if (auto s = closest_name(n, names)) {
      d.notes.push_back({fmt::format("did you mean '@{}'?", *s), std::nullopt});
    }
    return;
  }
  if (place && (spec->places & bit(*place)) == 0) {
    report(DiagCode::E0501, a.range,
           fmt::format("'@{}' is not allowed on {}; it goes on {}", n, place_name(*place),
                       spec->where));
    return;
  }
  annotation_ = &a;
  (this->*spec->read)();
}

// Reads each annotation once; a second of the same name is E0501 and is not read.
AnnotationValues read_all(const std::vector<ast::Annotation>& annotations,
                          std::optional<Place> place, const ast::TaskDecl* task,
                          DiagnosticEngine* diags) {
  AnnotationValues out;
  if (annotations.empty()) return out;
  Reader r(diags, task, out);
  std::vector<std::string_view> seen;
  for (const ast::Annotation& a : annotations) {
    if (std::find(seen.begin(), seen.end(), a.name.name) != seen.end() && !a.name.name.empty()) {
      if (diags != nullptr) {
        diags->report(DiagCode::E0501, a.range, fmt::format("'@{}' is given twice", a.name.name));
      }
      continue;
    }
    seen.push_back(a.name.name);
    r.read(a, place);
  }
  return out;
}

}  // namespace

bool is_known_accelerator(std::string_view name) {
  std::string_view model = name.substr(0, name.find(':'));
  if (std::find(kAccelerators.begin(), kAccelerators.end(), model) == kAccelerators.end())
    return false;
  if (model.size() == name.size()) return true;
  // A MIG slice: "<n>g.<m>gb" on an A100 or H100 class GPU.
  static const std::regex kMig(R"(^[1-7]g\.[0-9]+gb$)");
  std::string slice(name.substr(model.size() + 1));
  return (model.rfind("nvidia-a100", 0) == 0 || model == "nvidia-h100" || model == "nvidia-h200") &&
         std::regex_match(slice, kMig);
}

AnnotationValues check_annotations(const std::vector<ast::Annotation>& annotations,
                                   AnnotationPlace place, const ast::TaskDecl* task,
                                   DiagnosticEngine& diags) {
  return read_all(annotations, place, task, &diags);
}

AnnotationValues read_annotations(const std::vector<ast::Annotation>& annotations) {
  return read_all(annotations, std::nullopt, nullptr, nullptr);
}

}  // namespace flyte
