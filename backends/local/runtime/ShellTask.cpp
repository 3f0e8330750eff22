// Shell task attempts.
#include "backends/local/runtime/ShellTask.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "backends/local/runtime/Effects.h"
#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/Process.h"
#include "support/AtomicFile.h"
#include "support/ReadFile.h"
#include "support/ShellCommand.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

/// Commands longer than this run from `command.sh` in the attempt's directory.
constexpr size_t kInlineCommandBytes = size_t{64} * 1024;

/// An output's file name: its name, with `.npy` for a tensor.
std::string output_name(const ir::Module& m, const ir::Output& o) {
  return o.name + (m.types.kind(o.type) == TypeKind::Tensor ? ".npy" : "");
}

/// Where the command writes output `o`: `out.<name>` in the attempt's directory.
std::string output_path(const ir::Module& m, const ir::Output& o, const std::string& attempt_dir) {
  return attempt_dir + "/out." + output_name(m, o);
}

std::string secret_var(const std::string& name) {
  std::string out = "FLYTE_SECRET_";
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? std::toupper(c) : '_';
  return out;
}

/// A task's output file: regular (a FIFO or a device would block or never end), and at
/// most 256 MiB, since it is read into memory. nullopt with `error` saying why.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::string text;
  if (!read_file_bounded(path, text, error, {size_t{256} << 20, false})) return std::nullopt;
  return text;
}

std::vector<NpyDim> declared_dims(const TensorSpec& t) {
  std::vector<NpyDim> dims;
  for (const DimSpec& d : t.dims) {
    NpyDim n;
    n.kind = d.kind == DimSpec::Kind::Literal ? NpyDim::Kind::Literal
             : d.kind == DimSpec::Kind::Var   ? NpyDim::Kind::Var
                                              : NpyDim::Kind::Any;
    n.value = d.value;
    n.var = d.var;
    dims.push_back(n);
  }
  return dims;
}

/// Reads output `o` from where the command wrote it; on success moves any file into
/// `node_dir` and returns its value.
std::optional<Value> read_output(const ir::Module& m, const ir::Output& o, const std::string& path,
                                 const std::string& node_dir, std::map<std::string, int64_t>& dims,
                                 std::string& error) {
  const TypeTable& types = m.types;
  TypeId t = o.type;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    error = fmt::format("the command did not write output '{}' ({})", o.name, path);
    return std::nullopt;
  }
  if (is_path(types, t)) {
    bool want_dir = types.kind(t) == TypeKind::Dir;
    if (want_dir != fs::is_directory(st)) {
      error = fmt::format("output '{}' should be a {}, but the command wrote a {}", o.name,
                          want_dir ? "directory" : "file", want_dir ? "file" : "directory");
      return std::nullopt;
    }
    if (types.kind(t) == TypeKind::Tensor) {
      std::optional<NpyHeader> h = read_npy_header(path, error);
      const TensorSpec& spec = types.get(t).tensor;
      std::vector<NpyDim> declared = declared_dims(spec);
      std::string why;
      if (!h) {
        error = fmt::format("output '{}': {}", o.name, error);
        return std::nullopt;
      }
      if (!check_npy(*h, spec.dtype_is_var ? h->dtype : spec.dtype,
                     spec.shape == TensorSpec::Shape::Dims ? &declared : nullptr, dims, why)) {
        error = fmt::format("output '{}' ({}): {}", o.name, types.str(t), why);
        return std::nullopt;
      }
    }
    std::string dest = node_dir + "/" + output_name(m, o);
    fs::remove_all(dest, ec);
    fs::rename(path, dest, ec);
    if (ec) {
      error = fmt::format("cannot keep output '{}': {}", o.name, ec.message());
      return std::nullopt;
    }
    return Value(dest);
  }
  std::string why;
  std::optional<std::string> text = read_file(path, why);
  if (!text) {
    error = fmt::format("cannot read output '{}' ({}): it {}", o.name, path, why);
    return std::nullopt;
  }
  std::optional<Value> v;
  TypeId inner = types.kind(t) == TypeKind::Optional ? types.get(t).elem : t;
  // Relative paths inside a JSON output are the command's: relative to its `work/`.
  std::string work = fs::path(path).parent_path().string() + "/work";
  if (is_scalar(types, inner)) {
    v = parse_scalar(*text, types, t, error);
  } else {
    v = parse_json(*text, error);
  }
  if (v && !check_value(*v, types, t, error, work)) v.reset();
  if (!v) error = fmt::format("output '{}' ({}): {}", o.name, types.str(t), error);
  return v;
}

}  // namespace

std::optional<std::string> render_command(const ir::Module& m, const ir::Task& t, const Value& args,
                                          const std::string& attempt_dir, std::string& error) {
  std::vector<ShellTemplateError> errors;
  std::string out;
  const std::string& command = std::get<ir::Runner::Shell>(t.runner.body).command;
  for (const ShellPiece& p : split_shell_command(command, errors)) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    bool done = false;
    for (const ir::Output& o : t.outputs) {
      if (o.name == p.text) {
        out += shell_quote(output_path(m, o, attempt_dir));
        done = true;
      }
    }
    for (const ir::Param& in : t.inputs) {
      if (done || in.name != p.text) continue;
      const Value& v = args.at(in.name);
      TypeId inner =
          m.types.kind(in.type) == TypeKind::Optional ? m.types.get(in.type).elem : in.type;
      if (v.is_null()) {
        out += "''";
      } else if (is_scalar(m.types, inner) || is_path(m.types, inner)) {
        out += shell_quote(scalar_text(v));
      } else {
        std::string path = attempt_dir + "/in." + in.name + ".json";
        if (!write_file_atomically(path, canonical(v) + "\n", error)) {
          error = write_error(path, errno);
          return std::nullopt;
        }
        out += shell_quote(path);
      }
      done = true;
    }
  }
  return out;
}

AttemptResult ShellRunner::run(const AttemptSpec& spec, const std::atomic<bool>& cancel) {
  AttemptResult r;
  const ir::Module& m = *spec.module;
  const ir::Task& t = *spec.task;
  std::error_code ec;
  // Directories and files are few on purpose: creating them is a large part of a
  // trivial task's cost. The attempt's directory is inside the node's.
  std::string work = spec.attempt_dir + "/work";
  fs::remove_all(spec.attempt_dir, ec);  // left by an attempt a killed run started
  fs::create_directories(spec.attempt_dir, ec);
  if (ec) {
    r.error = fmt::format("cannot create '{}': {}", spec.attempt_dir, ec.message());
    return r;
  }
  for (const std::string& d : {work, spec.checkpoint_dir}) {
    if (::mkdir(d.c_str(), 0755) != 0) {
      r.error = fmt::format("cannot create '{}': {}", d, std::strerror(errno));
      return r;
    }
  }
  ProcessSpec p;
  std::optional<std::string> command = render_command(m, t, spec.args, spec.attempt_dir, r.error);
  if (!command) return r;
  p.command = std::move(*command);
  // Linux caps one argument of exec at 128 KiB (MAX_ARG_STRLEN), so `sh -c` cannot take
  // a command that large inputs made longer: the shell reads it from a file instead.
  if (p.command.size() > kInlineCommandBytes) {
    std::string script = spec.attempt_dir + "/command.sh";
    std::string error;
    if (!write_file_atomically(script, p.command + "\n", error, /*durable=*/false)) {
      r.error = "cannot write the command: " + error;
      return r;
    }
    p.command = ". " + shell_quote(script);
  }
  p.workdir = work;
  p.stdout_path = spec.attempt_dir + "/stdout.log";
  p.stderr_path = spec.attempt_dir + "/stderr.log";
  p.timeout_s = spec.timeout_s;
  p.env = {"FLYTE_RUN_ID=" + spec.run_id, "FLYTE_NODE=" + spec.node_key,
           "FLYTE_ATTEMPT=" + std::to_string(spec.attempt),
           "FLYTE_CHECKPOINT_DIR=" + spec.checkpoint_dir,
           "FLYTE_PREV_CHECKPOINT_DIR=" + spec.prev_checkpoint_dir};
  if (spec.visible_gpus) p.env.push_back("CUDA_VISIBLE_DEVICES=" + *spec.visible_gpus);
  for (const auto& [k, v] : t.env) p.env.push_back(fmt::format("{}={}", k, v));
  for (const std::string& s : t.secrets) {
    // A secret comes from the environment the run was started in: FLYTE_SECRET_<NAME>,
    // else <NAME> (`api-token` is FLYTE_SECRET_API_TOKEN, else API_TOKEN).
    std::string var = secret_var(s);
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) value = std::getenv(var.substr(std::strlen("FLYTE_SECRET_")).c_str());
    if (value != nullptr) p.env.push_back(var + "=" + value);
  }
  r.log = p.stderr_path;
  ProcessResult pr = spawner_.run(p, cancel);
  switch (pr.status) {
    case ProcessResult::Status::Exited:
      if (pr.code != 0) r.error = fmt::format("the command exited with status {}", pr.code);
      break;
    case ProcessResult::Status::Signaled:
      r.error = fmt::format("the command was killed by signal {}", pr.code);
      break;
    case ProcessResult::Status::TimedOut:
      r.status = AttemptResult::Status::TimedOut;
      r.error = fmt::format("timed out after {}s; its process group was killed", *spec.timeout_s);
      return r;
    case ProcessResult::Status::Cancelled:
      r.status = AttemptResult::Status::Cancelled;
      r.error = "cancelled";
      return r;
    case ProcessResult::Status::SpawnFailed:
      r.error = "cannot start /bin/sh: " + pr.error;
      return r;
  }
  if (!r.error.empty()) return r;
  r.outputs = Value::object();
  std::map<std::string, int64_t> dims = spec.dims;
  for (const ir::Output& o : t.outputs) {
    std::optional<Value> v =
        read_output(m, o, output_path(m, o, spec.attempt_dir), spec.node_dir, dims, r.error);
    if (!v) return r;
    r.outputs[o.name] = std::move(*v);
  }
  r.status = AttemptResult::Status::Ok;
  return r;
}

}  // namespace flyte::rt
