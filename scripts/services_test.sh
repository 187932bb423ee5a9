#!/usr/bin/env bash
# scripts/services_test.sh — tests for scripts/services.sh.
#
# The script is sourced (which does not run main) into a subshell per case and
# its side-effecting pieces (apt-get, pg_ctlcluster, redis-server, psql, ...)
# are replaced by stubs that record what would have been run. Nothing on the
# machine is installed, started or stopped.
#
# SERVICES_TEST_LIVE=1 additionally runs the real script twice against the
# local services (it then really creates/repairs the roles and database).
# Stub bodies and assertions are strings/functions evaluated later in subshells:
# shellcheck disable=SC2016,SC2030,SC2031,SC2034,SC2317
set -uo pipefail
# The cases below are about PostgreSQL and Redis; `make test` exports
# SERVICES_BROWSER=yes for its own call of services.sh, not for these.
unset SERVICES_BROWSER

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT=$HERE/services.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/services-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}
nok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	[[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/     | /'
}

# new_case: fresh fake machine state under $CASE.
new_case() {
	CASE=$(mktemp -d "$WORK/case.XXXXXX")
	mkdir -p "$CASE/bin" "$CASE/etc" "$CASE/lib"
	: >"$CASE/calls"
}
# fake machine helpers (run in the test shell)
give() { local c; for c in "$@"; do : >"$CASE/bin/$c"; done; }
pg_bins() { mkdir -p "$CASE/lib/$1/bin" && : >"$CASE/lib/$1/bin/postgres" && chmod +x "$CASE/lib/$1/bin/postgres"; }
pg_cluster() { mkdir -p "$CASE/etc/$1/main" && : >"$CASE/etc/$1/main/postgresql.conf"; }

# run_case BODY: source services.sh in a subshell with stubs, then eval BODY.
# Sets OUT (stdout+stderr), RC and CALLS.
run_case() {
	local body=$1
	OUT=$(
		# shellcheck source=scripts/services.sh
		source "$SCRIPT"
		PG_ETC_DIR=$CASE/etc
		PG_LIB_DIR=$CASE/lib
		PG_WAIT_SECONDS=1
		REDIS_WAIT_SECONDS=1
		sleep() { :; }
		have() { [[ -e $CASE/bin/$1 ]]; }
		pg_ready() { [[ -e $CASE/pg_up ]]; }
		redis_reply() { if [[ -e $CASE/redis_up ]]; then echo PONG; elif [[ -e $CASE/redis_other ]]; then echo 'NOAUTH Authentication required.'; fi; }
		tcp_open() { [[ -e $CASE/redis_other ]]; }
		as_root() {
			echo "$*" >>"$CASE/calls"
			case "$*" in
			*"apt-get install"*)
				[[ -e $CASE/apt_fails ]] && return 100
				case "$*" in *" postgresql "*)
					: >"$CASE/bin/pg_ctlcluster"
					: >"$CASE/bin/psql"
					mkdir -p "$CASE/lib/15/bin" "$CASE/etc/15/main"
					: >"$CASE/lib/15/bin/postgres"
					chmod +x "$CASE/lib/15/bin/postgres"
					: >"$CASE/etc/15/main/postgresql.conf"
					;;
				esac
				case "$*" in *postgresql-client*) : >"$CASE/bin/psql" ;; esac
				case "$*" in *redis-server*) : >"$CASE/bin/redis-server" ;; esac
				;;
			pg_ctlcluster*start)
				if [[ -e $CASE/pgctl_rc ]]; then
					local rc
					rc=$(cat "$CASE/pgctl_rc")
					[[ $rc == 2 ]] && : >"$CASE/pg_up"
					return "$rc"
				fi
				[[ -e $CASE/pg_never_up ]] || : >"$CASE/pg_up"
				;;
			esac
			return 0
		}
		redis-server() {
			echo "redis-server $*" >>"$CASE/calls"
			: >"$CASE/redis_up"
		}
		ensure_roles_and_db() { echo "ensure_roles_and_db" >>"$CASE/calls"; }
		verify_login() { echo "verify_login $*" >>"$CASE/calls"; }
		eval "$body"
	)
	RC=$?
	CALLS=$(cat "$CASE/calls")
}

# run_raw BODY: like run_case but without sourcing or stubs (BODY does it).
run_raw() {
	OUT=$(eval "$1")
	RC=$?
	CALLS=$(cat "$CASE/calls")
}

expect() { # expect NAME CONDITION...
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name" "rc=$RC
--- output:
$OUT
--- calls:
$CALLS"; fi
}
has_call() { grep -qxF -- "$1" <<<"$CALLS"; }
has_call_like() { grep -q -- "$1" <<<"$CALLS"; }
no_call_like() { ! grep -q -- "$1" <<<"$CALLS"; }
out_has() { grep -qF -- "$1" <<<"$OUT"; }

# --------------------------------------------------------------- main flow ---

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/pg_up"; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "all running: nothing installed or started" \
	eval '[[ $RC == 0 ]] && no_call_like apt-get && no_call_like pg_ctlcluster && no_call_like redis-server && has_call ensure_roles_and_db'
expect "all running: verifies owner on postgres and app on sigess" \
	eval 'has_call "verify_login sigess_owner sigess_owner postgres" && has_call "verify_login sigess_app sigess_app sigess"'

new_case
give apt-get
run_case 'main 2>&1'
expect "clean machine: one apt-get update, one install of everything" \
	eval '[[ $RC == 0 ]] && [[ $(grep -c "apt-get update" <<<"$CALLS") == 1 ]] && has_call "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib redis-server redis-tools libxml2-utils"'
expect "clean machine: starts the packaged cluster and redis" \
	eval 'has_call "pg_ctlcluster --skip-systemctl-redirect 15 main start" && has_call_like "^redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save  --appendonly no$" && no_call_like pg_createcluster'

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli
pg_bins 15; pg_cluster 15; : >"$CASE/pg_up"; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "xmllint missing: only libxml2-utils installed" \
	eval '[[ $RC == 0 ]] && has_call "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils" && no_call_like pg_ctlcluster'

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "postgres installed but stopped: started, no apt" \
	eval '[[ $RC == 0 ]] && no_call_like apt-get && has_call "pg_ctlcluster --skip-systemctl-redirect 15 main start"'

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "binaries but no cluster: pg_createcluster then start" \
	eval '[[ $RC == 0 ]] && no_call_like apt-get && has_call "pg_createcluster -p 5432 15 main" && has_call "pg_ctlcluster --skip-systemctl-redirect 15 main start"'

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 13; pg_bins 15; pg_cluster 13; pg_cluster 15; pg_cluster 16; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "several versions: newest with binaries and a main cluster (15, not 16)" \
	eval '[[ $RC == 0 ]] && has_call "pg_ctlcluster --skip-systemctl-redirect 15 main start" && no_call_like pg_createcluster'

new_case
give apt-get psql redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "no pg_ctlcluster: postgresql gets installed" \
	eval '[[ $RC == 0 ]] && has_call_like "apt-get install .* postgresql postgresql-contrib$"'

new_case
give apt-get psql pg_ctlcluster redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/pg_up"
run_case 'main 2>&1'
expect "redis-server missing: only redis installed, then started" \
	eval '[[ $RC == 0 ]] && has_call_like "apt-get install .* redis-server redis-tools$" && no_call_like "install .*postgresql" && has_call_like "^redis-server --daemonize yes"'

new_case
give apt-get psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/pg_up"
run_case 'main 2>&1'
expect "redis installed but down: started without apt" \
	eval '[[ $RC == 0 ]] && no_call_like apt-get && has_call_like "^redis-server --daemonize yes" && out_has "services: redis: started"'

new_case
give apt-get redis-server redis-cli xmllint
: >"$CASE/pg_up"; : >"$CASE/redis_up"
run_case 'main 2>&1'
expect "postgres reachable but no psql: postgresql-client installed" \
	eval '[[ $RC == 0 ]] && has_call_like "apt-get install .* postgresql-client$" && no_call_like pg_ctlcluster'

new_case
give psql xmllint
: >"$CASE/pg_up"
run_case 'main 2>&1'
expect "install needed but apt-get missing: exit 1 with message" \
	eval '[[ $RC == 1 ]] && out_has "apt-get not found" && no_call_like "apt-get install"'

new_case
give apt-get xmllint
: >"$CASE/apt_fails"
run_case 'main 2>&1'
expect "apt-get install failure: exit 1" eval '[[ $RC == 1 ]] && out_has "apt-get install postgresql postgresql-contrib redis-server redis-tools failed"'

new_case
give apt-get xmllint
run_case 'apt_install a 2>&1; apt_install b 2>&1'
expect "apt_install: apt-get update only once per run" \
	eval '[[ $RC == 0 ]] && [[ $(grep -c "apt-get update" <<<"$CALLS") == 1 ]] && [[ $(grep -c "apt-get install" <<<"$CALLS") == 2 ]]'

new_case
give psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/redis_up"; echo 2 >"$CASE/pgctl_rc"
run_case 'main 2>&1'
expect "pg_ctlcluster says already running (rc 2) and port answers: ok" eval '[[ $RC == 0 ]]'

new_case
give psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/redis_up"; echo 1 >"$CASE/pgctl_rc"
run_case 'main 2>&1'
expect "pg_ctlcluster start fails: exit 1" eval '[[ $RC == 1 ]] && out_has "pg_ctlcluster 15 main start failed"'

new_case
give psql pg_ctlcluster redis-server redis-cli xmllint
pg_bins 15; pg_cluster 15; : >"$CASE/redis_up"; : >"$CASE/pg_never_up"
run_case 'main 2>&1'
expect "postgres never becomes ready: exit 1 after the wait" \
	eval '[[ $RC == 1 ]] && out_has "is not accepting connections on 127.0.0.1:5432"'

new_case
give psql pg_ctlcluster redis-server redis-cli xmllint
: >"$CASE/pg_up"; : >"$CASE/redis_other"
run_case 'main 2>&1'
expect "port 6379 taken by something not answering PONG: exit 1" \
	eval '[[ $RC == 1 ]] && out_has "does not answer PING with PONG" && no_call_like redis-server'

new_case
run_raw 'SERVICES_DB=none; source "$SCRIPT"; have() { true; }; pg_ready() { true; }; redis_reply() { echo PONG; }; ensure_roles_and_db() { :; }; verify_login() { echo "verify_login $*" >>"$CASE/calls"; }; main 2>&1'
expect "SERVICES_DB=none: app verified against postgres" eval '[[ $RC == 0 ]] && has_call "verify_login sigess_app sigess_app postgres"'

new_case
run_raw 'SIGESS_DB_NAME="x; drop" source "$SCRIPT" 2>&1'
expect "invalid SIGESS_DB_NAME rejected" eval '[[ $RC == 1 ]] && out_has "is not a valid database name"'

# ---------------------------------------------------- superuser / logins ---

new_case
give runuser xmllint
run_case '
	psql() { echo "psql: error: fe_sendauth: no password supplied" >&2; return 2; }
	runuser() { echo "runuser $*" >>"$CASE/calls"; echo t; }
	pick_su_mode && echo "mode=$SU_MODE"'
if [[ $EUID -eq 0 ]]; then
	expect "superuser: TCP refused -> runuser -u postgres -- psql" \
		eval '[[ $RC == 0 ]] && out_has "mode=runuser" && has_call_like "^runuser -u postgres -- psql -X -w .*-v ON_ERROR_STOP=1"'
fi

new_case
run_raw '
	source "$SCRIPT"
	have() { [[ $1 != sudo ]] && command -v "$1" >/dev/null; }
	psql() { echo "psql: error: fe_sendauth: no password supplied" >&2; return 2; }
	runuser() { echo "runuser: user postgres does not exist" >&2; return 1; }
	sudo() { echo "sudo: a password is required" >&2; return 1; }
	ensure_roles_and_db 2>&1'
expect "superuser: nothing works -> exit 1 naming what was tried" \
	eval '[[ $RC == 1 ]] && out_has "cannot run psql as the PostgreSQL superuser" && out_has "[tcp] psql: error: fe_sendauth"'

new_case
run_raw '
	source "$SCRIPT"
	SU_MODE=tcp
	psql() {
		case "$*" in
		*"show hba_file"*) echo /etc/postgresql/15/main/pg_hba.conf ;;
		*) echo "psql: error: FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"sigess_app\"" >&2; return 2 ;;
		esac
	}
	verify_login sigess_app sigess_app sigess 2>&1'
expect "login check fails: exit 1 naming pg_hba.conf and the file" \
	eval '[[ $RC == 1 ]] && out_has "cannot log in as sigess_app to database sigess" && out_has "pg_hba.conf (/etc/postgresql/15/main/pg_hba.conf) must allow"'

# Verifiers produced by PostgreSQL 15 for the password "sigess_app".
SCRAM='SCRAM-SHA-256$4096:yy08eRrt3aB6klX1BSqGsg==$V82lKfrEMRo4A+m93Hx2r9TEoZw83BJ+Fns2oZjhyh0=:o8HIvrfeuDyhCBDJtTilkkIXL0AvANpVFgmYwk2samY='
MD5=md5f50431e264c12c1550e260e290a1e0c9
new_case
run_raw '
	source "$SCRIPT"
	r() { if password_matches "$@"; then echo yes; else echo no; fi; }
	echo "scram-right=$(r sigess_app sigess_app "$SCRAM")"
	echo "scram-wrong=$(r sigess_app other "$SCRAM")"
	echo "md5-right=$(r sigess_app sigess_app "$MD5")"
	echo "md5-wrong=$(r sigess_app other "$MD5")"
	echo "md5-other-role=$(r sigess_owner sigess_app "$MD5")"
	echo "none=$(r sigess_app sigess_app "")"'
if command -v openssl >/dev/null; then
	expect "password_matches: SCRAM right/wrong" eval 'out_has scram-right=yes && out_has scram-wrong=no'
fi
expect "password_matches: md5 right/wrong/other role, no password" \
	eval 'out_has md5-right=yes && out_has md5-wrong=no && out_has md5-other-role=no && out_has none=no'

# --------------------------------------------------------------- live run ---

if [[ ${SERVICES_TEST_LIVE:-} == 1 ]]; then
	RC=0
	OUT=$("$SCRIPT" 2>&1) || RC=$?
	CALLS=
	expect "live: first run succeeds" eval '[[ $RC == 0 ]]'
	start=$(date +%s%N)
	OUT=$("$SCRIPT" 2>&1) || RC=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	expect "live: second run succeeds, changes nothing, takes ${ms}ms (< 2000)" \
		eval '[[ $RC == 0 ]] && ! out_has "CREATE " && ! out_has "ALTER " && ! out_has starting && ((ms < 2000))'
fi

printf '\n%d passed, %d failed\n' "$pass" "$fail"
((fail == 0))
