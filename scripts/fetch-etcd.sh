#!/usr/bin/env bash
# Fetches the etcd releases the tests run besides the system's own (Debian bookworm's 3.4.23) into a cache
# directory, without touching the machine's apt configuration: a private apt configuration names Debian's
# trixie (3.5.16) and sid (3.5.30) suites, downloads etcd-server and etcd-client, and unpacks them with dpkg-deb.
#
#   scripts/fetch-etcd.sh [DIR]     (default: ~/.cache/etcd-operator/etcd)
#
# Result: DIR/<version>/usr/bin/{etcd,etcdctl,etcdutl} for each version. Versions already there are skipped, so
# a second run costs nothing. On a machine without apt-get or without network the versions stay missing and the
# tests that need them say so (they fail naming this script); the script itself only fails on a broken download.
set -euo pipefail

DIR="${1:-${HOME}/.cache/etcd-operator/etcd}"
# The machine's own Debian mirror (a CI machine may only reach that one), else Debian's default.
machine_mirror() {
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break }}'
  } | grep -v -e security -e updates | grep -i debian | head -n 1 || true
}
MIRROR="${ETCD_DEBIAN_MIRROR:-$(machine_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
# Debian package version by etcd version; the suite that serves it today.
declare -A PACKAGE=([3.5.16]=3.5.16-4 [3.5.30]=3.5.30-2)

missing=()
for version in "${!PACKAGE[@]}"; do
  if [ ! -x "${DIR}/${version}/usr/bin/etcd" ]; then
    missing+=("${version}")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "fetch-etcd: apt-get and dpkg-deb are needed to fetch etcd ${missing[*]}; those tests will name what is missing" >&2
  exit 0
fi

mkdir -p "${DIR}"
work="$(mktemp -d "${DIR}/.apt.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${work}/lists/partial" "${work}/cache/archives/partial" "${work}/debs"
cat > "${work}/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${MIRROR} trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${MIRROR} sid main
EOF
apt_options=(-o "Dir::Etc::SourceList=${work}/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=${work}/lists" -o "Dir::Cache=${work}/cache" -o APT::Sandbox::User=root
  -o Debug::NoLocking=1 -qq)
apt-get "${apt_options[@]}" update
for version in "${missing[@]}"; do
  (cd "${work}/debs" && apt-get "${apt_options[@]}" download "etcd-server=${PACKAGE[$version]}" \
    "etcd-client=${PACKAGE[$version]}")
  target="${DIR}/${version}"
  rm -rf "${target}.partial"
  for deb in "${work}"/debs/etcd-*_"${PACKAGE[$version]}"_*.deb; do
    dpkg-deb -x "${deb}" "${target}.partial"
  done
  rm -f "${work}"/debs/*.deb
  "${target}.partial/usr/bin/etcd" --version | head -n 1
  mv "${target}.partial" "${target}"
done
