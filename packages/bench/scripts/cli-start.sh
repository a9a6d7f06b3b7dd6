#!/usr/bin/env bash
# The CLI's memory settings against the ways of starting it (packages/bench/README.md,
# "One CLI however it is started"): each candidate N times in turn, elapsed and CPU
# time and peak RSS from /usr/bin/time, then the medians.
#   packages/bench/scripts/cli-start.sh RUNS DATABASE_URL DOMAIN MANAGER
# The database holds a customer made by `spotlight db seed --users N`. Exports are
# --dry-run: nothing is sent.
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=$1 url=$2 domain=$3 manager=$4
bin=apps/cli/bin/run.js
# The settings of bin/run.js (its shebang and NODE_FLAGS), and the earlier set with
# --no-concurrent-recompilation, for comparison.
flags=(--max-semi-space-size=1 --max-old-space-size=128 --expose-gc)
earlier=(--max-semi-space-size=1 --max-old-space-size=128 --no-concurrent-recompilation --expose-gc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# name | environment | command (SPOTLIGHT_CLI_RESTARTED=1 keeps bin/run.js from restarting itself)
candidates=(
  "plain node, no settings|SPOTLIGHT_CLI_RESTARTED=1|node $bin"
  "earlier settings (with --no-concurrent-recompilation)|MALLOC_ARENA_MAX=1|node ${earlier[*]} $bin"
  "settings on node's command line|MALLOC_ARENA_MAX=1|node ${flags[*]} $bin"
  "shebang: apps/cli/bin/run.js (npm's link too)||$bin"
  "shebang: npx pnpm@10.34.9 -s spotlight||npx --yes pnpm@10.34.9 -s spotlight"
  "one restart: node apps/cli/bin/run.js||node $bin"
)
for run in $(seq 1 "$runs"); do
  for candidate in "${candidates[@]}"; do
    IFS='|' read -r name environment command <<<"$candidate"
    # shellcheck disable=SC2086
    env DATABASE_URL="$url" $environment /usr/bin/time -o "$work/time" -f '%e %U %S %M' \
      $command export user-activity -c "$domain" -e "$manager" --dry-run >/dev/null
    read -r elapsed user system kb <"$work/time"
    echo "$name|$elapsed|$(echo "$user + $system" | bc)|$((kb / 1024))" | tee -a "$work/runs"
  done
done
echo
echo "medians of $runs runs: candidate | elapsed s | CPU s | peak RSS MB"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("|"));
const median = (xs) => { const s = xs.map(Number).sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
for (const name of [...new Set(rows.map((r) => r[0]))]) {
  const mine = rows.filter((r) => r[0] === name);
  console.log(`| ${name} | ${median(mine.map((r) => r[1])).toFixed(2)} | ${median(mine.map((r) => r[2])).toFixed(2)} | ${median(mine.map((r) => r[3]))} |`);
}' "$work/runs"
