// Package bench measures SIGeSS at the scale of Italy: provisioning all 7,904
// comuni, re-applying a tenants/ folder that describes all of them, resolving
// the tenant of a request and deciding an authorization with 10 and with 7,904
// tenants, searching 1,000,000 people of one ente among 5,000,000, and serving
// the case page next to pgbench running the same statements. The
// benchmarks are in this package's _test files, so `go test ./...` compiles
// them and runs none; `make bench` (bench/run.sh) runs them, and bench/load.sh
// puts a running server under HTTP load. Results, with the commands that
// produced them, are in docs/benchmarks.md.
package bench
