#!/usr/bin/env bash
# bench/load.sh — put a running SIGeSS server under HTTP load with wrk and print
# requests per second and latency for an ente's front page (/t/SLUG/, which
# reads the ente's units from the database) and its JSON identity
# (/t/SLUG/api/v1/ente, served from the tenant cache).
#
# Loopback only: it refuses any other host. Each run is bounded by its
# duration (wrk stops by itself, and `timeout` stops wrk if it does not).
# Installs wrk with apt-get when it is missing (as root).
#
# Environment (defaults in brackets):
#   SIGESS_URL         the server [http://localhost:8080]
#   LOAD_TENANT        the ente's slug [roma] — `sigess demo` provisions it
#   LOAD_DURATION      seconds per path [10]
#   LOAD_THREADS       wrk threads [2]
#   LOAD_CONNECTIONS   open connections [16]
#
# Exit status: 0 when both paths were loaded, 1 otherwise (with a message).
set -euo pipefail

url=${SIGESS_URL:-http://localhost:8080}
url=${url%/}
tenant=${LOAD_TENANT:-roma}
duration=${LOAD_DURATION:-10}
threads=${LOAD_THREADS:-2}
connections=${LOAD_CONNECTIONS:-16}

die() {
	printf 'load: ERROR: %s\n' "$*" >&2
	exit 1
}

[[ $duration =~ ^[0-9]+$ && $duration -ge 1 && $duration -le 300 ]] || die "LOAD_DURATION must be 1..300 seconds, not '$duration'"
[[ $threads =~ ^[0-9]+$ && $threads -ge 1 ]] || die "LOAD_THREADS must be a positive number"
[[ $connections =~ ^[0-9]+$ && $connections -ge $threads ]] || die "LOAD_CONNECTIONS must be a number, at least LOAD_THREADS"
[[ $tenant =~ ^[a-z0-9]+(-[a-z0-9]+)*$ ]] || die "LOAD_TENANT '$tenant' is not a slug"

# Loopback only: this script must never load someone else's server.
[[ $url =~ ^https?://(\[[^]]+\]|[^/:]+)(:[0-9]+)?$ ]] || die "SIGESS_URL '$url' must be scheme://host[:port], without a path"
host=${BASH_REMATCH[1]}
[[ $host =~ ^(localhost|[a-z0-9-]+\.localhost|127(\.[0-9]{1,3}){3}|\[::1\])$ ]] ||
	die "SIGESS_URL host '$host' is not loopback (localhost, SLUG.localhost, 127.0.0.0/8, [::1]); refusing to load it"

if ! command -v wrk >/dev/null 2>&1; then
	[[ $(id -u) == 0 ]] || die "wrk is not installed; run: sudo apt-get install -y wrk"
	printf 'load: installing wrk\n'
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
		die "could not install wrk with apt-get"
fi

paths=("/t/$tenant/" "/t/$tenant/api/v1/ente")

for p in "${paths[@]}"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url$p") || code=000
	[[ $code == 200 ]] || die "GET $url$p answered $code, not 200 (is the server up, and ente '$tenant' provisioned? \`sigess demo\` provisions roma)"
done

printf 'load: %s, %s s per path, %s threads, %s connections\n' "$url" "$duration" "$threads" "$connections"
for p in "${paths[@]}"; do
	printf '\n== GET %s\n' "$p"
	report=$(timeout --kill-after=5 $((duration + 30)) \
		wrk --latency --timeout 5s -t "$threads" -c "$connections" -d "${duration}s" "$url$p") ||
		die "wrk against $url$p failed or overran"
	printf '%s\n' "$report"
	# The figures that matter, on one line.
	awk -v path="$p" '
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { sockerr = $0 }
		END {
			printf "load: GET %s: %s requests/s, latency p50 %s, p99 %s", path, rps, p50, p99
			if (bad != "") printf ", %s non-2xx/3xx responses", bad
			if (sockerr != "") printf ", %s", sockerr
			printf "\n"
		}' <<<"$report"
done
