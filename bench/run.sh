#!/usr/bin/env bash
# bench/run.sh — what `make bench` runs: the Go benchmarks of bench/ against a
# local PostgreSQL (started by scripts/services.sh, as for `make test`), then a
# summary with each target; then, only if SIGESS_URL is set, bench/load.sh
# against that running server.
#
# Takes about 17 minutes on a 2-core machine; 20 the first time, when the person
# search and case page databases are made (they are kept for the next runs).
# The kinds of benchmark want different -benchtime:
#   * provisioning and apply take seconds per operation: one operation a run
#     (-benchtime=1x), three runs (-count=3);
#   * a request takes microseconds: as many as fit in 1 s, ten runs. These are
#     ten separate `go test -count=1` so that the 10- and 7,904-tenant runs
#     alternate: on a shared machine the load drifts over a minute, and ten
#     runs of one size followed by ten of the other would put the drift into
#     their ratio;
#   * a person search takes milliseconds and its figure is a percentile: 200
#     searches of each kind (-benchtime=200x), one run;
#   * the case page is two 10 s load runs, services then pgbench: one pair a
#     run (-benchtime=1x), three runs; the audit writes likewise, two 5 s runs.
#
# Environment:
#   SIGESS_URL   a running server to load with bench/load.sh (loopback only)
#   BENCH_OUT    also write the raw `go test` output to this file
#
# Exit status: 0 when every benchmark ran; a missed target is reported, not
# failed, since timings depend on the machine.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVICES_DB=none bash scripts/services.sh

out=$(mktemp "${TMPDIR:-/tmp}/sigess-bench.XXXXXX")
trap 'rm -f "$out"' EXIT

# run CMD...: print CMD as one would type it, run it, keep its output.
run() {
	local a line=
	for a; do
		if [[ $a =~ ^[A-Za-z0-9_./=:-]+$ ]]; then line+=" $a"; else line+=" '$a'"; fi
	done
	printf '\n$%s\n' "$line"
	"$@" | tee -a "$out" # pipefail: a failing go test fails the run
}

run go test -run '^$' -bench 'ProvisionAll|Apply' -benchtime=1x -count=3 -timeout 30m ./bench/
for _ in $(seq 10); do
	run go test -run '^$' -bench 'Resolve' -benchtime=1s -count=1 -benchmem ./bench/
done
run go test -run '^$' -bench 'Authz' -benchtime=1s -count=5 -benchmem -timeout 30m ./bench/
# Person search and case page: their databases (sigess_bench_people,
# sigess_bench_cases) are kept between runs; the first run makes them (about
# 2.5 min and 0.5 min). 200 searches of each kind; three pairs of 10 s load
# runs (services, then pgbench) for the case page.
run go test -run '^$' -bench 'PersonSearch' -benchtime=200x -count=1 -timeout 30m ./bench/
run go test -run '^$' -bench 'CasePage' -benchtime=1x -count=3 -timeout 30m ./bench/
# Audit writes of one ente (its lanes) against a one-lane trail: two 5 s load
# runs a run, three runs.
run go test -run '^$' -bench 'AuditWrites' -benchtime=1x -count=3 -timeout 10m ./bench/
# Onboarding import of 1,000,000 people against a COPY of the same rows.
run go test -run '^$' -bench 'ImportPeople' -benchtime=1x -count=3 -timeout 40m ./bench/
# WaaS poll: INPS drains 100,000 flows at limit=100, three times.
run go test -run '^$' -bench 'WaaSPoll' -benchtime=3x -count=1 -timeout 30m ./bench/

if [[ -n ${BENCH_OUT:-} ]]; then
	cp "$out" "$BENCH_OUT"
fi

# median NAME UNIT: the median of the figures of benchmark NAME in UNIT
# (ns/op, ms/op, comuni/s…); the -N GOMAXPROCS suffix is ignored.
median() {
	awk -v name="$1" -v unit="$2" '
		$1 ~ /^Benchmark/ {
			n = $1; sub(/-[0-9]+$/, "", n)
			if (n != name) next
			for (i = 3; i < NF; i++) if ($(i + 1) == unit) print $i
		}' "$out" | sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) exit 1
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

verdict() { # verdict CONDITION(awk) → met / MISSED
	awk "BEGIN { exit !($1) }" && echo met || echo MISSED
}

provision=$(median BenchmarkProvisionAll ns/op)
rate=$(median BenchmarkProvisionAll comuni/s)
nochange=$(median BenchmarkApplyNoChange ms/op)
creates=$(median BenchmarkApplyAllCreates ms/op)
r10=$(median BenchmarkResolve/tenants=10 ns/op)
r7904=$(median BenchmarkResolve/tenants=7904 ns/op)
c10=$(median BenchmarkResolveCache/tenants=10 ns/op)
c7904=$(median BenchmarkResolveCache/tenants=7904 ns/op)
ratio=$(awk -v a="$r7904" -v b="$r10" 'BEGIN { printf "%.2f", a / b }')
cratio=$(awk -v a="$c7904" -v b="$c10" 'BEGIN { printf "%.2f", a / b }')

printf '\nSummary (medians; machine: %s cores, %s)\n' "$(nproc)" \
	"$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
awk -v p="$provision" -v r="$rate" -v v="$(verdict "$provision < 60e9")" \
	'BEGIN { printf "  provision all 7,904 comuni      %8.1f s   (%.0f comuni/s)   target < 60 s: %s\n", p / 1e9, r, v }'
printf '  tenants apply, nothing to do    %8s ms\n' "$nochange"
printf '  tenants apply, first (creates)  %8s ms\n' "$creates"
printf '  request at 10 / 7,904 tenants   %8.0f / %.0f ns   ratio %s   target < 1.5: %s\n' \
	"$r10" "$r7904" "$ratio" "$(verdict "$ratio < 1.5")"
printf '  cache lookup alone              %8.0f / %.0f ns   ratio %s\n' "$c10" "$c7904" "$cratio"
for kind in cf cf-prefix name name+year absent; do
	p50=$(median "BenchmarkPersonSearch/kind=$kind" p50-ms)
	p95=$(median "BenchmarkPersonSearch/kind=$kind" p95-ms)
	printf '  person search, %-16s %8.1f ms p50  %6.1f ms p95   target p95 < 50 ms: %s\n' \
		"$kind" "$p50" "$p95" "$(verdict "$p95 < 50")"
done
iratio=$(median BenchmarkImportPeople ratio)
printf '  import of 1,000,000 people      %8.0f rows/s (COPY %.0f)   ratio %.2f   target >= 0.3: %s\n' \
	"$(median BenchmarkImportPeople import-rows/s)" "$(median BenchmarkImportPeople copy-rows/s)" "$iratio" "$(verdict "$iratio >= 0.3")"
printf '  WaaS poll, 100,000 flows        %8.0f flows/s  (%.0f requests of 100 a second)\n' \
	"$(median BenchmarkWaaSPoll flows/s)" "$(median BenchmarkWaaSPoll requests/s)"
gviews=$(median BenchmarkCasePage go-views/s)
pviews=$(median BenchmarkCasePage pgbench-views/s)
cpratio=$(median BenchmarkCasePage ratio)
printf '  case page, 8 connections        %8.1f views/s (pgbench %.1f)   ratio %.2f   target >= 0.4: %s\n' \
	"$gviews" "$pviews" "$cpratio" "$(verdict "$cpratio >= 0.4")"
printf '  audit writes, 16 writers        %8.0f events/s (one lane %.0f)   ratio %.2f\n' \
	"$(median BenchmarkAuditWrites ente-events/s)" "$(median BenchmarkAuditWrites one-lane-events/s)" "$(median BenchmarkAuditWrites ratio)"

if [[ -n ${SIGESS_URL:-} ]]; then
	printf '\n$ bash bench/load.sh   # SIGESS_URL=%s\n' "$SIGESS_URL"
	bash bench/load.sh
fi
