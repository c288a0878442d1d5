# bench/lib/common.bash: helpers shared by the scenarios of bench/run.sh (sourced, not run).
#
# Globals it expects from run.sh: ROOT, WORK (work directory), SHM (output root, normally under
# /dev/shm), CDCD (the binary), RESULTS (the results file), RUN (the current run, 1-based),
# SMOKE and KEEP (1 with --smoke, --keep).
# Needs bash 5 ($EPOCHREALTIME).
# shellcheck shell=bash disable=SC2034 # globals set here are read by the scenario files

die() {
  echo "bench: error: $*" >&2
  exit 1
}
say() { echo "bench: $*" >&2; }
# Time in microseconds since the epoch, without a process: $EPOCHREALTIME (bash 5).
now_us() { echo "${EPOCHREALTIME/./}"; }
# us_to_s N: microseconds as seconds with 3 decimals, into REPLY (no subshell).
us_to_s() { printf -v REPLY '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }
# secs_since T0_US: seconds (3 decimals) from T0_US to now.
secs_since() {
  us_to_s $((${EPOCHREALTIME/./} - $1))
  echo "$REPLY"
}
TICK=$(getconf CLK_TCK)
ticks_to_s() { awk -v t="$1" -v hz="$TICK" 'BEGIN { printf "%.2f", t / hz }'; }

# mem_guard SCENARIO: stops the suite, naming why, before a scenario starts on a machine short of
# memory. Outputs live in $SHM, under /dev/shm: memory. Without --keep each is removed once
# counted; with it every one stays (a full run writes ~20 GiB), and once memory runs out the
# kernel kills the largest process, the Kafka broker, in the middle of a scenario. The minimum
# (GiB available): BENCH_MEM_MIN_GIB, default 6 (1 with --smoke).
mem_guard() {
  local avail_kib min_gib=${BENCH_MEM_MIN_GIB:-$((SMOKE ? 1 : 6))} held hint=
  avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
  ((avail_kib >= min_gib * 1048576)) && return 0
  held=$(du -sh "$SHM" 2>/dev/null | cut -f1)
  ((KEEP)) && hint="; --keep keeps every output there: use it with --only and smaller sizes"
  die "$1: only $((avail_kib / 1048576)) GiB of memory available, want $min_gib" \
    "(BENCH_MEM_MIN_GIB); the outputs in $SHM (memory) hold ${held:-0}$hint"
}

need_tool() {
  local tool=$1 why=${2:-scripts/install-deps.sh installs it}
  command -v "$tool" >/dev/null || die "$tool not found ($why)"
}

# A sleep without a fork: read with a timeout on a FIFO nobody writes to.
SLEEP_FD=
nap() {
  if [[ -z $SLEEP_FD ]]; then
    mkfifo "$WORK/.nap"
    exec {SLEEP_FD}<>"$WORK/.nap"
  fi
  read -r -t "$1" -u "$SLEEP_FD" _ || true
}

# --- /proc ----------------------------------------------------------------------------------------
# proc_ticks PID: utime + stime of the process (all its threads), in clock ticks; 0 when gone.
proc_ticks() {
  local line f
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || {
    echo 0
    return
  }
  line=${line##*) }
  read -ra f <<<"$line"
  # After "pid (comm) ", field 3 (state) is f[0]: utime is field 14, stime 15.
  echo $((f[11] + f[12]))
}
# proc_tree_ticks PID: like proc_ticks plus cutime + cstime (its reaped children).
proc_tree_ticks() {
  local line f
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || {
    echo 0
    return
  }
  line=${line##*) }
  read -ra f <<<"$line"
  echo $((f[11] + f[12] + f[13] + f[14]))
}
# proc_kib PID KEY: a /proc/PID/status value in kB (VmHWM, VmRSS), empty when gone.
proc_kib() {
  local k v _
  while read -r k v _; do
    [[ $k == "$2:" ]] && {
      echo "$v"
      return
    }
  done 2>/dev/null <"/proc/$1/status"
}
pid_alive() {
  local line
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
  line=${line##*) }
  [[ ${line:0:1} != Z && ${line:0:1} != X ]]
}

# --- server CPU ----------------------------------------------------------------------------------
# SERVER_KIND selects how the server's CPU is counted: postgres (the postmaster's reaped children
# plus its live children: walsenders and backends), or a single process (mariadbd, the Kafka JVM:
# all threads) whose PID is SERVER_PID.
SERVER_KIND=
SERVER_PID=
server_ticks() {
  local t c
  case $SERVER_KIND in
    postgres)
      t=$(proc_tree_ticks "$SERVER_PID")
      for c in $(pgrep -P "$SERVER_PID" || true); do
        t=$((t + $(proc_ticks "$c")))
      done
      echo "$t"
      ;;
    process) proc_ticks "$SERVER_PID" ;;
    *) echo 0 ;;
  esac
}

# --- results -------------------------------------------------------------------------------------
# record KEY=VALUE...: one result line (tab-separated key=value pairs) for bench/lib/report.py.
# Keys: scenario shape reader role run events wall cpu_cli cpu_srv rss_kib start lat note
record() {
  local IFS=$'\t'
  echo "$*" >>"$RESULTS"
}

# --- timed commands --------------------------------------------------------------------------------
# timed NAME OUT -- CMD...: runs CMD (stdout to OUT, stderr to WORK/NAME.log) under /usr/bin/time;
# sets T_WALL T_CPU T_RSS_KIB T_SRV (server CPU s during the command, counted by server_ticks).
# A failing command fails the scenario with its log's tail.
timed() {
  local name=$1 out=$2 s0 tf rc=0
  tf=$WORK/$name.time
  shift 3
  s0=$(server_ticks)
  local t0=${EPOCHREALTIME/./}
  /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$out" 2>"$WORK/$name.log" || rc=$?
  us_to_s $((${EPOCHREALTIME/./} - t0)) # /usr/bin/time's %e has only 2 decimals
  if ((rc != 0)); then
    tail -n 20 "$WORK/$name.log" >&2
    die "$name failed (exit $rc): $*"
  fi
  local e u s m
  T_WALL=$REPLY
  read -r e u s m < <(tail -n 1 "$tf")
  T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  T_RSS_KIB=$m
  T_SRV=$(ticks_to_s $(($(server_ticks) - s0)))
}

# --- cdcd ----------------------------------------------------------------------------------------
free_port() {
  local p
  for p in $(shuf -i 20000-32000 -n 50); do
    (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null || {
      echo "$p"
      return
    }
  done
  die "no free port"
}

# http_get PATH: GET from cdcd's HTTP server (HTTP_PORT) into HTTP_BODY, in bash alone (the
# benchmark polls 20 times a second: no curl or jq processes that would steal CPU from cdcd).
# Returns 1 when the server does not answer.
HTTP_PORT=
HTTP_BODY=
http_get() {
  local fd
  HTTP_BODY=
  { exec {fd}<>"/dev/tcp/127.0.0.1/$HTTP_PORT"; } 2>/dev/null || return 1
  { printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&"$fd"; } 2>/dev/null || {
    exec {fd}>&-
    return 1
  }
  IFS= read -r -d '' -t 5 HTTP_BODY <&"$fd" || true
  exec {fd}>&-
  [[ -n $HTTP_BODY ]]
}
# json_num KEY: the first number after "KEY": in HTTP_BODY, into REPLY (empty if none); json_str
# the same for a string. No subshell: they run 20 times a second.
json_num() {
  local re="\"$1\": *(-?[0-9]+)"
  REPLY=
  [[ $HTTP_BODY =~ $re ]] && REPLY=${BASH_REMATCH[1]}
  return 0
}
json_str() {
  local re="\"$1\": *\"(([^\"\\\\]|\\\\.)*)\""
  REPLY=
  [[ $HTTP_BODY =~ $re ]] && REPLY=${BASH_REMATCH[1]}
  return 0
}

# cdcd_config FILE: writes the config's head (HTTP on a fresh port, log level); the caller appends
# `pipelines:`. Sets HTTP_PORT.
cdcd_config_head() {
  HTTP_PORT=$(free_port)
  cat >"$1" <<YAML
http: { enabled: true, listen: "127.0.0.1:$HTTP_PORT" }
log: { level: ${BENCH_LOG_LEVEL:-info} }
YAML
}

CDCD_PID=
CDCD_TIME_PID=
CDCD_LOG=
# cdcd_launch NAME CONFIG: starts `cdcd run` under /usr/bin/time (so a process that finishes by
# itself still reports its CPU and peak RSS); sets CDCD_PID, CDCD_T0 (launch time, ns).
cdcd_launch() {
  local name=$1 config=$2 i
  CDCD_LOG=$WORK/$name.log
  CDCD_TIMEF=$WORK/$name.time
  rm -f "$CDCD_TIMEF"
  [[ -x $CDCD ]] || die "$CDCD not found: build it first (./scripts/build.sh)"
  CDCD_T0=${EPOCHREALTIME/./}
  /usr/bin/time -f '%e %U %S %M' -o "$CDCD_TIMEF" "$CDCD" run --config "$config" \
    >"$CDCD_LOG" 2>&1 &
  CDCD_TIME_PID=$!
  CDCD_PID=
  for ((i = 0; i < 200; i++)); do
    CDCD_PID=$(pgrep -P "$CDCD_TIME_PID" || true)
    [[ -n $CDCD_PID ]] && return 0
    pid_alive "$CDCD_TIME_PID" || break
    nap 0.01
  done
  wait "$CDCD_TIME_PID" || true
  tail -n 20 "$CDCD_LOG" >&2
  die "cdcd did not start"
}

# cdcd_fail WHY: prints the log's tail and fails the scenario loudly.
cdcd_fail() {
  echo "bench: ---- last lines of $CDCD_LOG ----" >&2
  tail -n 25 "$CDCD_LOG" >&2
  die "cdcd: $*"
}

# cdcd_wait COND TIMEOUT_S: polls /pipelines (20 Hz, without starting a process) until COND (a
# function reading HTTP_BODY) holds, the pipeline fails, or cdcd exits. Sets W_WALL (seconds from
# launch to when COND held), W_START (seconds from launch to the first `running` state), W_EXITED
# (1 if cdcd exited by itself, status 0). A failed pipeline, an early non-zero exit or the timeout
# fails the scenario with the log's tail.
cdcd_wait() {
  local cond=$1 timeout_us=$(($2 * 1000000)) t rc
  W_START=
  W_EXITED=0
  while :; do
    if http_get /pipelines; then
      json_str state
      if [[ -z $W_START && $REPLY == running ]]; then
        us_to_s $((${EPOCHREALTIME/./} - CDCD_T0))
        W_START=$REPLY
      fi
      if [[ $REPLY == failed ]]; then
        json_str last_error
        cdcd_fail "pipeline failed: $REPLY"
      fi
      if "$cond"; then
        us_to_s $((${EPOCHREALTIME/./} - CDCD_T0))
        W_WALL=$REPLY
        return 0
      fi
    fi
    if ! pid_alive "$CDCD_PID"; then
      t=$((${EPOCHREALTIME/./} - CDCD_T0))
      rc=0
      wait "$CDCD_TIME_PID" || rc=$?
      CDCD_TIME_PID=
      ((rc == 0)) || cdcd_fail "exited with status $rc"
      us_to_s "$t"
      W_WALL=$REPLY
      W_EXITED=1
      return 0
    fi
    if ((${EPOCHREALTIME/./} - CDCD_T0 > timeout_us)); then
      cdcd_fail "condition $cond not reached within ${2}s (last /pipelines: $(tr -d '\n ' <<<"${HTTP_BODY#*$'\r\n\r\n'}" | cut -c1-400))"
    fi
    nap 0.05
  done
}

# cdcd_sample: CPU seconds and peak RSS of the running cdcd, read just before it is stopped
# (C_CPU, C_RSS_KIB); after it exited by itself, /usr/bin/time's figures instead.
cdcd_sample() {
  if [[ -n $CDCD_PID ]] && pid_alive "$CDCD_PID"; then
    C_RSS_KIB=$(proc_kib "$CDCD_PID" VmHWM)
    C_CPU=$(ticks_to_s "$(proc_ticks "$CDCD_PID")")
  else
    local e u s m
    cdcd_stop # reaps it, so /usr/bin/time has written its figures
    read -r e u s m < <(tail -n 1 "$CDCD_TIMEF")
    C_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    C_RSS_KIB=$m
  fi
}

# cdcd_stop: SIGTERM (drain, commit, exit 0), then reaps it; a non-zero exit fails the scenario.
cdcd_stop() {
  local rc=0
  if [[ -n $CDCD_PID ]] && pid_alive "$CDCD_PID"; then kill -TERM "$CDCD_PID" 2>/dev/null || true; fi
  if [[ -n $CDCD_TIME_PID ]]; then
    wait "$CDCD_TIME_PID" || rc=$?
    CDCD_TIME_PID=
    ((rc == 0)) || cdcd_fail "exited with status $rc after SIGTERM"
  fi
  CDCD_PID=
}

# Kills a cdcd left running by a failure (cleanup).
cdcd_kill() {
  if [[ -n $CDCD_PID ]] && pid_alive "$CDCD_PID"; then
    kill -TERM "$CDCD_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      pid_alive "$CDCD_PID" || break
      sleep 0.1
    done
    pid_alive "$CDCD_PID" && kill -KILL "$CDCD_PID" 2>/dev/null
  fi
  CDCD_PID=
}

# Conditions for cdcd_wait, against WANT_EVENTS.
WANT_EVENTS=0
cond_events() {
  json_num events_committed
  [[ -n $REPLY ]] && ((REPLY >= WANT_EVENTS))
}
cond_offset() { [[ $HTTP_BODY == *'"committed_offset": {'* ]]; }

# file_records DIR: lines committed in a file sink's directory (offsets.json "records"), 0 if none.
file_records() {
  local line re='"records": *([0-9]+)'
  line=$(cat "$1/offsets.json" 2>/dev/null || true)
  if [[ $line =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

# The output of a file sink grows by GiBs in a long snapshot: with REAP on, a background loop
# removes segments older than the one offsets.json names (complete, and never read again by a
# running cdcd), so /dev/shm holds one or two segments at a time.
REAPER_PID=
reaper_start() {
  local dir=$1
  (
    re='"segment": *([0-9]+)'
    while :; do
      sleep 1
      line=$(cat "$dir/offsets.json" 2>/dev/null || true)
      [[ $line =~ $re ]] || continue
      seg=${BASH_REMATCH[1]}
      for f in "$dir"/events-*.jsonl; do
        [[ -e $f ]] || continue
        n=${f##*/events-}
        n=${n%.jsonl}
        if ((10#$n < seg)); then rm -f "$f"; fi
      done
    done
  ) &
  REAPER_PID=$!
}
reaper_stop() {
  if [[ -n $REAPER_PID ]]; then
    kill "$REAPER_PID" 2>/dev/null || true
    wait "$REAPER_PID" 2>/dev/null || true
    REAPER_PID=
  fi
}
