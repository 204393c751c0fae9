# Sourced by scripts/test, scripts/demo and scripts/bench: make sure Redis and MariaDB run on loopback.
# Idempotent: a running service is left alone; a missing one is installed with apt and started
# without systemd (CI machines and containers have none).

HUIBO_DB_USER=${HUIBO_DB_USER:-huibo}
HUIBO_DB_PASSWORD=${HUIBO_DB_PASSWORD:-huibo-dev-password}
HUIBO_REDIS_PORT=${HUIBO_REDIS_PORT:-6379}
export HUIBO_DB_USER HUIBO_DB_PASSWORD
export HUIBO_REDIS_URI=${HUIBO_REDIS_URI:-redis://127.0.0.1:${HUIBO_REDIS_PORT}}
export HUIBO_DB_URL=${HUIBO_DB_URL:-jdbc:mariadb://127.0.0.1:3306/huibo}

_svc_log() { echo "[services] $*" >&2; }

_svc_apt_install() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    _svc_log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"; return 1
  fi
  _svc_log "installing ${missing[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
}

_svc_wait() { # cmd... : retry for up to 30 s
  local i
  for i in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

ensure_redis() {
  command -v redis-server >/dev/null || _svc_apt_install redis-server || return 1
  if redis-cli -p "$HUIBO_REDIS_PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
  _svc_log "starting redis-server on 127.0.0.1:$HUIBO_REDIS_PORT"
  mkdir -p /var/lib/huibo-redis
  # appendonly: an accepted callback must survive a Redis crash (MariaDB also keeps it, see Recovery)
  redis-server --daemonize yes --bind 127.0.0.1 --port "$HUIBO_REDIS_PORT" \
    --dir /var/lib/huibo-redis --appendonly yes --appendfsync everysec \
    --save '' --logfile /var/lib/huibo-redis/redis.log || return 1
  _svc_wait redis-cli -p "$HUIBO_REDIS_PORT" ping || { _svc_log "redis did not start"; return 1; }
}

_svc_mysql_root() { mariadb -uroot --protocol=socket "$@" 2>/dev/null || mysql -uroot "$@"; }

ensure_mariadb() {
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || _svc_apt_install mariadb-server || return 1
  if ! mariadb-admin ping --silent >/dev/null 2>&1; then
    _svc_log "starting mariadbd"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
    if [ ! -d /var/lib/mysql/mysql ]; then
      mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null || return 1
    fi
    start-stop-daemon --start --background --quiet --chuid mysql \
      --pidfile /run/mysqld/huibo-mariadbd.pid --make-pidfile \
      --exec /usr/sbin/mariadbd -- --bind-address=127.0.0.1 --port=3306 \
      --innodb-flush-log-at-trx-commit=1 --max-connections=500 || return 1
    _svc_wait mariadb-admin ping --silent || { _svc_log "mariadbd did not start"; return 1; }
  fi
  # Debian's root logs in through the unix socket only; JDBC uses a dedicated user.
  _svc_mysql_root <<SQL || { _svc_log "could not create the huibo database user"; return 1; }
CREATE USER IF NOT EXISTS '${HUIBO_DB_USER}'@'localhost' IDENTIFIED BY '${HUIBO_DB_PASSWORD}';
CREATE USER IF NOT EXISTS '${HUIBO_DB_USER}'@'127.0.0.1' IDENTIFIED BY '${HUIBO_DB_PASSWORD}';
ALTER USER '${HUIBO_DB_USER}'@'localhost' IDENTIFIED BY '${HUIBO_DB_PASSWORD}';
ALTER USER '${HUIBO_DB_USER}'@'127.0.0.1' IDENTIFIED BY '${HUIBO_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`huibo%\`.* TO '${HUIBO_DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`huibo%\`.* TO '${HUIBO_DB_USER}'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

ensure_services() { ensure_redis && ensure_mariadb; }

# Tools the test suite runs as processes: wrk (BenchSmokeIT drives the HTTP benchmark with it),
# faketime (the fault suite runs an instance whose wall clock is ahead of the others') and SIPp.
ensure_test_tools() {
  command -v wrk >/dev/null || _svc_apt_install wrk || return 1
  command -v faketime >/dev/null || _svc_apt_install faketime || return 1
  # the TLS tests make their certificates with it
  command -v openssl >/dev/null || _svc_apt_install openssl || return 1
  # RealAsteriskIT drives SIPp phones; it runs only against a real node (-Dhuibo.asterisk.node), but a
  # machine that can run the suite can run it
  ensure_sipp || return 1
  # DashboardIT drives the dashboard in a real browser: headless Chromium through its chromedriver
  ensure_browser || return 1
}

# Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): Selenium uses these,
# never a browser or driver it would download
ensure_browser() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  _svc_apt_install "${missing[@]}"
}

# SIPp (the sipp command) comes in Debian's sip-tester package; scripts/test and scripts/asterisk-check install it.
ensure_sipp() {
  command -v sipp >/dev/null || _svc_apt_install sip-tester   # Debian's package of sipp
}

# scripts/prompts: espeak-ng speaks the texts, sox makes 8 kHz WAV of them
ensure_prompt_tools() {
  command -v espeak-ng >/dev/null || _svc_apt_install espeak-ng || return 1
  command -v sox >/dev/null || _svc_apt_install sox
}

# scripts/ha-test: the engines the failover tests run on loopback ports of their own (HAProxy, Redis
# Sentinel, Galera with rsync for its state transfer) and openssl for the certificates the TLS tests make
ensure_ha_tools() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  [ -e /usr/lib/galera/libgalera_smm.so ] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v openssl >/dev/null || missing+=(openssl)
  _svc_apt_install "${missing[@]}"
}
