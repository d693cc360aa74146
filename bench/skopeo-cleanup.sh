#!/usr/bin/env bash
# The cleanup script people write when they have nothing better: for each repository, list its
# tags, read every tag's creation time with `skopeo inspect`, and delete all but the newest KEEP
# with `skopeo delete`, one call at a time. It is the baseline bench/oci-vs-skopeo.ts measures
# janitor against, not a tool to use: it deletes by tag without asking what else needs the manifest
# (an index, another tag, a signature), and it stops at the first error, halfway through.
#
# Usage:   bench/skopeo-cleanup.sh REGISTRY_HOST:PORT KEEP REPOSITORY...
# Example: bench/skopeo-cleanup.sh 127.0.0.1:5000 10 app-01 app-02
# Prints one line per deleted image, "deleted REPOSITORY:TAG"; tags without a creation time are
# kept and named on stderr. Needs skopeo, jq (once per repository) and GNU coreutils.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 REGISTRY_HOST:PORT KEEP REPOSITORY..." >&2
  exit 2
fi
registry=$1
keep=$2
shift 2
if ! [[ $keep =~ ^[1-9][0-9]*$ ]]; then
  echo "KEEP must be a whole number of at least 1, not '$keep'" >&2
  exit 2
fi
for command in skopeo jq sort head cut; do
  if ! command -v "$command" >/dev/null; then
    echo "$command is missing (skopeo and jq: apt-get install -y skopeo jq)" >&2
    exit 2
  fi
done

# Plain HTTP to a registry on this machine. Remove it for a registry with a trusted certificate.
tls=(--tls-verify=false)

for repository in "$@"; do
  # A failing skopeo stops the script here (pipefail), instead of looping over no tags.
  listing=$(skopeo list-tags "${tls[@]}" "docker://$registry/$repository" | jq -r '.Tags // [] | .[]')
  tags=()
  if [[ -n $listing ]]; then mapfile -t tags <<<"$listing"; fi

  # One line per tag: its creation time in nanoseconds since the epoch, then the tag. skopeo's own
  # template gives the number (empty when the image has none), so there is nothing to parse per tag
  # and no time zone or precision to get wrong. --no-tags: else every inspect lists the tags again.
  dated=()
  for tag in "${tags[@]}"; do
    created=$(skopeo inspect "${tls[@]}" --no-tags --format '{{if .Created}}{{.Created.UnixNano}}{{end}}' \
      "docker://$registry/$repository:$tag")
    if [[ -z $created ]]; then
      echo "keeping $repository:$tag: it has no creation time" >&2
      continue
    fi
    dated+=("$created $tag")
  done
  if [[ ${#dated[@]} -le $keep ]]; then continue; fi

  # Oldest first (ties by tag), without the newest KEEP: what goes.
  oldest=$(printf '%s\n' "${dated[@]}" | sort -k1,1n -k2,2 | head -n "-$keep" | cut -d ' ' -f 2)
  mapfile -t doomed <<<"$oldest"
  for tag in "${doomed[@]}"; do
    skopeo delete "${tls[@]}" "docker://$registry/$repository:$tag"
    echo "deleted $repository:$tag"
  done
done
