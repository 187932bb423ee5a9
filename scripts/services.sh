#!/usr/bin/env bash
# scripts/services.sh — make sure the local services SIGeSS needs are up:
#
#   * PostgreSQL on 127.0.0.1:5432 (installed via apt and started if needed),
#   * Redis on 127.0.0.1:6379 (installed via apt and started if needed),
#   * the roles sigess_owner (owns databases, runs migrations) and sigess_app
#     (runtime role: no superuser, no BYPASSRLS) and the database sigess;
#   * xmllint (libxml2-utils): the tests of internal/siuss validate every SIUSS
#     flow against INPS's XSDs with it (installed via apt if missing);
#   * with SERVICES_BROWSER=yes, what the browser tests (tests/browser) need:
#     Chromium and Node.js with npm (installed via apt if missing).
#
# Called first by `make run` and `make test`, and by CI (clean clone, Debian 12,
# as root). Idempotent: when everything is already in place it only checks,
# changes nothing and finishes in well under 2 s.
#
# Environment:
#   SIGESS_DB_NAME   name of the database to create (default: sigess)
#   SERVICES_DB      set to "none" to skip creating the database
#   PGPASSWORD       used for the superuser TCP attempt (user postgres) if set
#   SERVICES_BROWSER set to "yes" to also install Chromium, Node.js and npm
#                    (`make test` does; `make run` does not need them)
#
# Exit status: 0 when all services are usable, 1 otherwise (with a message).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly PG_HOST=127.0.0.1
readonly PG_PORT=5432
readonly REDIS_HOST=127.0.0.1
readonly REDIS_PORT=6379
PG_WAIT_SECONDS=30
REDIS_WAIT_SECONDS=15
# Debian layout (plain variables so scripts/services_test.sh can point them elsewhere).
PG_ETC_DIR=/etc/postgresql
PG_LIB_DIR=/usr/lib/postgresql

readonly OWNER_ROLE=sigess_owner
readonly OWNER_PASSWORD=sigess_owner
readonly APP_ROLE=sigess_app
readonly APP_PASSWORD=sigess_app
DB_NAME=${SIGESS_DB_NAME:-sigess}
WANT_DB=yes
if [[ ${SERVICES_DB:-} == none ]]; then
	WANT_DB=no
fi
WANT_BROWSER=no
if [[ ${SERVICES_BROWSER:-} == yes ]]; then
	WANT_BROWSER=yes
fi

# libpq must never prompt and must not hang on a dead host. Host, port, user
# and database are always given explicitly; drop variables that would
# redirect the connection (PGHOST would also turn the peer-auth socket
# fallback into a TCP connection).
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}
unset PGHOST PGHOSTADDR PGSERVICE

log() { printf 'services: %s\n' "$*"; }
err() { printf 'services: ERROR: %s\n' "$*" >&2; }
die() {
	err "$*"
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

TMPDIR_SERVICES=$(mktemp -d "${TMPDIR:-/tmp}/sigess-services.XXXXXX")
trap 'rm -rf "$TMPDIR_SERVICES"' EXIT

if [[ ! $DB_NAME =~ ^[A-Za-z_][A-Za-z0-9_-]{0,62}$ ]]; then
	die "SIGESS_DB_NAME='$DB_NAME' is not a valid database name (letters, digits, _ and -, max 63 chars)"
fi

# ---------------------------------------------------------------- helpers ---

# tcp_open HOST PORT: true if something accepts TCP connections there.
tcp_open() {
	# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
	timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# pg_ready: PostgreSQL accepts connections on PG_HOST:PG_PORT.
pg_ready() {
	if have pg_isready; then
		pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1
	else
		tcp_open "$PG_HOST" "$PG_PORT"
	fi
}

# redis_reply: print Redis' answer to PING (empty if nobody answers).
redis_reply() {
	if have redis-cli; then
		timeout 5 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true
	else
		# No redis-cli: speak RESP over bash's /dev/tcp.
		# shellcheck disable=SC2016 # expanded by the inner bash
		timeout 5 bash -c '
			exec 3<>"/dev/tcp/$1/$2" || exit 0
			printf "PING\r\n" >&3
			IFS= read -r line <&3 && printf "%s\n" "$line"' _ "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null |
			tr -d '\r' | sed 's/^[+]//' || true
	fi
}

redis_ready() { [[ $(redis_reply) == PONG ]]; }

# as_root CMD...: run CMD as root (directly, or via non-interactive sudo).
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif have sudo && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "need root to run: $* (re-run as root, or install/start the services yourself)"
	fi
}

# pg_server_installed: a Debian-style PostgreSQL server (postgresql-common
# wrappers plus at least one server binary) is present.
pg_server_installed() {
	have pg_ctlcluster || return 1
	[[ -n $(pg_binary_versions) ]]
}

# pg_binary_versions: installed server versions (have bin/postgres), ascending.
pg_binary_versions() {
	local p
	for p in "$PG_LIB_DIR"/*/bin/postgres; do
		[[ -x $p ]] || continue
		p=${p%/bin/postgres}
		printf '%s\n' "${p##*/}"
	done | sort -V
}

APT_UPDATED=no
# apt_install PKG...: install packages (apt-get update at most once per run).
apt_install() {
	have apt-get || die "cannot install $* : apt-get not found (this script supports Debian/Ubuntu; install PostgreSQL 15 and Redis yourself)"
	local out="$TMPDIR_SERVICES/apt.log"
	if [[ $APT_UPDATED == no ]]; then
		log "apt-get update"
		if ! as_root apt-get update -qq >"$out" 2>&1; then
			tail -n 30 "$out" >&2
			die "apt-get update failed"
		fi
		APT_UPDATED=yes
	fi
	log "installing: $*"
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$out" 2>&1; then
		tail -n 30 "$out" >&2
		die "apt-get install $* failed"
	fi
}

# ------------------------------------------------------------- postgresql ---

# pg_pick_version: highest version that has both a "main" cluster config and
# server binaries; empty if there is none.
pg_pick_version() {
	local v picked=
	if [[ -d $PG_ETC_DIR ]]; then
		# shellcheck disable=SC2012 # version directory names are plain
		while IFS= read -r v; do
			if [[ -f $PG_ETC_DIR/$v/main/postgresql.conf && -x $PG_LIB_DIR/$v/bin/postgres ]]; then
				picked=$v
			fi
		done < <(ls "$PG_ETC_DIR" 2>/dev/null | sort -V)
	fi
	printf '%s' "$picked"
}

pg_start() {
	have pg_ctlcluster || die "pg_ctlcluster not found after installation (package postgresql-common missing?)"
	local ver out="$TMPDIR_SERVICES/pg.log" rc
	ver=$(pg_pick_version)
	if [[ -z $ver ]]; then
		ver=$(pg_binary_versions | tail -n 1)
		[[ -n $ver ]] || die "no PostgreSQL server binaries found under $PG_LIB_DIR"
		log "postgresql: creating cluster $ver/main (port $PG_PORT)"
		if ! as_root pg_createcluster -p "$PG_PORT" "$ver" main >"$out" 2>&1; then
			cat "$out" >&2
			die "pg_createcluster $ver main failed"
		fi
	fi

	log "postgresql: starting cluster $ver/main"
	rc=0
	as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start >"$out" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		# rc 2 = "Cluster is already running": fine if it turns up on our port.
		if [[ $rc -ne 2 ]]; then
			cat "$out" >&2
			pg_lsclusters >&2 2>/dev/null || true
			die "pg_ctlcluster $ver main start failed (exit $rc); see /var/log/postgresql/postgresql-$ver-main.log"
		fi
	fi

	local deadline=$((SECONDS + PG_WAIT_SECONDS))
	until pg_ready; do
		if ((SECONDS >= deadline)); then
			cat "$out" >&2
			pg_lsclusters >&2 2>/dev/null || true
			tail -n 20 "/var/log/postgresql/postgresql-$ver-main.log" >&2 2>/dev/null || true
			die "PostgreSQL cluster $ver/main is not accepting connections on $PG_HOST:$PG_PORT after ${PG_WAIT_SECONDS}s (check its port / listen_addresses)"
		fi
		sleep 0.5
	done
	log "postgresql: cluster $ver/main is up on $PG_HOST:$PG_PORT"
}

# ------------------------------------------------------------------ redis ---

redis_start() {
	have redis-server || die "redis-server not found after installation"
	local out="$TMPDIR_SERVICES/redis.log"
	log "redis: starting redis-server on $REDIS_HOST:$REDIS_PORT"
	# Run from / so that nothing (pid/dump files) lands in the repository.
	if ! (cd / && redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
		--save "" --appendonly no) >"$out" 2>&1; then
		cat "$out" >&2
		die "redis-server failed to start"
	fi
	local deadline=$((SECONDS + REDIS_WAIT_SECONDS))
	until redis_ready; do
		if ((SECONDS >= deadline)); then
			cat "$out" >&2
			die "Redis did not answer PONG on $REDIS_HOST:$REDIS_PORT within ${REDIS_WAIT_SECONDS}s"
		fi
		sleep 0.2
	done
	log "redis: started on $REDIS_HOST:$REDIS_PORT"
}

# ---------------------------------------------------------------- browser ---

# browser_packages: the apt packages missing for the browser tests.
browser_packages() {
	have chromium || have chromium-browser || printf '%s\n' chromium
	have node || printf '%s\n' nodejs
	have npm || printf '%s\n' npm
}

# browser_check: the browser tools are there after installation.
browser_check() {
	have chromium || have chromium-browser || die "chromium not found after installation"
	have node || die "node not found after installation (package nodejs)"
	have npm || die "npm not found after installation"
	log "browser: chromium, node and npm installed"
}

# --------------------------------------------------------- roles/database ---

SU_MODE=
SU_ERRORS=
# su_psql ARGS...: psql as the PostgreSQL superuser on database postgres.
su_psql() {
	local common=(-X -w -q -A -t -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres)
	case $SU_MODE in
	tcp) psql "${common[@]}" -h "$PG_HOST" -U postgres "$@" ;;
	runuser) (cd / && runuser -u postgres -- psql "${common[@]}" -U postgres "$@") ;;
	sudo) (cd / && sudo -n -u postgres psql "${common[@]}" -U postgres "$@") ;;
	*) die "internal: superuser access not set up" ;;
	esac
}

# pick_su_mode: find a way to run psql as a superuser: TCP as postgres first
# (trust, or PGPASSWORD/.pgpass), then peer authentication on the local socket.
pick_su_mode() {
	local mode out
	local modes=(tcp)
	if [[ $EUID -eq 0 ]] && have runuser; then
		modes+=(runuser)
	elif [[ $EUID -ne 0 ]] && have sudo; then
		modes+=(sudo)
	fi
	for mode in "${modes[@]}"; do
		SU_MODE=$mode
		if out=$(su_psql -c 'select rolsuper from pg_roles where rolname = current_user' 2>&1) && [[ $out == t ]]; then
			return 0
		fi
		SU_ERRORS+="  [$mode] ${out//$'\n'/ }"$'\n'
	done
	SU_MODE=
	return 1
}

# password_matches ROLE PASSWORD VERIFIER: the stored pg_authid.rolpassword
# VERIFIER is for PASSWORD (md5 or SCRAM-SHA-256). False when unsure.
password_matches() {
	local role=$1 pw=$2 stored=$3
	case $stored in
	md5*)
		[[ $stored == "md5$(printf '%s%s' "$pw" "$role" | md5sum | cut -d' ' -f1)" ]]
		;;
	'SCRAM-SHA-256$'*)
		have openssl || return 1
		# SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>
		local rest iter salt keys server_key salt_hex salted_hex mine
		rest=${stored#'SCRAM-SHA-256$'}
		iter=${rest%%:*}
		rest=${rest#*:}
		salt=${rest%%\$*}
		keys=${rest#*\$}
		server_key=${keys#*:}
		[[ $iter =~ ^[0-9]+$ ]] || return 1
		salt_hex=$(printf '%s' "$salt" | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n') || return 1
		salted_hex=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$pw" \
			-kdfopt "hexsalt:$salt_hex" -kdfopt "iter:$iter" PBKDF2 2>/dev/null | tr -d ':\n') || return 1
		[[ -n $salted_hex ]] || return 1
		mine=$(printf 'Server Key' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$salted_hex" -binary 2>/dev/null | base64) || return 1
		[[ -n $mine && $mine == "$server_key" ]]
		;;
	*) return 1 ;;
	esac
}

ensure_roles_and_db() {
	if ! pick_su_mode; then
		err "cannot run psql as the PostgreSQL superuser on $PG_HOST:$PG_PORT; tried:"
		printf '%s' "$SU_ERRORS" >&2
		die "allow it (e.g. set PGPASSWORD for user postgres, or run this script as root so it can use 'runuser -u postgres -- psql' over the local socket)"
	fi
	# A concurrent run (make run + make test, parallel CI jobs) may create the
	# same role/database between our check and our CREATE: look again once.
	if ! sync_roles_and_db; then
		log "postgresql: retrying once (concurrent run?)"
		if ! sync_roles_and_db; then
			cat "$TMPDIR_SERVICES/sync.err" >&2
			die "creating/repairing roles or database failed (psql error above)"
		fi
	fi
	local what="roles $OWNER_ROLE, $APP_ROLE"
	[[ $WANT_DB == yes ]] && what+=", database $DB_NAME"
	log "postgresql: $what ok (superuser access via $SU_MODE)"
}

# sync_roles_and_db: create/repair what is missing or wrong; false if a
# statement failed.
sync_roles_and_db() {
	# Which existing passwords are already right? (avoids re-hashing on re-runs)
	local owner_pw_ok=no app_pw_ok=no name stored current
	current=$(su_psql -F $'\t' -v owner="$OWNER_ROLE" -v app="$APP_ROLE" <<'SQL'
SELECT rolname, coalesce(rolpassword, '') FROM pg_authid WHERE rolname IN (:'owner', :'app');
SQL
	) || die "could not read roles as the PostgreSQL superuser"
	while IFS=$'\t' read -r name stored; do
		case $name in
		"$OWNER_ROLE") password_matches "$OWNER_ROLE" "$OWNER_PASSWORD" "$stored" && owner_pw_ok=yes ;;
		"$APP_ROLE") password_matches "$APP_ROLE" "$APP_PASSWORD" "$stored" && app_pw_ok=yes ;;
		esac
	done <<<"$current"

	# Generate only the statements that are needed, one per line.
	local stmts
	stmts=$(su_psql \
		-v owner="$OWNER_ROLE" -v owner_pw="$OWNER_PASSWORD" -v owner_pw_ok="$owner_pw_ok" \
		-v app="$APP_ROLE" -v app_pw="$APP_PASSWORD" -v app_pw_ok="$app_pw_ok" \
		-v db="$DB_NAME" -v want_db="$WANT_DB" <<'SQL'
SELECT stmt || ';' FROM (
  -- owner role
  SELECT 1 AS ord, format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER CREATEDB CREATEROLE', :'owner', :'owner_pw') AS stmt
   WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
  UNION ALL
  SELECT 2, format('ALTER ROLE %I LOGIN NOSUPERUSER CREATEDB CREATEROLE', rolname) FROM pg_roles
   WHERE rolname = :'owner' AND NOT (rolcanlogin AND NOT rolsuper AND rolcreatedb AND rolcreaterole)
  UNION ALL
  SELECT 3, format('ALTER ROLE %I PASSWORD %L', rolname, :'owner_pw') FROM pg_roles
   WHERE rolname = :'owner' AND :'owner_pw_ok' <> 'yes'
  UNION ALL
  SELECT 4, format('ALTER ROLE %I VALID UNTIL %L', rolname, 'infinity') FROM pg_roles
   WHERE rolname = :'owner' AND rolvaliduntil IS NOT NULL AND rolvaliduntil <> 'infinity'
  -- runtime role
  UNION ALL
  SELECT 5, format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', :'app', :'app_pw')
   WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app')
  UNION ALL
  SELECT 6, format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', rolname) FROM pg_roles
   WHERE rolname = :'app' AND NOT (rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreatedb AND NOT rolcreaterole)
  UNION ALL
  SELECT 7, format('ALTER ROLE %I PASSWORD %L', rolname, :'app_pw') FROM pg_roles
   WHERE rolname = :'app' AND :'app_pw_ok' <> 'yes'
  UNION ALL
  SELECT 8, format('ALTER ROLE %I VALID UNTIL %L', rolname, 'infinity') FROM pg_roles
   WHERE rolname = :'app' AND rolvaliduntil IS NOT NULL AND rolvaliduntil <> 'infinity'
  -- database
  UNION ALL
  SELECT 9, format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
   WHERE :'want_db' = 'yes' AND NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
  UNION ALL
  SELECT 10, format('ALTER DATABASE %I OWNER TO %I', datname, :'owner') FROM pg_database
   WHERE :'want_db' = 'yes' AND datname = :'db' AND pg_get_userbyid(datdba) <> :'owner'
) s ORDER BY ord;
SQL
	) || die "could not inspect roles/databases as the PostgreSQL superuser"

	if [[ -n $stmts ]]; then
		# Passwords are masked in the log.
		sed -E "s/PASSWORD '[^']*'/PASSWORD '***'/; s/^/services: postgresql: /" <<<"$stmts"
		# Each statement is on its own line and runs in autocommit mode
		# (CREATE DATABASE cannot run inside a transaction block).
		printf '%s\n' "$stmts" | su_psql >/dev/null 2>"$TMPDIR_SERVICES/sync.err" || return 1
	fi
	return 0
}

# verify_login ROLE PASSWORD DB: log in over TCP with the password.
verify_login() {
	local role=$1 pw=$2 db=$3 out hba
	if out=$(PGPASSWORD=$pw psql -X -w -q -A -t -h "$PG_HOST" -p "$PG_PORT" -U "$role" -d "$db" \
		-c 'select 1' 2>&1) && [[ $out == 1 ]]; then
		return 0
	fi
	hba=$(su_psql -c 'show hba_file' 2>/dev/null || true)
	err "cannot log in as $role to database $db over TCP ($PG_HOST:$PG_PORT) with its password:"
	printf '  %s\n' "$out" >&2
	die "pg_hba.conf${hba:+ ($hba)} must allow password (scram-sha-256/md5) or trust auth for host connections from $PG_HOST, e.g. 'host all all 127.0.0.1/32 scram-sha-256' before any conflicting line; then reload PostgreSQL"
}

# ------------------------------------------------------------------- main ---

main() {
	local pg_up=no redis_up=no reply
	pg_ready && pg_up=yes
	reply=$(redis_reply)
	if [[ $reply == PONG ]]; then
		redis_up=yes
	elif tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
		die "something listens on $REDIS_HOST:$REDIS_PORT but does not answer PING with PONG (reply: '${reply:-<none>}'); stop it or fix it"
	fi

	# Work out everything that has to be installed, then install it in one go.
	local pkgs=()
	if [[ $pg_up == no ]] && ! pg_server_installed; then
		pkgs+=(postgresql postgresql-contrib)
	elif ! have psql; then
		pkgs+=(postgresql-client)
	fi
	if [[ $redis_up == no ]] && ! have redis-server; then
		pkgs+=(redis-server redis-tools)
	fi
	have xmllint || pkgs+=(libxml2-utils)
	if [[ $WANT_BROWSER == yes ]]; then
		local p
		while IFS= read -r p; do
			[[ -n $p ]] && pkgs+=("$p")
		done < <(browser_packages)
	fi
	if ((${#pkgs[@]})); then
		apt_install "${pkgs[@]}"
	fi

	if [[ $pg_up == yes ]]; then
		log "postgresql: running on $PG_HOST:$PG_PORT"
	elif pg_ready; then # package installation may have started it
		log "postgresql: running on $PG_HOST:$PG_PORT (started by the package)"
	else
		pg_start
	fi

	if [[ $redis_up == yes ]]; then
		log "redis: running on $REDIS_HOST:$REDIS_PORT"
	elif redis_ready; then
		log "redis: running on $REDIS_HOST:$REDIS_PORT (started by the package)"
	else
		redis_start
	fi

	if [[ $WANT_BROWSER == yes ]]; then
		browser_check
	fi

	have psql || die "psql not found (install postgresql-client)"
	ensure_roles_and_db

	verify_login "$OWNER_ROLE" "$OWNER_PASSWORD" postgres
	local app_db=postgres
	[[ $WANT_DB == yes ]] && app_db=$DB_NAME
	verify_login "$APP_ROLE" "$APP_PASSWORD" "$app_db"
}

# Run unless sourced (scripts/services_test.sh sources it to test the pieces).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
