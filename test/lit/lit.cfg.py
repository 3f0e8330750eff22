# lit configuration for flytec's tests. Each test is a file with RUN: lines; %flytec is
# the compiler under test, FileCheck and not come from LLVM's tools.
import os
import shutil
import lit.formats

config.name = "flytec"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".flyte", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.project_binary_dir, "test", "lit")

config.substitutions.append(("%flytec", config.flytec))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%examples", os.path.join(config.project_source_dir, "examples")))
config.substitutions.append(("%stdlib", os.path.join(config.project_source_dir, "stdlib")))
config.substitutions.append(("%S_root", config.project_source_dir))
config.substitutions.append(("%build", config.project_binary_dir))
config.substitutions.append(("%cmake", shutil.which("cmake") or "cmake"))

# FileCheck, not, count from LLVM; colour never leaks into test output.
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["NO_COLOR"] = "1"
config.environment.pop("FLYTEC_STDLIB_DIR", None)
# Executables the tests build never touch the user's own cache or a terminal.
config.environment["FLYTE_CACHE_DIR"] = os.path.join(config.test_exec_root, "default-cache")
config.environment.pop("CXX", None)
# A flytec of another build (FLYTEC_LIT_FLYTEC) links the runtime of this one.
if config.runtime_dir:
    config.environment["FLYTEC_RUNTIME_DIR"] = config.runtime_dir
else:
    config.environment.pop("FLYTEC_RUNTIME_DIR", None)

# GPU tests: `cuda` when nvidia-smi lists a GPU (REQUIRES: cuda); `cuda-plugin` when this
# build has the CUDA plugin (build/lib/flytec/libflytec_cuda.so).
import subprocess
try:
    _smi = subprocess.run(["nvidia-smi", "-L"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=30)
    if _smi.returncode == 0 and b"GPU" in _smi.stdout:
        config.available_features.add("cuda")
except (OSError, subprocess.TimeoutExpired):
    pass
if os.path.exists(os.path.join(config.project_binary_dir, "lib", "flytec", "libflytec_cuda.so")):
    config.available_features.add("cuda-plugin")
