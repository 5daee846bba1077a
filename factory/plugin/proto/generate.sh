#!/bin/sh
# Regenerates the Go code of waooaw.template.v1 from template.proto.
#
# Needs only Go and the Go module proxy: the code generators are installed at
# pinned versions into a temporary GOBIN and buf runs with `go run` (it is not
# a tool of this module: it would drag google.golang.org/protobuf to a
# pre-release). Run it from anywhere:
#
#	sh factory/plugin/proto/generate.sh    # or: go generate ./factory/plugin
set -eu

cd "$(dirname "$0")"

GOBIN=$(mktemp -d)
trap 'rm -rf "$GOBIN"' EXIT INT TERM
export GOBIN

go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2

PATH="$GOBIN:$PATH" go run github.com/bufbuild/buf/cmd/buf@v1.75.0 lint
PATH="$GOBIN:$PATH" go run github.com/bufbuild/buf/cmd/buf@v1.75.0 generate
