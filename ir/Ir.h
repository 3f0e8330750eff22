// The typed workflow IR: plain structs addressed by small typed ids. A Module holds
// every task and workflow of a compiled program (imported ones included, under their
// qualified names), their interfaces and policies, and each workflow's graph of nodes.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ir/Enums.h"
#include "ir/Types.h"
#include "ir/Value.h"

namespace flyte::ir {

/// An index into one table of the module, typed by that table so that ids of different
/// tables do not mix: `TaskId{2}` is the third task, and cannot be passed as a NodeId.
template <class Table>
struct Id {
  uint32_t index = 0;
  friend bool operator==(Id a, Id b) { return a.index == b.index; }
};
/// Index of a task in Module::tasks.
using TaskId = Id<struct TaskTable>;
/// Index of a workflow in Module::workflows.
using WorkflowId = Id<struct WorkflowTable>;
/// Index of a node in its Workflow::nodes.
using NodeId = Id<struct NodeTable>;
/// Index of a constant in Module::constants, such as a parameter's default value.
using ConstId = Id<struct ConstTable>;

/// A half-open byte range `[begin, end)` in one of Module::files, such as the span of
/// the call `train(lr = 0.1)`. `file` is an index into the module's file table, not a
/// source manager's id: a plan read back from disk keeps its ranges, and the diagnostics
/// layer reloads the file's text when it needs an excerpt. No range: `file == kNoFile`.
struct SourceRange {
  static constexpr uint32_t kNoFile = UINT32_MAX;
  uint32_t file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
};

/// A constant (`42`, `0.5`, `"a"`, `600s`, `[1, 2]`): its type and its value, decoded
/// once by lowering (value_text spells it as the text form writes it).
struct Constant {
  TypeId type;
  Value value;
};

/// A value kept on the heap, copied with its owner: for parts most owners leave out.
template <class T>
class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(const OutOfLine& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  OutOfLine& operator=(OutOfLine&&) noexcept = default;
  ~OutOfLine() = default;

  /// The value, or null when there is none.
  const T* get() const { return p_.get(); }
  /// The value, made (default-constructed) when there is none yet.
  T& make() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }

 private:
  std::unique_ptr<T> p_;
};

/// Where a value comes from: a constant, a workflow input, a node's output, or the item
/// of the enclosing map; then a path of field accesses (`d.train.x`). 16 bytes: a node
/// has one per argument.
struct ValueRef {
  enum class Kind : uint8_t { Const, Input, NodeOutput, MapItem } kind = Kind::Const;
  /// `output` of a reference to a node's whole value.
  static constexpr uint32_t kWhole = UINT32_MAX;
  /// Const: a ConstId; Input: the workflow input's index; NodeOutput: a NodeId; MapItem:
  /// the map node's NodeId. The typed accessors below say which.
  uint32_t index = 0;
  /// NodeOutput of a node with named outputs: which one, by its index among the fields
  /// of the node's `Outputs` type (`%3.train`); kWhole for the whole value.
  uint32_t output = kWhole;
  TypeId type;
  /// Field accesses after the value, such as `train`, `x` of `d.train.x`; most
  /// references have none.
  OutOfLine<std::vector<std::string>> fields;

  ConstId constant() const { return {index}; }  // Const
  NodeId node() const { return {index}; }       // NodeOutput, MapItem
  const std::vector<std::string>& path() const {
    static const std::vector<std::string> kNone;
    const std::vector<std::string>* p = fields.get();
    return p != nullptr ? *p : kNone;
  }
};

struct Param {
  std::string name;
  TypeId type;
  std::optional<ConstId> default_value;
};

struct Output {
  std::string name;
  TypeId type;
};

/// Requests and retry policy; on tasks, and as call-site overrides on nodes.
struct Policy {
  std::optional<int64_t> retries;
  std::optional<double> timeout_s;
  std::optional<bool> interruptible;
  std::optional<double> cpu;
  std::optional<int64_t> mem_bytes;
  std::optional<int64_t> gpu;
  std::optional<int64_t> disk_bytes;
  std::string accelerator;
  std::string device;

  friend bool operator==(const Policy&, const Policy&) = default;
  bool empty() const { return *this == Policy{}; }
};

/// How a task runs: one alternative per RunnerKind, in the order of ir/RunnerKind.def.
struct Runner {
  /// `shell """python3 prep.py {raw}"""`: a command line with `{name}` placeholders.
  struct Shell {
    std::string command;
  };
  /// `cpp("kernels.cpp", "ns::fit")`: a function in a C++ file beside the source.
  struct Cpp {
    std::string file;
    std::string symbol;
    /// XXH3-128 of the file's contents when it existed at lowering time (32 hex
    /// digits), or empty: editing the function must change the task's fingerprint.
    std::string source_hash;
  };
  /// `builtin("std.matmul")`: a kernel of the runtime.
  struct Builtin {
    std::string kernel;
  };
  std::variant<Shell, Cpp, Builtin> body;

  RunnerKind kind() const { return static_cast<RunnerKind>(body.index()); }
};
static_assert(std::variant_size_v<decltype(Runner::body)> == kRunnerKindCount,
              "one alternative of Runner::body per line of ir/RunnerKind.def");

struct Task {
  std::string name;  // qualified: `std.ml.accuracy`, or plain in the main module
  std::string doc;
  std::vector<Param> inputs;
  std::vector<Output> outputs;
  bool named_outputs = false;
  Runner runner;
  Policy policy;
  bool cache = false;
  std::string cache_version;
  std::vector<std::string> cache_ignore;
  std::optional<double> checkpoint_every_s;
  std::string image;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> secrets;
  SourceRange location;     // the task's name in its declaration
  std::string fingerprint;  // set by the plan-cache pass: 32 hex digits
};

/// The nodes of an `if` arm or a `for` body, and the value it produces.
struct Body {
  std::vector<NodeId> nodes;
  ValueRef result;
};

/// The call-site annotations of a node, such as `@retries(3)` on `let m = train(...)`, and
/// a map's `@concurrency(8)` and `@min_success(0.9)`.
struct CallSite {
  Policy overrides;
  std::optional<int64_t> concurrency;
  std::optional<double> min_success;
};

/// Where a tensor task runs, as the `place-devices` pass chose it: None for every other
/// node (shell and C++ tasks run where the backend puts them).
enum class Placement : uint8_t { None, Cpu, Gpu };
/// `cpu`, `gpu`, or `none`.
constexpr std::string_view spelling(Placement p) {
  return p == Placement::Gpu ? "gpu" : p == Placement::Cpu ? "cpu" : "none";
}

/// What a backend reads of a task node, resolved by the `resolve-attributes` pass: the
/// call site's annotation, else the task's, else (for `interruptible`) the workflow's
/// `@interruptible`, else the default below. Backends decide no policy of their own.
struct Attributes {
  double cpu = 1.0;
  int64_t mem_bytes = 0;
  int64_t gpu = 0;
  int64_t disk_bytes = 0;
  std::string accelerator;  // a GPU model, such as `A100`, or empty
  int64_t retries = 0;
  std::optional<double> timeout_s;  // none: no limit
  bool interruptible = false;
  std::string device;                        // a placement hint (`cpu`, `gpu`), or empty
  std::optional<double> checkpoint_every_s;  // none: no checkpoint policy
  /// Set by the `place-devices` pass: a tensor task's device, and for a GPU node the
  /// *stage* it belongs to (numbered from 0 in each workflow): GPU nodes that feed each
  /// other in-process, run as one unit that keeps tensors on the device.
  Placement placement = Placement::None;
  std::optional<uint32_t> stage;

  friend bool operator==(const Attributes&, const Attributes&) = default;
};

/// One argument of a node: its value, and what it is given for. `param` is, for a task
/// or sub-workflow node, the parameter's index in the callee's inputs; for a struct
/// literal, the field's index in the struct (the node's type); for a map literal, the
/// key's index in Workflow::keys; otherwise the operand's position (`lhs`, `rhs`; `x`
/// of `not` and `neg`; a list's elements; a map node's `over`; a fail's `message`).
/// ir/Args.h turns it into the name the text form writes and back.
struct Arg {
  ValueRef value;
  uint32_t param = 0;
};

/// A node's arguments: `count` entries of its Workflow::args from `begin`.
struct ArgRange {
  uint32_t begin = 0;
  uint32_t count = 0;
};

/// The parts of a node most nodes leave out, kept out of line: the call-site
/// annotations, `@after` edges, a branch's conditions and its arms' bodies, a map's body.
struct NodeExtras {
  CallSite call_site;
  std::vector<NodeId> after;         // `@after` edges
  std::vector<ValueRef> conditions;  // Branch: one per `if` / `else if`
  std::vector<Body> bodies;          // Branch: one per arm, the else last; Map: one
};

/// One node of a workflow's graph. Kept small: a workflow may have 100,000 of them.
struct Node {
  enum class Kind : uint8_t { Task, Subworkflow, Branch, Map, Expr, Fail } kind = Kind::Expr;
  ExprOp op = ExprOp::Add;  // Expr: `+`, `==`, `not`, `neg`, `list`, `map`, `struct`
  TypeId type;              // the node's value
  TaskId task;              // Task: the task it calls
  WorkflowId workflow;      // Subworkflow: the workflow it calls
  SourceRange location;
  std::string name;  // the `let` that binds it, or empty
  /// Task and Subworkflow: the arguments. Expr: operands. Map: the list it maps over.
  /// Fail: the message. Stored in Workflow::args: see Workflow::args_of().
  ArgRange args;
  /// Call-site annotations, `@after` edges, conditions and bodies; most nodes have none
  /// (see call_site(), after(), conditions(), bodies()).
  OutOfLine<NodeExtras> extras;
  /// Task nodes, once the `resolve-attributes` pass ran: see attributes().
  OutOfLine<Attributes> resolved;

  /// The node's call-site annotations, empty when it has none.
  const CallSite& call_site() const {
    static const CallSite kNone;
    const NodeExtras* e = extras.get();
    return e != nullptr ? e->call_site : kNone;
  }
  const Policy& overrides() const { return call_site().overrides; }
  const std::optional<int64_t>& concurrency() const { return call_site().concurrency; }
  const std::optional<double>& min_success() const { return call_site().min_success; }
  /// The nodes this one runs after (`@after`), beyond those whose values it reads.
  const std::vector<NodeId>& after() const { return extras_or_none().after; }
  /// Branch: the condition of each `if` / `else if`.
  const std::vector<ValueRef>& conditions() const { return extras_or_none().conditions; }
  /// Branch: one body per arm, the else last; Map: the one body.
  const std::vector<Body>& bodies() const { return extras_or_none().bodies; }
  /// The resolved attributes; the defaults for a node the pass has not seen (a plan a
  /// test built by hand).
  const Attributes& attributes() const {
    static const Attributes kDefaults;
    const Attributes* a = resolved.get();
    return a != nullptr ? *a : kDefaults;
  }

 private:
  const NodeExtras& extras_or_none() const {
    static const NodeExtras kNone;
    const NodeExtras* e = extras.get();
    return e != nullptr ? *e : kNone;
  }
};

struct Workflow {
  std::string name;
  std::string doc;
  std::vector<Param> inputs;
  std::vector<Output> outputs;
  bool named_outputs = false;
  std::vector<Node> nodes;
  /// The arguments of all nodes, each node's together (Node::args).
  std::vector<Arg> args;
  /// The keys of map literals (`{"a": x}`), which Arg::param indexes.
  std::vector<std::string> keys;
  std::vector<NodeId> top;  // nodes of the workflow body itself, in order
  std::vector<std::pair<std::string, ValueRef>> results;
  FailurePolicy failure_policy = FailurePolicy::FailFast;
  bool interruptible = false;
  SourceRange location;  // the workflow's name in its declaration

  /// The arguments of `n`, a node of this workflow.
  std::span<const Arg> args_of(const Node& n) const {
    return std::span<const Arg>(args).subspan(n.args.begin, n.args.count);
  }
  /// Appends `a` to `args`, as the arguments of a node: the range to give it.
  ArgRange add_args(std::vector<Arg> a) {
    ArgRange r{static_cast<uint32_t>(args.size()), static_cast<uint32_t>(a.size())};
    args.insert(args.end(), std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()));
    return r;
  }
};

struct Launch {
  std::string name;
  WorkflowId workflow;
  std::vector<std::pair<std::string, ConstId>> inputs;
  std::string schedule;
};

struct Module {
  std::string name;
  /// The source files SourceRange::file indexes, by path, such as `examples/etl.flyte`.
  std::vector<std::string> files;
  TypeTable types;
  std::vector<Constant> constants;
  std::vector<Task> tasks;
  std::vector<Workflow> workflows;
  std::vector<Launch> launches;
};

}  // namespace flyte::ir
