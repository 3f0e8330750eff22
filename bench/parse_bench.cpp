// Frontend throughput: lexing, and lexing + parsing + AST building, of a generated
// ~100,000-line program, reported as lines per second.
//
// The program is generated in memory by the same templates and pseudo-random generator
// as bench/gen_workflow.py, byte for byte, so `flytec check` on that script's output
// shows the input is valid. Flags of its own, before Google Benchmark's:
//   --lines=N            generate at least N lines (default 100000)
//   --write_source=PATH  write the generated program to PATH and exit
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "frontend/Lexer.h"
#include "frontend/Parser.h"

namespace {

using namespace flyte;

/// A 64-bit LCG (Knuth's MMIX constants), the same as gen_workflow.py's `Rng`.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

// Appends formatted text to `out`.
template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

// One unit of declarations whose names end in `i`; see gen_workflow.py's `unit_text`,
// which this follows line by line. Random numbers are drawn in the order Python
// evaluates them, left to right.
void unit_text(std::string& out, uint64_t i, Rng& rng) {
  auto w = [&out](std::string_view s) { out.append(s); };
  put(out, "/// Settings for stage {}.\n", i);
  put(out, "struct Config{} {{\n", i);
  w("    name: string,\n");
  w("    threshold: float,\n");
  w("    sizes: List<int>,\n");
  w("    labels: Map<string, int>,\n");
  w("    timeout: duration,\n");
  w("    mem: size,\n");
  w("}\n\n");
  put(out, "enum Mode{} {{ fast, slow, balanced }}\n\n", i);
  put(out, "type Shards{} = List<Tensor<f32, [N, D]>>;\n\n", i);

  put(out, "/// Splits the raw data of stage {} into a training and a test set.\n", i);
  put(out, "@cache(version = \"{}\")\n", i);
  put(out, "@retries({})\n", rng.below(4));
  put(out, "@timeout({}m)\n", 1 + rng.below(59));
  {
    uint64_t cpu = 1 + rng.below(8);
    uint64_t mem = 1 + rng.below(16);
    put(out, "@resources(cpu = {}, mem = {}Gi)\n", cpu, mem);
  }
  put(out,
      "task prepare{}(raw: File, holdout: float = 0.2, seed: int = {}) -> (train: "
      "File, test: File) {{\n",
      i, i);
  w("    shell \"\"\"\n");
  w("        python3 prep.py --in {raw} --holdout {holdout} --seed {seed} \\\n");
  w("            --train {train} --test {test}\n");
  w("    \"\"\"\n");
  w("}\n\n");

  put(out, "@resources(cpu = 4, mem = {}Gi, gpu = 1)\n", 1 + rng.below(64));
  w("@accelerator(\"nvidia-h100\")\n");
  w("@interruptible\n");
  put(out, "@checkpoint(every = {}m)\n", 1 + rng.below(30));
  put(out,
      "task train{}(data: File, epochs: int, lr: float, mode: Mode{} = \"fast\") -> "
      "(model: File, loss: float) {{\n",
      i, i);
  w("    shell \"\"\"\n");
  w("        python3 train.py --data {data} --epochs {epochs} --lr {lr} --mode {mode} \\\n");
  w("            --model {model} --loss {loss}\n");
  w("    \"\"\"\n");
  w("}\n\n");

  put(out, "task score{}(model: File, data: File) -> float {{\n", i);
  w("    shell \"\"\"\n");
  w("        python3 score.py --model {model} --data {data} > {o}\n");
  w("    \"\"\"\n");
  w("}\n\n");

  put(out, "task merge{}(scores: List<float>) -> float {{\n", i);
  w("    shell \"\"\"python3 merge.py {scores} > {o}\"\"\"\n");
  w("}\n\n");

  put(out, "@timeout({}s)\n", 1 + rng.below(900));
  put(out, "task step{}(a: int, b: float) -> int {{\n", i);
  w("    shell \"\"\"\n");
  w("        python3 step.py --a {a} --b {b} > {o}\n");
  w("    \"\"\"\n");
  w("}\n\n");

  put(out, "task collect{}(values: List<int>, weights: Map<string, float>) -> int {{\n", i);
  w("    shell \"python3 collect.py {values} {weights} > {o}\"\n");
  w("}\n\n");

  put(out, "task configure{}(cfg: Config{}, base: int) -> int {{\n", i, i);
  w("    shell \"python3 configure.py {cfg} {base} > {o}\"\n");
  w("}\n\n");

  // A pipeline: destructuring, field access, a map over a list, if / else if / else.
  w("@failure_policy(continue)\n");
  {
    uint64_t epochs = 1 + rng.below(100);
    uint64_t lr = 1 + rng.below(9);
    put(out,
        "workflow pipeline{}(raw: File, epochs: int = {}, lr: float = 0.0{}) -> "
        "(best: float, all: List<float>) {{\n",
        i, epochs, lr);
  }
  put(out, "    let (train, test) = prepare{}(raw = raw, holdout = 0.{})\n", i, 1 + rng.below(9));
  put(out, "    let first = train{}(data = train, epochs = epochs, lr = lr)\n", i);
  put(out,
      "    let second = train{}(data = train, epochs = epochs * 2 + 1, lr = lr / 2.0, mode = "
      "\"slow\")\n",
      i);
  put(out, "    let s1 = score{}(model = first.model, data = test)\n", i);
  put(out, "    let s2 = score{}(model = second.model, data = test)\n", i);
  put(out, "    @concurrency({})\n", 1 + rng.below(16));
  w("    let sweep = for r in [lr, lr * 10.0, lr / 10.0] {\n");
  put(out, "        let m = train{}(data = train, epochs = epochs, lr = r)\n", i);
  put(out, "        score{}(model = m.model, data = test)\n", i);
  w("    }\n");
  w("    let best = if s1 > s2 and s1 >= 0.5 {\n");
  w("        s1\n");
  w("    } else if s2 > 0.9 or first.loss < second.loss {\n");
  w("        s2\n");
  w("    } else {\n");
  put(out, "        merge{}(scores = sweep)\n", i);
  w("    }\n");
  w("    return (best = best, all = sweep)\n");
  w("}\n\n");

  // A long chain of bindings, each using the one before.
  put(out, "/// A long chain of small steps for stage {}.\n", i);
  put(out, "workflow chain{}(start: int, scale: float = 1.5) -> (total: int, ratio: float) {{\n",
      i);
  put(out, "    let x0 = step{}(a = start, b = scale)\n", i);
  uint64_t n_steps = 20 + rng.below(21);
  for (uint64_t k = 1; k <= n_steps; ++k) {
    std::string p = fmt::format("x{}", k - 1);
    uint64_t a = 1 + rng.below(1000);
    uint64_t b = 1 + rng.below(100);
    uint64_t f_int = rng.below(10);
    uint64_t f_frac = rng.below(100);
    std::string fl = fmt::format("{}.{}", f_int, f_frac);
    uint64_t kind = rng.below(8);
    switch (kind) {
      case 0: put(out, "    let x{} = step{}(a = {} + {}, b = scale)\n", k, i, p, a); break;
      case 1:
        put(out, "    let x{} = step{}(a = {} * {} - {}, b = scale * {}) // scaled\n", k, i, p, b,
            a, fl);
        break;
      case 2:
        put(out,
            "    let x{} = if {} > {} {{ step{}(a = {} - {}, b = scale) }} else {{ {} + {} }}\n", k,
            p, a, i, p, a, p, b);
        break;
      case 3:
        put(out, "    let x{} = if {} >= {} and {} != {} {{\n", k, p, a, p, b);
        put(out, "        let t{} = step{}(a = {}, b = {})\n", k, i, p, fl);
        put(out, "        t{} + 1\n", k);
        w("    } else {\n");
        put(out, "        {} / 2\n", p);
        w("    }\n");
        break;
      case 4:
        put(out, "    @concurrency({})\n", 1 + rng.below(32));
        put(out, "    let l{} = for v in [{}, {}, {}] {{\n", k, p, a, b);
        put(out, "        step{}(a = v, b = scale)\n", i);
        w("    }\n");
        put(out, "    let x{} = collect{}(values = l{}, weights = {{\"lo\": 0.5, \"hi\": {}}})\n",
            k, i, k, fl);
        break;
      case 5:
        put(out, "    let x{} = configure{}(\n", k, i);
        put(out, "        cfg = Config{} {{\n", i);
        put(out, "            name = \"run-{}\",\n", k);
        put(out, "            threshold = {},\n", fl);
        put(out, "            sizes = [{}, {}, {}],\n", p, a, b);
        put(out, "            labels = {{\"a\": {}, \"b\": {}}},\n", a, b);
        put(out, "            timeout = {}s,\n", b);
        put(out, "            mem = {}Mi,\n", a);
        w("        },\n");
        put(out, "        base = {},\n", p);
        w("    )\n");
        break;
      case 6:
        put(out, "    @retries({})\n", rng.below(5));
        put(out, "    let x{} = step{}(\n", k, i);
        put(out, "        a = ({} + {}) * {} - -{},\n", p, a, b, b);
        put(out, "        b = scale + {},\n", fl);
        w("    )\n");
        break;
      default:
        put(out, "    /* keep {} in range */\n", p);
        put(out, "    let x{} = step{}(a = -{} + {} * 2 - ({} / 3), b = -1.5)\n", k, i, a, p, b);
        break;
    }
  }
  put(out, "    return (total = x{}, ratio = scale * 2.0)\n", n_steps);
  w("}\n\n");

  if (i % 10 == 0) {
    uint64_t minute = rng.below(60);
    uint64_t hour = rng.below(24);
    put(out, "@schedule(cron = \"{} {} * * *\")\n", minute, hour);
    uint64_t epochs = 1 + rng.below(50);
    put(out, "launch nightly{} = pipeline{}(raw = \"/data/stage{}.csv\", epochs = {});\n\n", i, i,
        i, epochs);
  }
}

size_t count_lines(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

/// The program: a header, then units until there are at least `lines` lines.
std::string generate(size_t lines, uint64_t seed) {
  Rng rng(seed);
  std::string out =
      "/// A generated program for the parser benchmark.\n"
      "module bench.generated;\n\n";
  out.reserve(lines * 32);
  size_t count = count_lines(out);
  for (uint64_t i = 0; count < lines; ++i) {
    size_t before = out.size();
    unit_text(out, i, rng);
    count += count_lines(std::string_view(out).substr(before));
  }
  return out;
}

size_t g_lines = 100000;

/// The generated program and its line count, made once.
struct Program {
  std::string text;
  size_t lines;
};
const Program& program() {
  static const Program p = [] {
    Program r;
    r.text = generate(g_lines, 1);
    r.lines = count_lines(r.text);
    return r;
  }();
  return p;
}

void set_counters(benchmark::State& state, const Program& p) {
  auto iters = static_cast<double>(state.iterations());
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(p.lines) * iters, benchmark::Counter::kIsRate);
  state.counters["lines"] = static_cast<double>(p.lines);
  state.SetBytesProcessed(static_cast<int64_t>(p.text.size()) * state.iterations());
}

// (a) The hand-written lexer alone.
void BM_Lex(benchmark::State& state) {
  const Program& p = program();
  SourceManager sm;
  FileId file = sm.add_buffer("generated.flyte", p.text);
  size_t tokens = 0;
  for (auto _ : state) {
    DiagnosticEngine diags;
    LexedFile lexed = lex(sm, file, diags);
    benchmark::DoNotOptimize(lexed.tokens.data());
    tokens = lexed.tokens.size();
    if (!diags.diagnostics().empty()) {
      state.SkipWithError("the generated program has lexical errors");
      return;
    }
  }
  set_counters(state, p);
  state.counters["tokens"] = static_cast<double>(tokens);
}
BENCHMARK(BM_Lex)->Unit(benchmark::kMillisecond)->UseRealTime();

// (b) parse_file: lexing, ANTLR parsing and building the AST.
void BM_ParseFile(benchmark::State& state) {
  const Program& p = program();
  SourceManager sm;
  FileId file = sm.add_buffer("generated.flyte", p.text);
  size_t decls = 0;
  bool used_ll = false;
  for (auto _ : state) {
    DiagnosticEngine diags;
    ParseResult result = parse_file(sm, file, diags);
    benchmark::DoNotOptimize(result.file.get());
    decls = result.file->decls.size();
    used_ll = result.stats.used_ll;
    if (!diags.diagnostics().empty()) {
      state.SkipWithError("the generated program has syntax errors");
      return;
    }
  }
  set_counters(state, p);
  state.counters["decls"] = static_cast<double>(decls);
  // 1 when SLL prediction failed and the file was parsed again with full LL.
  state.counters["used_ll"] = used_ll ? 1 : 0;
}
BENCHMARK(BM_ParseFile)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // Take our own flags out of argv before Google Benchmark sees it.
  std::string write_source;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("--lines=", 0) == 0) {
      g_lines = std::strtoull(argv[i] + std::strlen("--lines="), nullptr, 10);
    } else if (arg.rfind("--write_source=", 0) == 0) {
      write_source = std::string(arg.substr(std::strlen("--write_source=")));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (!write_source.empty()) {
    std::ofstream out(write_source, std::ios::binary);
    out << program().text;
    if (!out) {
      std::cerr << "flytec_parse_bench: cannot write '" << write_source << "'\n";
      return 1;
    }
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("flyte_lines", std::to_string(program().lines));
  benchmark::AddCustomContext("flyte_bytes", std::to_string(program().text.size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
