#!/usr/bin/env bash
# The Node.js ecs-pull is built and tested on, from the npm registry (official builds packaged as
# node-<os>-<arch>), for machines whose own Node is older. The version is .node-version's unless one is given
# (a full version or a major: 22 takes the newest 22.x).
#
#   source scripts/use-node.sh [VERSION]   in a developer's shell: installs it once, puts it first on PATH
#   bash scripts/use-node.sh [VERSION]     prints the directory of its `node` (what .ci/run puts on PATH)
#
# It lands in .node/ (git-ignored); the download is kept in npm's own cache, so a later run or a fresh clone on
# the same machine installs it without the network. npm checks the tarball against the registry's integrity hash.
# npm itself keeps running from the machine's installation, under whichever node comes first on PATH.

_ecs_pull_node_dir() {
  local root version os arch pkg tmp tarball resolved dest
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  version=${1:-$(tr -d ' \n\r' <"$root/.node-version")}
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "use-node: no Node.js package for $(uname -s)" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "use-node: no Node.js package for $(uname -m)" >&2; return 1 ;;
  esac
  pkg="node-$os-$arch"
  # A full version that is already there needs no registry at all.
  if [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ -x "$root/.node/$pkg-$version/bin/node" ]; then
    echo "$root/.node/$pkg-$version/bin"
    return 0
  fi
  tmp=$(mktemp -d) || return 1
  if ! tarball=$(cd "$tmp" && npm pack --silent --no-audit --no-fund "$pkg@$version" 2>"$tmp/err" | tail -n 1) ||
    [ ! -f "$tmp/$tarball" ]; then
    echo "use-node: npm pack $pkg@$version failed: $(tail -n 3 "$tmp/err" 2>/dev/null)" >&2
    rm -rf "$tmp"
    return 1
  fi
  resolved=${tarball#"$pkg"-}
  resolved=${resolved%.tgz}
  dest="$root/.node/$pkg-$resolved"
  if [ ! -x "$dest/bin/node" ]; then
    mkdir -p "$tmp/x" "$root/.node" && tar -xzf "$tmp/$tarball" -C "$tmp/x" || { rm -rf "$tmp"; return 1; }
    rm -rf "$dest" && mv "$tmp/x/package" "$dest" || { rm -rf "$tmp"; return 1; }
  fi
  rm -rf "$tmp"
  "$dest/bin/node" --version >/dev/null || { echo "use-node: $dest/bin/node does not run here" >&2; return 1; }
  echo "$dest/bin"
}

if (return 0 2>/dev/null); then
  # Sourced: change this shell's PATH.
  if _ecs_pull_node_bin=$(_ecs_pull_node_dir "$@"); then
    export PATH="$_ecs_pull_node_bin:$PATH"
    hash -r
    echo "node $(node --version) from $_ecs_pull_node_bin"
  fi
  unset -v _ecs_pull_node_bin
  unset -f _ecs_pull_node_dir
else
  set -euo pipefail
  _ecs_pull_node_dir "$@"
fi
