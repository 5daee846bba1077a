#!/bin/sh
# Builds the Python template plugin into a plugin directory:
#
#	sh examples/template-plugin-python/build.sh DIR
#
# generates the Python code of the protocol from the repository's proto with
# grpc_tools.protoc into DIR/.waooaw-py-webhook/ (nothing generated is
# committed) and writes DIR/waooaw-template-py-webhook, the executable the
# host runs. Needs a python3 with grpc, grpc_tools and cryptography (Debian:
# apt-get install python3-grpcio python3-grpc-tools python3-cryptography);
# PYTHON picks it, else /usr/bin/python3, else python3 on PATH.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 PLUGIN-DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
proto=$(cd "$here/../../factory/plugin/proto" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

py=${PYTHON:-}
if [ -z "$py" ]; then
	for p in /usr/bin/python3 "$(command -v python3 || true)"; do
		if [ -n "$p" ] && "$p" -c 'import grpc, grpc_tools, cryptography' 2>/dev/null; then py=$p; break; fi
	done
fi
[ -n "$py" ] || { echo "$0: no python3 with grpc, grpc_tools and cryptography (apt-get install python3-grpcio python3-grpc-tools python3-cryptography)" >&2; exit 1; }

gen="$out/.waooaw-py-webhook"
rm -rf "$gen"
mkdir -p "$gen"
"$py" -m grpc_tools.protoc -I "$proto" --python_out="$gen" --grpc_python_out="$gen" waooaw/template/v1/template.proto
cp "$here/waooaw_template.py" "$here/notifier.py" "$gen/"

exe="$out/waooaw-template-py-webhook"
cat >"$exe" <<LAUNCHER
#!/bin/sh
# The waooaw template plugin tmpl-py-webhook, built by $here/build.sh.
PYTHONPATH="$gen" WAOOAW_PLUGIN_NAME=waooaw-template-py-webhook exec "$py" -B "$gen/notifier.py" "\$@"
LAUNCHER
chmod 0755 "$exe"
echo "$exe"
