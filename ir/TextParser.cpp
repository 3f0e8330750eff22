// A recursive-descent reader for the IR text form, one line at a time.
#include "ir/TextParser.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <unordered_map>

#include "ir/Args.h"
#include "support/CppString.h"

namespace flyte::ir {
namespace {

struct ParseError {
  std::string message;
};

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

/// A cursor over one line.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool done() {
    skip_ws();
    return pos_ >= s_.size();
  }
  void skip_ws() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  char peek() {
    skip_ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool starts_with(std::string_view t) {
    skip_ws();
    return s_.substr(pos_).substr(0, t.size()) == t;
  }
  bool accept(std::string_view t) {
    if (!starts_with(t)) return false;
    pos_ += t.size();
    return true;
  }
  /// Accepts a keyword only when a whole word matches.
  bool accept_word(std::string_view w) {
    if (!starts_with(w)) return false;
    size_t end = pos_ + w.size();
    if (end < s_.size() && is_ident_char(s_[end])) return false;
    pos_ = end;
    return true;
  }
  void expect(std::string_view t) {
    if (!accept(t)) fail(fmt::format("expected '{}'", t));
  }
  /// A name: letters, digits, `_`, `.` and `-` (qualified names, accelerator models).
  std::string ident() {
    skip_ws();
    size_t start = pos_;
    while (pos_ < s_.size() && is_ident_char(s_[pos_]) && !(s_[pos_] == '.' && pos_ == start))
      ++pos_;
    if (pos_ == start) fail("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }
  /// A name without dots, such as a field after `%3.`.
  std::string field() {
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '_'))
      ++pos_;
    if (pos_ == start) fail("expected a field name");
    return std::string(s_.substr(start, pos_ - start));
  }
  std::string field_after_ws() {
    skip_ws();
    return field();
  }
  /// An argument name: a plain name, or a quoted one (map keys may be any string).
  std::string arg_name() {
    if (peek() == '"') return string();
    return field_after_ws();
  }
  /// An expression node's operator: everything up to its `(` (`+`, `struct Point`).
  std::string op() {
    skip_ws();
    size_t paren = s_.find('(', pos_);
    if (paren == std::string_view::npos || paren == pos_) fail("expected an operator");
    std::string out(s_.substr(pos_, paren - pos_));
    pos_ = paren;
    return out;
  }
  uint32_t index() {
    skip_ws();
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
    if (ec != std::errc()) fail("expected a number");
    pos_ = static_cast<size_t>(end - s_.data());
    return v;
  }
  /// Whatever runs up to the next space, `,`, `)` or `]` at this nesting level.
  std::string word() {
    skip_ws();
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != ',' && s_[pos_] != ')' &&
           s_[pos_] != ']')
      ++pos_;
    if (pos_ == start) fail("expected a value");
    return std::string(s_.substr(start, pos_ - start));
  }
  int64_t integer() {
    std::string w = word();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || end != w.data() + w.size()) fail("expected an integer");
    return v;
  }
  double number(std::string_view suffix = "") {
    std::string w = word();
    if (!suffix.empty()) {
      if (w.size() <= suffix.size() || w.compare(w.size() - suffix.size(), suffix.size(), suffix))
        fail(fmt::format("expected a number ending in '{}'", suffix));
      w.resize(w.size() - suffix.size());
    }
    char* end = nullptr;
    double v = std::strtod(w.c_str(), &end);
    if (w.empty() || *end != '\0') fail("expected a number");
    return v;
  }
  /// A quoted string as `quote` writes it; returns the unescaped text.
  std::string string() {
    skip_ws();
    if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string");
    std::string out;
    for (++pos_; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        size_t length = 0;
        c = read_cpp_escape(s_, pos_ + 1, length);
        pos_ += length;
      }
      out += c;
    }
    fail("unterminated string");
  }
  [[noreturn]] static void fail(std::string message) { throw ParseError{std::move(message)}; }

  std::string_view s_;
  size_t pos_ = 0;
};

class TextParser {
 public:
  explicit TextParser(std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines_.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }

  std::unique_ptr<Module> run(std::string& error) {
    m_ = std::make_unique<Module>();
    try {
      Cursor c = line();
      c.expect("module");
      m_->name = c.ident();
      end(c);
      while (skip_blank()) {
        Cursor d = line();
        if (d.accept_word("struct") || d.accept_word("enum")) {
          bool is_struct = lines_[line_ - 1].substr(0, 6) == "struct";
          std::string name = d.ident();
          named_[name] = m_->types.declare(is_struct ? TypeKind::Struct : TypeKind::Enum, name);
          // Fields may name types declared further down: read them once all are known.
          declarations_.push_back(line_ - 1);
        } else if (d.accept_word("task")) {
          task(d);
        } else if (d.accept_word("workflow")) {
          declare_workflow(d);
        } else if (d.accept_word("launch")) {
          launches_.push_back(line_ - 1);
        } else {
          Cursor::fail("expected 'task', 'workflow' or 'launch'");
        }
      }
      for (size_t l : declarations_) {
        line_ = l;
        Cursor d = line();
        bool is_struct = d.accept_word("struct");
        if (!is_struct) d.accept_word("enum");
        TypeId id = named_.at(d.ident());
        type_body(d, id, is_struct);
      }
      // Workflows may call workflows printed after them: read the bodies once every
      // name is known.
      for (size_t i = 0; i < bodies_.size(); ++i) {
        line_ = bodies_[i];
        workflow_body(m_->workflows[i]);
      }
      for (size_t l : launches_) {
        line_ = l;
        Cursor d = line();
        d.accept_word("launch");
        launch(d);
      }
    } catch (const ParseError& e) {
      error = fmt::format("line {}: {}", line_, e.message);
      return nullptr;
    }
    return std::move(m_);
  }

 private:
  // --- lines -----------------------------------------------------------------------

  Cursor line() {
    if (line_ >= lines_.size()) Cursor::fail("unexpected end of input");
    return Cursor(lines_[line_++]);
  }
  /// Skips empty lines and comment lines (`; resolved …`, as `--print-ir-after` writes
  /// them); false at the end of the text.
  bool skip_blank() {
    while (line_ < lines_.size() && blank(lines_[line_])) ++line_;
    return line_ < lines_.size();
  }
  static bool blank(std::string_view l) {
    size_t first = l.find_first_not_of(' ');
    return first == std::string_view::npos || l[first] == ';';
  }
  /// Skips comment lines inside a workflow.
  void skip_comments() {
    while (line_ < lines_.size() && !lines_[line_].empty() && blank(lines_[line_])) ++line_;
  }
  /// True when the next line is indented by at least two spaces.
  bool indented() const { return line_ < lines_.size() && lines_[line_].substr(0, 2) == "  "; }
  static void end(Cursor& c) {
    if (!c.done()) Cursor::fail("unexpected text at the end of the line");
  }

  // --- types -----------------------------------------------------------------------

  /// ` { a: int, b: File }` of a struct, ` { red, green }` of an enum; older texts
  /// name the type alone.
  void type_body(Cursor& c, TypeId id, bool is_struct) {
    if (c.done()) return;
    c.expect("{");
    std::vector<FieldType> fields;
    std::vector<std::string> members;
    if (!c.accept("}")) {
      do {
        std::string name = c.field_after_ws();
        if (is_struct) {
          c.expect(":");
          fields.push_back({name, type(c)});
        } else {
          members.push_back(name);
        }
      } while (c.accept(","));
      c.expect("}");
    }
    end(c);
    if (is_struct) {
      m_->types.define_struct(id, std::move(fields));
    } else {
      m_->types.define_enum(id, std::move(members));
    }
  }

  TypeId type(Cursor& c) {
    // Types nest by recursion here: a bound keeps a damaged plan from exhausting the stack.
    if (type_depth_ >= 200) Cursor::fail("type nested more than 200 levels deep");
    ++type_depth_;
    TypeId t = base_type(c);
    --type_depth_;
    while (c.pos_ < c.s_.size() && c.s_[c.pos_] == '?') {
      ++c.pos_;
      t = m_->types.optional(t);
    }
    return t;
  }

  TypeId base_type(Cursor& c) {
    TypeTable& tt = m_->types;
    if (c.accept("(")) {
      std::vector<FieldType> fields;
      do {
        std::string name = c.field_after_ws();
        c.expect(":");
        fields.push_back({name, type(c)});
      } while (c.accept(","));
      c.expect(")");
      return tt.outputs(std::move(fields));
    }
    if (c.accept("<error>")) return tt.error();
    std::string name = c.ident();
    static const std::unordered_map<std::string_view, TypeKind> kSimple = {
        {"never", TypeKind::Never},       {"none", TypeKind::None},
        {"int", TypeKind::Int},           {"float", TypeKind::Float},
        {"bool", TypeKind::Bool},         {"string", TypeKind::String},
        {"duration", TypeKind::Duration}, {"size", TypeKind::Size},
        {"File", TypeKind::File},         {"Dir", TypeKind::Dir}};
    if (auto it = kSimple.find(name); it != kSimple.end()) {
      switch (it->second) {
        case TypeKind::Never: return tt.never();
        case TypeKind::None: return tt.none();
        case TypeKind::Int: return tt.int_();
        case TypeKind::Float: return tt.float_();
        case TypeKind::Bool: return tt.bool_();
        case TypeKind::String: return tt.string();
        case TypeKind::Duration: return tt.duration();
        case TypeKind::Size: return tt.size();
        case TypeKind::File: return tt.file();
        default: return tt.dir();
      }
    }
    if (name == "List") {
      c.expect("<");
      TypeId e = type(c);
      c.expect(">");
      return tt.list(e);
    }
    if (name == "Map") {
      c.expect("<");
      c.expect("string");
      c.expect(",");
      TypeId e = type(c);
      c.expect(">");
      return tt.map(e);
    }
    if (name == "Tensor") return tensor(c);
    auto it = named_.find(name);
    if (it == named_.end()) Cursor::fail(fmt::format("unknown type '{}'", name));
    return it->second;
  }

  TypeId tensor(Cursor& c) {
    TensorSpec s;
    c.expect("<");
    s.dtype = c.ident();
    s.dtype_is_var = !TypeTable::is_dtype(s.dtype);
    if (c.accept(",")) {
      if (c.accept("[")) {
        s.shape = TensorSpec::Shape::Dims;
        if (!c.accept("]")) {
          do {
            DimSpec d;
            std::string w = c.word();
            if (w == "?") {
              d.kind = DimSpec::Kind::Unknown;
            } else if (std::isdigit(static_cast<unsigned char>(w[0])) != 0) {
              d.kind = DimSpec::Kind::Literal;
              auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), d.value);
              if (ec != std::errc() || p != w.data() + w.size()) Cursor::fail("bad dimension");
            } else {
              d.kind = DimSpec::Kind::Var;
              d.var = w;
            }
            s.dims.push_back(std::move(d));
          } while (c.accept(","));
          c.expect("]");
        }
      } else {
        s.shape = TensorSpec::Shape::Var;
        s.shape_var = c.ident();
      }
    }
    c.expect(">");
    return m_->types.tensor(std::move(s));
  }

  // --- constants and values ----------------------------------------------------------

  /// The type of a constant read where no type is expected: its literal's.
  TypeId literal_type(const Value& v) {
    TypeTable& tt = m_->types;
    switch (v.kind()) {
      case Value::Kind::String: return tt.string();
      case Value::Kind::Bool: return tt.bool_();
      case Value::Kind::None: return tt.none();
      case Value::Kind::Duration: return tt.duration();
      case Value::Kind::Size: return tt.size();
      case Value::Kind::Float: return tt.float_();
      case Value::Kind::Int: return tt.int_();
      default: return tt.error();
    }
  }

  /// The type of parameter `name`, or the error type (no expectation) when there is none.
  TypeId param_type(const std::vector<Param>& params, const std::string& name) const {
    for (const Param& p : params) {
      if (p.name == name) return p.type;
    }
    return m_->types.error();
  }

  /// Reads a constant at the cursor, given as a value of type `expected` (the error type
  /// when there is none).
  ConstId add_constant(Cursor& c, TypeId expected) {
    c.skip_ws();
    std::string error;
    std::optional<Value> v = read_value(c.s_, c.pos_, m_->types, expected, error);
    if (!v) Cursor::fail(error);
    TypeId t = expected.index != m_->types.error().index ? expected : literal_type(*v);
    m_->constants.push_back({t, std::move(*v)});
    return ConstId{static_cast<uint32_t>(m_->constants.size() - 1)};
  }

  std::vector<Param> params(Cursor& c) {
    std::vector<Param> out;
    c.expect("(");
    if (c.accept(")")) return out;
    do {
      Param p;
      p.name = c.ident();
      c.expect(":");
      p.type = type(c);
      if (c.accept("=")) p.default_value = add_constant(c, p.type);
      out.push_back(std::move(p));
    } while (c.accept(","));
    c.expect(")");
    return out;
  }

  void outputs(Cursor& c, std::vector<Output>& out, bool& named) {
    if (!c.accept("->")) return;
    TypeId t = type(c);
    const TypeData& d = m_->types.get(t);
    if (d.kind == TypeKind::Outputs) {
      named = true;
      for (const FieldType& f : d.fields) out.push_back({f.name, f.type});
    } else {
      out.push_back({"o", t});
    }
  }

  /// `$input`, `%3`, `%3.out.field`, `%0.item` (inside map %0's body) or a constant.
  ValueRef value(Cursor& c, const Workflow& w, TypeId expected) {
    ValueRef v;
    if (c.accept("$")) {
      std::string name = c.field();
      for (uint32_t i = 0; i < w.inputs.size(); ++i) {
        if (w.inputs[i].name == name) {
          v.kind = ValueRef::Kind::Input;
          v.index = i;
          v.type = w.inputs[i].type;
        }
      }
      if (v.kind != ValueRef::Kind::Input) Cursor::fail(fmt::format("no input '{}'", name));
    } else if (c.accept("%")) {
      v.index = c.index();
      if (v.index >= w.nodes.size()) Cursor::fail(fmt::format("%{} is not defined here", v.index));
      const Node& n = w.nodes[v.index];
      v.kind = ValueRef::Kind::NodeOutput;
      v.type = n.type;
      const TypeData& d = m_->types.get(n.type);
      if (n.kind == Node::Kind::Map && c.s_.substr(c.pos_, 5) == ".item" &&
          (c.pos_ + 5 == c.s_.size() || !is_ident_char(c.s_[c.pos_ + 5]))) {
        c.pos_ += 5;
        v.kind = ValueRef::Kind::MapItem;
        v.type = d.kind == TypeKind::List ? d.elem : m_->types.error();
      } else if (d.kind == TypeKind::Outputs && c.pos_ < c.s_.size() && c.s_[c.pos_] == '.') {
        ++c.pos_;
        std::string name = c.field();
        for (uint32_t i = 0; i < d.fields.size() && v.output == ValueRef::kWhole; ++i) {
          if (d.fields[i].name == name) {
            v.output = i;
            v.type = d.fields[i].type;
          }
        }
        if (v.output == ValueRef::kWhole)
          Cursor::fail(fmt::format("%{} has no output '{}'", v.index, name));
      }
      while (c.pos_ < c.s_.size() && c.s_[c.pos_] == '.') {
        ++c.pos_;
        v.fields.make().push_back(c.field());
        v.type = m_->types.error();  // struct fields are not part of the text form
      }
    } else {
      v.kind = ValueRef::Kind::Const;
      v.index = add_constant(c, expected).index;
      v.type = m_->constants[v.index].type;
    }
    return v;
  }

  Policy policy(Cursor& c, char close) {
    Policy p;
    while (!c.done() && c.peek() != close) {
      if (c.accept_word("interruptible")) {
        p.interruptible = true;
        continue;
      }
      std::string key = c.ident();
      c.expect("=");
      if (key == "retries")
        p.retries = c.integer();
      else if (key == "timeout")
        p.timeout_s = c.number("s");
      else if (key == "cpu")
        p.cpu = c.number();
      else if (key == "mem")
        p.mem_bytes = c.integer();
      else if (key == "gpu")
        p.gpu = c.integer();
      else if (key == "disk")
        p.disk_bytes = c.integer();
      else if (key == "accelerator")
        p.accelerator = c.word();
      else if (key == "device")
        p.device = c.word();
      else
        Cursor::fail(fmt::format("unknown policy '{}'", key));
    }
    return p;
  }

  // --- declarations -------------------------------------------------------------------

  void task(Cursor& c) {
    Task t;
    t.name = c.ident();
    t.inputs = params(c);
    outputs(c, t.outputs, t.named_outputs);
    end(c);
    tasks_[t.name] = static_cast<uint32_t>(m_->tasks.size());
    while (indented()) {
      Cursor d = line();
      if (d.accept_word("runner")) {
        std::string kind = d.ident();
        std::optional<RunnerKind> k = parse_runner_kind(kind);
        if (!k) Cursor::fail(fmt::format("unknown runner '{}'", kind));
        std::string text = d.string();
        switch (*k) {
          case RunnerKind::Shell: t.runner.body = Runner::Shell{std::move(text)}; break;
          case RunnerKind::Cpp: {
            Runner::Cpp cpp{std::move(text), {}, {}};
            if (d.peek() == '"') cpp.symbol = d.string();
            t.runner.body = std::move(cpp);
            break;
          }
          case RunnerKind::Builtin: t.runner.body = Runner::Builtin{std::move(text)}; break;
        }
      } else if (d.accept_word("policy")) {
        t.policy = policy(d, '\0');
      } else if (d.accept_word("cache")) {
        t.cache = true;
        d.expect("version=");
        t.cache_version = d.string();
        while (d.accept_word("ignore")) {
          d.expect("=");
          t.cache_ignore.push_back(d.ident());
        }
      } else if (d.accept_word("checkpoint")) {
        d.expect("every=");
        t.checkpoint_every_s = d.number("s");
      } else if (d.accept_word("image")) {
        t.image = d.string();
      } else if (d.accept_word("env")) {
        std::string k = d.field_after_ws();
        d.expect("=");
        t.env.emplace_back(k, d.string());
      } else if (d.accept_word("fingerprint")) {
        t.fingerprint = d.ident();
      } else if (d.accept_word("secret")) {
        t.secrets.push_back(d.string());
      } else {
        Cursor::fail("expected a task attribute (runner, policy, cache, …)");
      }
      end(d);
    }
    m_->tasks.push_back(std::move(t));
  }

  void declare_workflow(Cursor& c) {
    Workflow w;
    w.name = c.ident();
    w.inputs = params(c);
    outputs(c, w.outputs, w.named_outputs);
    end(c);
    workflows_[w.name] = static_cast<uint32_t>(m_->workflows.size());
    bodies_.push_back(line_);
    m_->workflows.push_back(std::move(w));
    while (indented()) ++line_;
  }

  void workflow_body(Workflow& w) {
    for (skip_comments(); indented(); skip_comments()) {
      Cursor d = line();
      if (d.accept_word("failure_policy")) {
        std::string word = d.ident();
        std::optional<FailurePolicy> p = parse_failure_policy(word);
        if (!p) Cursor::fail(fmt::format("unknown failure policy '{}'", word));
        w.failure_policy = *p;
      } else if (d.accept_word("interruptible")) {
        w.interruptible = true;
      } else if (d.accept_word("return")) {
        std::string name = d.field_after_ws();
        d.expect("=");
        TypeId expected = m_->types.error();
        for (const Output& o : w.outputs) {
          if (o.name == name) expected = o.type;
        }
        w.results.emplace_back(name, value(d, w, expected));
      } else if (d.peek() == '%') {
        w.top.push_back(node(d, w));
        continue;
      } else {
        Cursor::fail("expected a node, 'return' or a workflow attribute");
      }
      end(d);
    }
  }

  std::vector<std::pair<std::string, ValueRef>> args(Cursor& c, Workflow& w,
                                                     const std::vector<Param>* params) {
    std::vector<std::pair<std::string, ValueRef>> out;
    c.expect("(");
    if (c.accept(")")) return out;
    do {
      std::string name = c.arg_name();
      c.expect("=");
      TypeId expected = params != nullptr ? param_type(*params, name) : m_->types.error();
      out.emplace_back(name, value(c, w, expected));
    } while (c.accept(","));
    c.expect(")");
    return out;
  }

  /// One node line, and its bodies for a branch or map.
  NodeId node(Cursor& c, Workflow& w) {
    c.expect("%");
    uint32_t index = c.index();
    if (index != w.nodes.size())
      Cursor::fail(fmt::format("expected node %{}, found %{}", w.nodes.size(), index));
    c.expect("=");
    w.nodes.emplace_back();
    Node n;
    std::vector<std::pair<std::string, ValueRef>> in;  // the arguments, by name
    std::string struct_op;                             // `struct Point` of a struct literal
    if (c.accept_word("task")) {
      n.kind = Node::Kind::Task;
      std::string name = c.ident();
      auto it = tasks_.find(name);
      if (it == tasks_.end()) Cursor::fail(fmt::format("no task '{}'", name));
      n.task = TaskId{it->second};
      in = args(c, w, &m_->tasks[n.task.index].inputs);
    } else if (c.accept_word("workflow")) {
      n.kind = Node::Kind::Subworkflow;
      std::string name = c.ident();
      auto it = workflows_.find(name);
      if (it == workflows_.end()) Cursor::fail(fmt::format("no workflow '{}'", name));
      n.workflow = WorkflowId{it->second};
      std::vector<Param> ps = m_->workflows[n.workflow.index].inputs;
      in = args(c, w, &ps);
    } else if (c.accept_word("branch")) {
      n.kind = Node::Kind::Branch;
    } else if (c.starts_with("map ")) {
      c.accept("map");
      n.kind = Node::Kind::Map;
      in.emplace_back("over", value(c, w, m_->types.error()));
    } else if (c.accept_word("fail")) {
      n.kind = Node::Kind::Fail;
      in = args(c, w, nullptr);
    } else {
      n.kind = Node::Kind::Expr;
      // `struct Point(...)`: the struct is the node's type, read after the `:`.
      std::string op = c.op();
      std::optional<ExprOp> known =
          op.rfind("struct ", 0) == 0 ? ExprOp::StructLit : parse_expr_op(op);
      if (!known || (*known == ExprOp::StructLit && op == "struct"))
        Cursor::fail(fmt::format("unknown operator '{}'", op));
      n.op = *known;
      struct_op = std::move(op);
      in = args(c, w, nullptr);
    }
    c.expect(":");
    n.type = type(c);
    if (n.kind == Node::Kind::Expr && n.op == ExprOp::StructLit &&
        struct_op != "struct " + m_->types.str(n.type))
      Cursor::fail(
          fmt::format("'{}' builds a value of type '{}'", struct_op, m_->types.str(n.type)));
    std::vector<Arg> given;
    given.reserve(in.size());
    for (auto& [name, v] : in) {
      std::optional<uint32_t> param = arg_param(*m_, w, n, given.size(), name);
      if (!param) Cursor::fail(fmt::format("'{}' is not an argument of this node", name));
      given.push_back({std::move(v), *param});
    }
    n.args = w.add_args(std::move(given));
    if (c.accept(";")) {
      n.name = c.field_after_ws();  // `train, test` for a destructuring `let`
      while (c.accept(",")) n.name += ", " + c.field_after_ws();
    }
    while (c.accept("[")) {
      if (c.accept("concurrency=")) {
        n.extras.make().call_site.concurrency = c.integer();
      } else if (c.accept("min_success=")) {
        n.extras.make().call_site.min_success = c.number();
      } else {
        n.extras.make().call_site.overrides = policy(c, ']');
      }
      c.expect("]");
    }
    if (c.accept_word("after")) {
      while (c.accept("%")) n.extras.make().after.push_back(NodeId{c.index()});
    }
    // `on gpu stage 0`: the placement the place-devices pass chose.
    if (c.accept_word("on")) {
      std::string where = c.word();
      Attributes& a = n.resolved.make();
      if (where == "gpu") {
        a.placement = Placement::Gpu;
      } else if (where == "cpu") {
        a.placement = Placement::Cpu;
      } else {
        Cursor::fail(fmt::format("expected 'cpu' or 'gpu' after 'on', found '{}'", where));
      }
      if (c.accept_word("stage")) a.stage = c.index();
    }
    end(c);
    w.nodes[index] = std::move(n);
    body_lines(w, index);
    return NodeId{index};
  }

  void body_lines(Workflow& w, uint32_t index) {
    Node::Kind kind = w.nodes[index].kind;
    if (kind != Node::Kind::Branch && kind != Node::Kind::Map) return;
    for (;;) {
      skip_comments();
      if (line_ >= lines_.size()) return;
      Cursor h(lines_[line_]);
      Body b;
      if (kind == Node::Kind::Branch && h.accept_word("if")) {
        ++line_;
        w.nodes[index].extras.make().conditions.push_back(value(h, w, m_->types.bool_()));
      } else if ((kind == Node::Kind::Branch && h.accept_word("else")) ||
                 (kind == Node::Kind::Map && h.accept_word("do"))) {
        ++line_;
      } else {
        return;
      }
      h.expect("{");
      end(h);
      for (;;) {
        skip_comments();
        Cursor d = line();
        if (d.accept_word("result")) {
          b.result = value(d, w, m_->types.error());
          end(d);
          break;
        }
        if (d.peek() != '%') Cursor::fail("expected a node or 'result'");
        b.nodes.push_back(node(d, w));
      }
      Cursor close = line();
      close.expect("}");
      end(close);
      Node& n = w.nodes[index];
      n.extras.make().bodies.push_back(std::move(b));
      // The else arm is a branch's last; a map has one body.
      if (n.bodies().size() > n.conditions().size()) return;
    }
  }

  void launch(Cursor& c) {
    Launch l;
    l.name = c.ident();
    c.expect("=");
    std::string wf = c.ident();
    auto it = workflows_.find(wf);
    if (it == workflows_.end()) Cursor::fail(fmt::format("no workflow '{}'", wf));
    l.workflow = WorkflowId{it->second};
    const Workflow& w = m_->workflows[it->second];
    c.expect("(");
    if (!c.accept(")")) {
      do {
        std::string name = c.ident();
        c.expect("=");
        l.inputs.emplace_back(name, add_constant(c, param_type(w.inputs, name)));
      } while (c.accept(","));
      c.expect(")");
    }
    if (c.accept_word("schedule")) l.schedule = c.string();
    end(c);
    m_->launches.push_back(std::move(l));
  }

  std::vector<std::string_view> lines_;
  size_t line_ = 0;
  std::unique_ptr<Module> m_;
  int type_depth_ = 0;
  std::unordered_map<std::string, TypeId> named_;
  std::unordered_map<std::string, uint32_t> tasks_;
  std::unordered_map<std::string, uint32_t> workflows_;
  std::vector<size_t> bodies_;
  std::vector<size_t> launches_;
  std::vector<size_t> declarations_;  // the lines declaring structs and enums
};

}  // namespace

std::unique_ptr<Module> parse_text(std::string_view text, std::string& error) {
  return TextParser(text).run(error);
}

}  // namespace flyte::ir
