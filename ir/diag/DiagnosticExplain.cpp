// The explanation texts of `flytec explain`. One entry per code of DiagnosticCodes.def.
#include "ir/diag/DiagnosticExplain.h"

#include <array>

namespace flyte {
namespace {

struct Entry {
  DiagCode code;
  std::string_view text;
};

constexpr Entry kEntries[] = {
    {DiagCode::E0001,
     "The parser met a token it did not expect: a missing bracket, comma or ';', a\n"
     "misspelt keyword, or a stray character. The message names what was expected\n"
     "and, for an unclosed bracket, a note points at the bracket.\n\n"
     "    task f(a: int {        // expected ')' to close the parameter list\n"},
    {DiagCode::E0002,
     "A number, duration, size or string literal is malformed: a bad suffix (12x,\n"
     "4Qi), two decimal points, an unterminated string, an unknown escape, a value\n"
     "out of range, or a size that is not a whole number of bytes.\n\n"
     "    @timeout(10min)        // durations take ms, s, m, h, d: write 10m\n"},
    {DiagCode::E0101,
     "A name is used that no parameter, binding or enum member defines here. A\n"
     "'let' may only refer to bindings before it.\n\n"
     "    let y = f(x = z)       // no 'z' in scope\n"},
    {DiagCode::E0102,
     "A type name is unknown, or a type is written wrongly: Map keys must be\n"
     "string, Tensor takes a dtype and a shape, List takes one type.\n\n"
     "    x: Map<int, string>    // map keys are strings\n"},
    {DiagCode::E0103,
     "A call names no task or workflow that is declared or imported.\n\n"
     "    let y = trian(x = 1)   // did you mean 'train'?\n"},
    {DiagCode::E0104,
     "An import names a module that is not found next to the main file, in a -I\n"
     "directory, or in the standard library.\n\n"
     "    import std.tensr;\n"},
    {DiagCode::E0105,
     "Two declarations, parameters, fields or bindings in one scope have the same\n"
     "name. The note shows the first one.\n"},
    {DiagCode::E0106,
     "A field or output is accessed that the struct or the task's outputs do not\n"
     "have.\n\n"
     "    let d = prepare(raw = r)\n"
     "    let t = d.trian        // outputs are 'train' and 'test'\n"},
    {DiagCode::E0201, "A call leaves out a parameter that has no default.\n"},
    {DiagCode::E0202, "A call names a parameter the task or workflow does not have.\n"},
    {DiagCode::E0203,
     "A call gives one parameter twice (positionally and by name, or by name twice),\n"
     "or more positional arguments than there are parameters.\n"},
    {DiagCode::E0301,
     "A value's type is not the type expected where it is used. Only the implicit\n"
     "conversions of the language reference apply (an int literal to float, T to T?,\n"
     "a string literal to an enum member, File or Dir).\n\n"
     "    let w = train(lr = \"fast\")   // lr is a float\n"},
    {DiagCode::E0302,
     "Two uses of one tensor dimension variable disagree in a call: the message names\n"
     "the dimension and where each size came from.\n\n"
     "    matmul(a = x, b = y)   // K is 8 from 'a', 4 from 'b'\n"},
    {DiagCode::E0303, "Two uses of one tensor dtype variable disagree in a call (f32 vs i64).\n"},
    {DiagCode::E0304,
     "An 'if' condition is not a bool, or the operands of a comparison cannot be\n"
     "compared (a File with an int).\n"},
    {DiagCode::E0305, "The arms of an 'if' have different types; every arm must have one type.\n"},
    {DiagCode::E0306, "'for x in xs' needs xs to be a List.\n"},
    {DiagCode::E0307,
     "An optional value (T?) is used where a T is required. Give the parameter an\n"
     "optional type, or pass a value that cannot be none.\n"},
    {DiagCode::E0401,
     "A workflow does not return each declared output exactly once, or returns a\n"
     "value of the wrong type.\n"},
    {DiagCode::E0402,
     "Declarations depend on each other in a circle: '@after' bindings that wait\n"
     "for each other, or modules that import each other.\n"},
    {DiagCode::E0403, "A workflow calls itself, directly or through other workflows.\n"},
    {DiagCode::E0501,
     "An annotation does not exist, or is not allowed where it stands (for example\n"
     "@schedule on a task, or @cache on a call).\n"},
    {DiagCode::E0502,
     "An annotation argument or a constant is invalid: a negative count, a size\n"
     "given as a plain number (mem = 4), an unknown keyword, or a division by a\n"
     "constant zero.\n"},
    {DiagCode::E0503,
     "A resource request is larger than any node of the target profile given with\n"
     "--profile.\n"},
    {DiagCode::E0504,
     "@accelerator names a GPU model flytec does not know. Known: nvidia-h100,\n"
     "nvidia-h200, nvidia-a100, nvidia-a100-80gb, nvidia-l4, nvidia-t4, nvidia-a10g,\n"
     "nvidia-v100, and MIG slices such as \"nvidia-a100:1g.5gb\".\n"},
    {DiagCode::E0601,
     "A {placeholder} in a shell command names no input or output of the task. Write\n"
     "{{ and }} for literal braces.\n"},
    {DiagCode::E0602,
     "The function named in cpp(\"file.cpp\", \"ns::fn\") cannot be found: the file\n"
     "(relative to the .flyte file) does not exist, does not compile (the note quotes\n"
     "Clang's first error; flags come from a compile_commands.json beside the file and\n"
     "--cpp-arg), or declares no namespace-scope function of that qualified name (a\n"
     "note suggests one of the same name in another namespace). flytec reads the file\n"
     "with Clang; the signatures are cached by the file's contents and flags.\n"},
    {DiagCode::E0603,
     "The C++ function's parameters or result do not match the task's interface. One\n"
     "parameter per input, in order, by value or const&, and an optional last\n"
     "flyte::Context&: int is int64_t, float double, bool bool, string std::string,\n"
     "File and Dir flyte::Path, Tensor<f32, …> flyte::Tensor<float>, List<T>\n"
     "std::vector<T>, Map<string, T> std::map<std::string, T>, T? std::optional<T>,\n"
     "a struct a C++ struct with fields of the same names. No outputs is void, one is\n"
     "its type, several a struct with fields named after them or a std::tuple. With\n"
     "overloads, the one that matches runs the task; when none does, the notes list\n"
     "each candidate with its file:line:col and why it does not fit.\n"},
    {DiagCode::E0604,
     "A builtin(\"name\") runner names a kernel the runtime does not have. The names\n"
     "are those of the standard library's std.tensor and std.ml tasks (tensor.matmul,\n"
     "ml.make_blobs, ...; the one table is ir/Builtins.def); a note suggests the\n"
     "closest one.\n\n"
     "    task mm(a: Tensor<f32>) -> Tensor<f32> { builtin(\"tensor.matmull\") }\n"},
    {DiagCode::W0001, "A 'let' binding is never used. Its node still runs.\n"},
    {DiagCode::W0002, "A workflow input is never used.\n"},
    {DiagCode::W0003,
     "A shell command never mentions one of the task's outputs, so nothing writes it.\n"},
    {DiagCode::W0004, "@cache on a task without outputs has nothing to cache.\n"},
    {DiagCode::W0005,
     "A branch arm can never run: its condition is the constant false, or an earlier\n"
     "condition is the constant true. Reported by the validate-dag pass.\n"},
};

static_assert(std::size(kEntries) == static_cast<size_t>(DiagCode::Count),
              "every diagnostic code needs an explanation");

}  // namespace

std::string_view diag_code_explanation(DiagCode code) {
  for (const Entry& e : kEntries) {
    if (e.code == code) return e.text;
  }
  return {};
}

}  // namespace flyte
