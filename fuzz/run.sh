#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 600), one after the
# other on one core. Seeds: the repo's safetensors/config fixtures, ../shared/configs and
# ../shared/tokenizers (cut down).
# Findings (crash-*, leak-*, timeout-*) land in build-fuzz/findings/<target>/; the last lines of
# each run (execs, coverage) are printed. Usage: fuzz/run.sh [SECONDS] [target ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/env.sh"
secs="${1:-600}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(fuzz_safetensors fuzz_config fuzz_tokenizer)
out="$root/build-fuzz"
CXX=clang++ cmake -S "$root/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$out" "${targets[@]}"
shared="$(cd "$root/.." && pwd)/shared"
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"; findings="$out/findings/$t"
  mkdir -p "$corpus" "$findings"
  if [ "$t" = fuzz_safetensors ]; then
    find "$root/tests/fixtures" -name '*.safetensors' -size -64k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  elif [ "$t" = fuzz_tokenizer ]; then
    # The real tokenizer.json files, cut to their first 200 vocab entries / merges (under 64 kB).
    python3 - "$shared/tokenizers" "$corpus" <<'PYEOF'
import json, pathlib, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for f in sorted(src.glob("*/tokenizer.json")):
    j = json.loads(f.read_text())
    m = j.get("model", {})
    if isinstance(m.get("vocab"), dict):
        m["vocab"] = dict(list(m["vocab"].items())[:200])
    elif isinstance(m.get("vocab"), list):
        m["vocab"] = m["vocab"][:200]
    if isinstance(m.get("merges"), list):
        m["merges"] = m["merges"][:200]
    (dst / f"seed_{f.parent.name}.json").write_text(json.dumps(j))
PYEOF
  else
    i=0
    for f in $(find "$root/tests/fixtures" "$shared/configs" -name '*config*.json' -size -64k 2>/dev/null); do
      cp -n "$f" "$corpus/seed_$((i++)).json"
    done
  fi
  echo "== $t: $secs s, seeds $(ls "$corpus" | wc -l)"
  (cd "$findings" && "$out/$t" "$corpus" -dict="$root/fuzz/json.dict" -max_total_time="$secs" \
      -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 2>&1 | grep -v '# Uses' | tail -25) || true
  echo "== $t findings: $(ls "$findings" | wc -l) file(s) in $findings"
done
