#!/bin/sh
# Stop before any work unless Java >= 11 is on PATH (Hail 0.2.139 runs on the JVM; tested on 11, runs on 17).
hint="install it with 'sudo apt-get install openjdk-17-jre-headless' (Debian/Ubuntu), 'brew install openjdk@17' (macOS) or 'conda install -c conda-forge openjdk=11'"
if ! command -v java >/dev/null 2>&1; then
  echo "bigmed: Java not found: Hail needs Java 11 or newer; $hint." >&2
  exit 1
fi
ver=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
major=${ver%%.*}
[ "$major" = "1" ] && major=$(echo "$ver" | cut -d. -f2)   # Java 8 reports 1.8.0_x
case "$major" in ''|*[!0-9]*) major=0 ;; esac
if [ "$major" -lt 11 ]; then
  echo "bigmed: Java ${ver:-of unknown version} found: Hail needs Java 11 or newer; $hint." >&2
  exit 1
fi
