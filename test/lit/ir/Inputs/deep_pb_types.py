"""Writes a .pb plan whose type table nests a list 300 levels deep: deep_pb_types.py
FLYTEC PROTO_DIR FLYTE_FILE OUT."""
import subprocess
import sys

flytec, proto_dir, source, out = sys.argv[1:5]
pb = subprocess.run([flytec, "emit", source, "--format", "pb"], capture_output=True, check=True).stdout
proto = ["protoc", "-I" + proto_dir, proto_dir + "/flyte_ir.proto"]
text = subprocess.run(proto + ["--decode=flyte.ir.proto.Module"], input=pb, capture_output=True,
                      check=True).stdout.decode()
count = text.count("types {")
# Map<string, Dir> (10 is Dir), then lists of lists of it: types no plan has yet.
extra, prev = "types {\n  kind: MAP\n  elem: 10\n}\n", count
for i in range(300):
    extra += "types {\n  kind: LIST\n  elem: %d\n}\n" % prev
    prev = count + 1 + i
encoded = subprocess.run(proto + ["--encode=flyte.ir.proto.Module"], input=(text + extra).encode(),
                         capture_output=True, check=True).stdout
open(out, "wb").write(encoded)
