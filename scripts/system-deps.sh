#!/usr/bin/env bash
# Installs the system programs the tests run, when they are missing: Chromium and Firefox ESR (browser
# tests), coturn and Redis (started by the harness on loopback), nginx (the load balancer in front of
# several server processes: packages/cluster), iproute2 and iptables (the NAT lab).
# On Debian/Ubuntu as root it installs them with apt; anywhere else it exits 1 naming exactly what
# to install. Quick and silent-ish when everything is present, so `npm test` can run it every time.
#
# Usage: bash scripts/system-deps.sh        (also: npm run system-deps)
set -euo pipefail

# package name -> how to tell it is installed (commands on PATH, or an env var pointing at a binary)
declare -A PROBES=(
  [chromium]='CHROME_PATH chromium google-chrome google-chrome-stable chromium-browser'
  [firefox-esr]='FIREFOX_PATH firefox-esr firefox'
  [coturn]='TURNSERVER_PATH turnserver'
  [redis-server]='REDIS_SERVER_PATH redis-server'
  [nginx]='NGINX_PATH nginx'
  [iproute2]='- ip'
  [iptables]='- iptables'
)
REQUIRED=(chromium firefox-esr coturn redis-server nginx)
declare -A HINTS=(
  [chromium]='Chromium or Google Chrome (or point CHROME_PATH at one)'
  [firefox-esr]='Firefox ESR 128 or newer (or point FIREFOX_PATH at a Firefox)'
  [coturn]='coturn, which provides turnserver (or point TURNSERVER_PATH at it)'
  [redis-server]='Redis, which provides redis-server (or point REDIS_SERVER_PATH at it)'
  [nginx]='nginx (or point NGINX_PATH at it)'
  [iproute2]='iproute2, which provides ip (network namespaces for the NAT lab)'
  [iptables]='iptables (the NAT lab'"'"'s NAT rules)'
)
# The NAT lab (packages/nat-lab) builds its networks with these. It runs only on Linux as root, so
# they are required there, and wherever WORKBENCH_REQUIRE_NAT_LAB=1 (CI); elsewhere a missing one
# is only noted, since the lab would not run anyway.
LAB=(iproute2 iptables)
if [[ ${WORKBENCH_REQUIRE_NAT_LAB:-} == 1 ]] || [[ $(uname -s) == Linux && $(id -u) -eq 0 ]]; then
  REQUIRED+=("${LAB[@]}")
  LAB=()
fi
# Services whose Debian packages start them on install; tests start their own on free ports, and
# system copies would only hold 3478/6379/80 and run for nothing.
SERVICES=(coturn redis-server nginx)

is_present() {
  local probes=${PROBES[$1]} env_var cmd
  read -r env_var probes <<<"$probes"
  if [[ $env_var != - && -n ${!env_var:-} && -x ${!env_var} ]]; then return 0; fi
  for cmd in $probes; do
    # sbin is searched too: a non-root PATH often lacks it, and iptables lives there.
    if command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd || -x /sbin/$cmd ]]; then return 0; fi
  done
  return 1
}

missing_of() {
  local pkg
  for pkg in "$@"; do is_present "$pkg" || echo "$pkg"; done
}

mapfile -t missing_required < <(missing_of "${REQUIRED[@]}")
missing_lab=()
if [[ ${#LAB[@]} -gt 0 ]]; then mapfile -t missing_lab < <(missing_of "${LAB[@]}"); fi

if [[ ${#missing_required[@]} -eq 0 && ${#missing_lab[@]} -eq 0 ]]; then
  echo "system-deps: all present (${REQUIRED[*]}${LAB[*]:+ ${LAB[*]}})"
  exit 0
fi

has_apt=false
if command -v apt-get >/dev/null 2>&1 || [[ -x /usr/bin/apt-get ]]; then has_apt=true; fi
can_apt=false
if [[ $(id -u) -eq 0 ]] && $has_apt; then can_apt=true; fi

if ! $can_apt; then
  if [[ ${#missing_lab[@]} -gt 0 ]]; then
    echo "system-deps: note: ${missing_lab[*]} not installed: the NAT lab will not run here (it also needs root on Linux)." >&2
  fi
  if [[ ${#missing_required[@]} -eq 0 ]]; then
    echo "system-deps: test dependencies present (${REQUIRED[*]})"
    exit 0
  fi
  {
    echo "system-deps: missing system packages the tests need: ${missing_required[*]}"
    if $has_apt; then
      echo "Install them as root:"
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing_required[*]}"
      echo "(or run this script as root: sudo bash scripts/system-deps.sh)"
    else
      echo "This is not a Debian/Ubuntu system; install the equivalents with your package manager:"
      for pkg in "${missing_required[@]}"; do echo "  ${HINTS[$pkg]}"; done
    fi
  } >&2
  exit 1
fi

to_install=("${missing_required[@]}" "${missing_lab[@]}")
echo "system-deps: installing ${to_install[*]}"

# Keep package scripts from starting services during the install (Debian's policy-rc.d convention,
# honoured by invoke-rc.d and deb-systemd-invoke). An existing policy is put back afterwards.
policy=/usr/sbin/policy-rc.d
policy_backup=
if [[ -e $policy ]]; then
  policy_backup=$(mktemp)
  cp -p "$policy" "$policy_backup"
fi
restore_policy() {
  if [[ -n $policy_backup ]]; then mv -f "$policy_backup" "$policy"; else rm -f "$policy"; fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 755 "$policy"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${to_install[@]}"

restore_policy
trap - EXIT

# Belt and braces for systems where a service got enabled anyway: disable and stop it.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  for service in "${SERVICES[@]}"; do
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
else
  for service in "${SERVICES[@]}"; do
    if command -v update-rc.d >/dev/null 2>&1 && [[ -e /etc/init.d/$service ]]; then
      update-rc.d "$service" disable >/dev/null 2>&1 || true
      service "$service" stop >/dev/null 2>&1 || true
    fi
  done
fi

mapfile -t still_missing < <(missing_of "${REQUIRED[@]}")
if [[ ${#still_missing[@]} -gt 0 ]]; then
  echo "system-deps: apt-get finished but these are still missing: ${still_missing[*]}." >&2
  echo "On Ubuntu, chromium and firefox-esr are not plain .deb packages; install Google Chrome or Firefox and set CHROME_PATH / FIREFOX_PATH." >&2
  exit 1
fi
echo "system-deps: installed ${to_install[*]}"
