# Sourced by the build/test scripts: where afinar keeps its dev caches (outside the clone).
export AFINAR_CACHE="${AFINAR_CACHE:-$HOME/.cache/afinar}"
export AFINAR_VENV="$AFINAR_CACHE/venv"
export CCACHE_DIR="${CCACHE_DIR:-$AFINAR_CACHE/ccache}"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-10G}"
# Paths under the clone are hashed relative to it, so another clone reuses the compile cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
